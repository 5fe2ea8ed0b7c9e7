import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError, type Command, type CommandIo } from './command';
import { errorMessage } from '../errors';

/** Top-level help listing every command. */
export function topLevelHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4);
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'tracectl: validate, inspect and operate Retina TraceConfigurations and packet traces.',
    '',
    'Usage: tracectl <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `tracectl <command> --help` for the options of a command.',
    '',
  ].join('\n');
}

/**
 * Dispatches `argv` (the arguments after `tracectl`) to the matching command, longest name first
 * so `deadletter list` wins over `deadletter`. Resolves to the process exit code.
 */
export async function runCli(
  argv: readonly string[],
  commands: readonly Command[],
  io: CommandIo,
): Promise<number> {
  const first = argv[0];
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    io.stdout(topLevelHelp(commands));
    return first === undefined ? 2 : 0;
  }
  if (first === '--version') {
    io.stdout('0.1.0\n');
    return 0;
  }
  const byLength = [...commands].sort((a, b) => b.name.split(' ').length - a.name.split(' ').length);
  const command = byLength.find((c) => {
    const words = c.name.split(' ');
    return words.every((word, i) => argv[i] === word);
  });
  if (command === undefined) {
    const group = commands.filter((c) => c.name.startsWith(`${first} `));
    if (group.length > 0) {
      io.stderr(`tracectl ${first}: missing sub-command. One of: ${group.map((c) => c.name).join(', ')}\n`);
      return 2;
    }
    io.stderr(`tracectl: unknown command '${first}'. Run \`tracectl --help\` for the list.\n`);
    return 2;
  }
  const rest = argv.slice(command.name.split(' ').length);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(command.help.endsWith('\n') ? command.help : `${command.help}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (caught) {
    if (caught instanceof UsageError || isParseArgsError(caught)) {
      io.stderr(
        `tracectl ${command.name}: ${errorMessage(caught)}\nRun \`tracectl ${command.name} --help\` for usage.\n`,
      );
      return 2;
    }
    io.stderr(`tracectl ${command.name}: ${errorMessage(caught)}\n`);
    return 2;
  }
}

function isParseArgsError(caught: unknown): boolean {
  const code =
    typeof caught === 'object' && caught !== null ? (caught as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

/** `node:util` parseArgs with strict checking; unknown options and stray positionals become usage errors. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
  allowPositionals: boolean,
) {
  return parseArgs({ args, options, allowPositionals, strict: true });
}
