import { parseArgs } from 'node:util';
import type { Command as ProgramType, CommanderError as CommanderErrorType } from 'commander';
import {
  UsageError,
  loadCommand,
  type Command,
  type CommandEntry,
  type CommandIo,
  type CommandOptions,
} from './command';
import { errorMessage } from '../errors';

/** The version `tracectl --version` prints. */
export const TRACECTL_VERSION = '0.1.0';

/** Top-level help listing every command. */
export function topLevelHelp(commands: readonly CommandEntry[]): string {
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

/** Help of a command group such as `deadletter`: its sub-commands. */
function groupHelp(group: string, members: readonly CommandEntry[]): string {
  const width = Math.max(...members.map((c) => c.name.length));
  return [
    `Usage: tracectl ${group} <command> [options]`,
    '',
    'Commands:',
    ...members.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `Run \`tracectl ${group} <command> --help\` for the options of a command.`,
    '',
  ].join('\n');
}

/**
 * Runs `argv` (the arguments after `tracectl`) against the command tree, with commander doing the
 * dispatch: `--help` at every level, "did you mean" for a misspelt command or option, groups
 * (`deadletter list`). Each command then parses its own arguments. Resolves to the exit code:
 * 0 success or help, 1 input found wanting, 2 usage error or unreadable input.
 */
export async function runCli(
  argv: readonly string[],
  entries: readonly CommandEntry[],
  io: CommandIo,
): Promise<number> {
  const commands = await withTargetLoaded(argv, entries);
  const direct = directCommand(argv, commands);
  if (direct !== undefined) return runCommand(direct, argv.slice(direct.name.split(' ').length), io);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when the tree is needed
  const { Command: Program, CommanderError } = require('commander') as {
    Command: typeof ProgramType;
    CommanderError: typeof CommanderErrorType;
  };
  if (argv.length === 0) {
    io.stdout(topLevelHelp(commands));
    return 2;
  }
  if (argv[0] === 'help' && argv.length === 1) {
    io.stdout(topLevelHelp(commands));
    return 0;
  }
  const members = commands.filter((command) => command.name.startsWith(`${argv[0]} `));
  if (argv.length === 1 && members.length > 0) {
    io.stderr(`tracectl ${argv[0]}: missing sub-command. One of: ${members.map((c) => c.name).join(', ')}\n`);
    return 2;
  }
  let exitCode = 0;
  let failedPath = '';
  const program = new Program('tracectl');
  const configure = (command: ProgramType, path: string): ProgramType =>
    command
      .exitOverride()
      .showSuggestionAfterError(true)
      .configureOutput({
        writeOut: (text) => io.stdout(text),
        writeErr: (text) => io.stderr(text),
        outputError: (text, write) => {
          failedPath = path;
          write(`tracectl${path ? ` ${path}` : ''}: ${text.replace(/^error: /, '')}`);
        },
      });
  configure(program, '').version(TRACECTL_VERSION, '--version', 'print the version');
  program.helpInformation = () => topLevelHelp(commands);

  const groups = new Map<string, ProgramType>();
  for (const command of commands) {
    const words = command.name.split(' ');
    let parent = program;
    for (const word of words.slice(0, -1)) {
      const groupName = words.slice(0, words.indexOf(word) + 1).join(' ');
      let group = groups.get(groupName);
      if (!group) {
        group = configure(parent.command(word), groupName);
        const members = commands.filter((member) => member.name.startsWith(`${groupName} `));
        group.description(`${members.map((member) => member.name.split(' ').slice(-1)[0]).join(', ')}`);
        group.helpInformation = () => groupHelp(groupName, members);
        groups.set(groupName, group);
      }
      parent = group;
    }
    const leaf = configure(parent.command(words[words.length - 1]!), command.name)
      .description(command.summary)
      .argument('[arguments...]')
      .allowExcessArguments(true);
    if (!('run' in command)) {
      leaf.allowUnknownOption(true).action(async () => {
        exitCode = await runCommand(
          await loadCommand(command),
          argv.slice(command.name.split(' ').length),
          io,
        );
      });
      continue;
    }
    leaf.helpInformation = () => (command.help.endsWith('\n') ? command.help : `${command.help}\n`);
    if (command.options) {
      for (const [name, option] of Object.entries(command.options)) leaf.option(optionFlags(name, option));
    } else {
      leaf.allowUnknownOption(true);
    }
    leaf.action(async () => {
      exitCode = await runCommand(command, argv.slice(command.name.split(' ').length), io);
    });
  }

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (caught) {
    if (caught instanceof CommanderError) {
      if (
        caught.code === 'commander.helpDisplayed' ||
        caught.code === 'commander.version' ||
        caught.code === 'commander.help'
      )
        return 0;
      io.stderr(`Run \`tracectl ${failedPath ? `${failedPath} ` : ''}--help\` for usage.\n`);
      return 2;
    }
    io.stderr(`tracectl: ${errorMessage(caught)}\n`);
    return 2;
  }
}

/** Arguments commander answers itself wherever they appear (help, and the top-level `--version`). */
const ANSWERED_BY_COMMANDER = new Set(['-h', '--help', '--version']);

/**
 * The loaded command `argv` names when commander has nothing to add: it declares no options (it
 * parses its own arguments) and no help or version is asked. It then runs without building the
 * command tree or loading commander, which is most of `tracectl`'s own start-up.
 */
function directCommand(argv: readonly string[], commands: readonly CommandEntry[]): Command | undefined {
  const target = commands.find(
    (entry): entry is Command => 'run' in entry && entry.name.split(' ').every((word, i) => argv[i] === word),
  );
  if (target === undefined || target.options !== undefined) return undefined;
  if (commands.some((entry) => entry !== target && entry.name.startsWith(`${target.name} `)))
    return undefined;
  return argv.some((arg) => ANSWERED_BY_COMMANDER.has(arg)) ? undefined : target;
}

/** The entries with the one `argv` names loaded (the others stay unloaded: startup stays fast). */
async function withTargetLoaded(
  argv: readonly string[],
  entries: readonly CommandEntry[],
): Promise<CommandEntry[]> {
  const target = [...entries]
    .sort((a, b) => b.name.split(' ').length - a.name.split(' ').length)
    .find((entry) => entry.name.split(' ').every((word, i) => argv[i] === word));
  if (!target) return [...entries];
  const loaded = await loadCommand(target);
  return entries.map((entry) => (entry === target ? loaded : entry));
}

function optionFlags(name: string, option: CommandOptions[string]): string {
  const long = `--${name}${option.type === 'string' ? ' <value>' : ''}`;
  return option.short ? `-${option.short}, ${long}` : long;
}

async function runCommand(command: Command, args: string[], io: CommandIo): Promise<number> {
  try {
    return await command.run(args, io);
  } catch (caught) {
    if (caught instanceof UsageError || isParseArgsError(caught)) {
      io.stderr(
        `tracectl ${command.name}: ${errorMessage(caught)}\nRun \`tracectl ${command.name} --help\` for usage.\n`,
      );
      return 2;
    }
    // Anything else is reported by its message alone: no stack trace reaches the user.
    io.stderr(`tracectl ${command.name}: ${errorMessage(caught)}\n`);
    return 2;
  }
}

function isParseArgsError(caught: unknown): boolean {
  const code =
    typeof caught === 'object' && caught !== null ? (caught as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

/**
 * `node:util` parseArgs with strict checking; an unknown option or stray positional becomes a
 * UsageError that names it (and the nearest known option, when one is close).
 */
export function parseCommandArgs<T extends CommandOptions>(
  args: string[],
  options: T,
  allowPositionals: boolean,
) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (caught) {
    const code = (caught as { code?: string }).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const unknown = /'([^']+)'/.exec(errorMessage(caught))?.[1] ?? '';
      const nearest = nearestOption(unknown, Object.keys(options));
      throw new UsageError(`unknown option '${unknown}'${nearest ? ` (did you mean --${nearest}?)` : ''}`);
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      const stray = /'([^']+)'/.exec(errorMessage(caught))?.[1] ?? '';
      throw new UsageError(`unexpected argument '${stray}'`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      throw new UsageError(
        errorMessage(caught).replace(/^Option '([^']+)' argument missing$/, "option '$1' needs a value"),
      );
    }
    throw caught;
  }
}

function nearestOption(written: string, known: string[]): string | undefined {
  const name = written.replace(/^-+/, '');
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (distance <= Math.max(1, Math.floor(candidate.length / 3)) && (!best || distance < best.distance))
      best = { name: candidate, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}
