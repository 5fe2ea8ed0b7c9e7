import type { Command } from '../command';
import { UsageError, type CommandOptions } from '../command';
import { parseCommandArgs } from '../run';
import { resolveDeadLetterStore } from '../../sinks/send/deadLetterConnection';

const HELP = `Usage: tracectl deadletter list [--prefix PREFIX] [-o text|json]

Lists dead-lettered blobs: records a destination did not accept, and input events that could not
be decoded. Blob names are <destination>/<connection>/<yyyy>/<MM>/<dd>/<HH>/<time>-<id>.ndjson.

Options:
  --prefix PREFIX   only blobs whose name starts with PREFIX (e.g. azuretable/ or loganalytics/TRACES_LOGANALYTICS/2026/)
  -o, --output      text (default) or json

App settings (environment):
  DEADLETTER__connectionString   or DEADLETTER__blobServiceUri (+ optional __clientId)
  DEADLETTER__containerName      default trace-deadletter
`;

/** The options of the command (checked before it runs; offered by shell completion). */
const OPTIONS = {
  prefix: { type: 'string' },
  output: { type: 'string', short: 'o', default: 'text' },
} satisfies CommandOptions;

/** `tracectl deadletter list`. */
export const deadletterListCommand: Command = {
  options: OPTIONS,
  name: 'deadletter list',
  summary: 'List dead-lettered record batches and input events',
  help: HELP,
  async run(args, io) {
    const { values } = parseCommandArgs(args, OPTIONS, false);
    const output = values.output;
    if (output !== 'text' && output !== 'json')
      throw new UsageError(`--output must be text or json, not '${String(output)}'`);
    const store = resolveDeadLetterStore(io.env);
    const blobs = await store.list(values.prefix);
    if (output === 'json') {
      io.stdout(`${JSON.stringify(blobs, null, 2)}\n`);
      return 0;
    }
    if (blobs.length === 0) {
      io.stdout('No dead-lettered blobs.\n');
      return 0;
    }
    for (const blob of blobs) {
      const failed =
        blob.lastReplayError === undefined ? '' : `  last replay failed: ${blob.lastReplayError}`;
      io.stdout(
        `${blob.name}  ${blob.count} entries  ${blob.size} bytes  batch ${blob.batchRef || '-'}${failed}\n`,
      );
    }
    io.stdout(`${blobs.length} blob(s), ${blobs.reduce((n, b) => n + b.count, 0)} entries.\n`);
    return 0;
  },
};
