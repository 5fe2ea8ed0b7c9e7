/**
 * The shape of a `tracectl` command. Each command lives in `shared/cli/commands/<name>.ts` and is
 * listed in `shared/cli/commands/index.ts`.
 */

/** Where a command writes. Injected so tests can capture output. */
export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Environment variables (app settings) visible to the command. */
  env: Readonly<Record<string, string | undefined>>;
  /** Working directory for relative paths. */
  cwd: string;
  /** True when stdout is a terminal (colour allowed). Absent means not a terminal. */
  stdoutIsTty?: boolean;
  /** Reads all of standard input (for `-f -`). Absent means stdin is not available. */
  readStdin?: () => Promise<string>;
  /** Aborted when the user interrupts (Ctrl-C): long-running commands (`get --watch`) stop cleanly. */
  abortSignal?: AbortSignal;
  /** Writes bytes to standard output (binary output such as `tracectl pcap -o -`). Absent: not available. */
  stdoutBytes?: (bytes: Uint8Array) => void | Promise<void>;
  /**
   * Writes a large chunk of text or UTF-8 bytes to standard output with backpressure (`tracectl inspect`): resolves
   * once more may be written (at once, or when the stream has drained); rejects with the stream's
   * error, e.g. code `EPIPE` once the reader closed the pipe (`tracectl inspect x | head`). Absent:
   * commands write with `stdout`.
   */
  writeStdout?: (chunk: string | Uint8Array) => Promise<void>;
}

/** Options a command accepts, in `node:util` parseArgs form (the command parses them with it). */
export type CommandOptions = Record<
  string,
  {
    type: 'string' | 'boolean';
    short?: string;
    multiple?: boolean;
    default?: string | boolean | string[] | boolean[];
  }
>;

/** A `tracectl` command. */
export interface Command {
  /** The word after `tracectl`, e.g. `validate`. Sub-commands use a space: `deadletter list`. */
  name: string;
  /** One line for `tracectl --help`. */
  summary: string;
  /** The full `--help` text of the command. */
  help: string;
  /**
   * The options the command accepts. Declared, they are checked before `run` (an unknown or
   * misspelt option gets a "did you mean" answer) and offered by shell completion. A command
   * without them receives its arguments unchecked and parses them itself.
   */
  options?: CommandOptions;
  /**
   * Runs the command with the arguments after its name. Resolves to the exit code:
   * 0 success, 1 the input was processed and found wanting (e.g. an Errored manifest),
   * 2 usage error or unreadable input.
   */
  run(args: string[], io: CommandIo): Promise<number>;
}

/** Thrown by argument parsing for usage errors; `main` prints it with the command's help hint. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * A command whose module is loaded only when it runs or shows its help, so `tracectl` starts
 * without loading every command's dependencies (Azure SDKs, the pipeline). Its name and summary
 * must be those of the loaded command (test/cli/commands.test.ts checks).
 */
export interface LazyCommand {
  name: string;
  summary: string;
  load: () => Command | Promise<Command>;
}

/** An entry of the command list: a command, or one loaded on demand. */
export type CommandEntry = Command | LazyCommand;

/** Declares a command loaded on demand. */
export function lazyCommand(
  name: string,
  summary: string,
  load: () => Command | Promise<Command>,
): LazyCommand {
  return { name, summary, load };
}

/** Loads a command entry (a no-op for a command already loaded). */
export async function loadCommand(entry: CommandEntry): Promise<Command> {
  return 'load' in entry ? await entry.load() : entry;
}
