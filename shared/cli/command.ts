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
  /** Writes bytes to standard output (binary output such as `tracectl pcap -o -`). Absent: not available. */
  stdoutBytes?: (bytes: Uint8Array) => void | Promise<void>;
}

/** A `tracectl` command. */
export interface Command {
  /** The word after `tracectl`, e.g. `validate`. Sub-commands use a space: `deadletter list`. */
  name: string;
  /** One line for `tracectl --help`. */
  summary: string;
  /** The full `--help` text of the command. */
  help: string;
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
