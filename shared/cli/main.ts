import { COMMANDS } from './commands';
import { runCli } from './run';
import { stdoutWriter } from './stdoutWriter';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Entry point of the `tracectl` binary. */
async function main(): Promise<void> {
  const interrupted = new AbortController();
  process.once('SIGINT', () => {
    // Watching commands stop cleanly on the signal; anything else still running ends shortly after.
    interrupted.abort();
    process.exitCode = 130;
    setTimeout(() => process.exit(130), 500).unref();
  });
  const stdout = stdoutWriter(process.stdout);
  const code = await runCli(process.argv.slice(2), COMMANDS, {
    stdout: (text) => stdout.write(text),
    writeStdout: (chunk) => stdout.writeChunk(chunk),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    stdoutIsTty: process.stdout.isTTY === true,
    readStdin,
    abortSignal: interrupted.signal,
    stdoutBytes: (bytes) =>
      new Promise<void>((resolve, reject) =>
        process.stdout.write(bytes, (error) => (error ? reject(error) : resolve())),
      ),
  });
  process.exitCode = code;
}

void main();
