import { COMMANDS } from './commands';
import { runCli } from './run';

/** Entry point of the `tracectl` binary. */
async function main(): Promise<void> {
  const code = await runCli(process.argv.slice(2), COMMANDS, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
  });
  process.exitCode = code;
}

void main();
