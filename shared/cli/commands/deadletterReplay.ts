import type { Destination } from '../../config/model';
import type { Command } from '../command';
import { UsageError, type CommandOptions } from '../command';
import { parseCommandArgs } from '../run';
import { resolveConnection } from '../../sinks/connection';
import { createSink } from '../../sinks/createSink';
import type { Sink } from '../../sinks/sink';
import { resolveDeadLetterStore } from '../../sinks/send/deadLetterConnection';
import { replayDeadLetters } from '../../sinks/send/replay';
import { resolveRetentionStore } from '../../retention/retentionConnection';

const HELP = `Usage: tracectl deadletter replay [BLOB ...] [--prefix PREFIX] [--attempt-timeout MS] [-o text|json]

Re-sends dead-lettered records to the destination and connection written in each blob, with the
usual retries. A blob is deleted only after all of its records were delivered; otherwise it is
kept and marked with the failure. Replays are at-least-once: Azure Table upserts by RecordId, and
Log Analytics rows carry RecordId for deduplication. Blobs of undecodable input events are
skipped (re-publish those with \`tracectl replay\`). Retained packet captures whose upload failed
are re-uploaded to the retention container (RETENTION__* settings, default the dead-letter account).

Without BLOB names every blob (under --prefix) is replayed. Destination connections are resolved
from app settings as the backend does (<NAME>__property, docs/destinations.md).

Exit status: 0 all replayed (or nothing to do), 1 some blob failed, 2 usage or settings error.
`;

/** The options of the command (checked before it runs; offered by shell completion). */
const OPTIONS = {
  prefix: { type: 'string' },
  'attempt-timeout': { type: 'string', default: '10000' },
  output: { type: 'string', short: 'o', default: 'text' },
} satisfies CommandOptions;

/** `tracectl deadletter replay`. */
export const deadletterReplayCommand: Command = {
  options: OPTIONS,
  name: 'deadletter replay',
  summary: 'Re-send dead-lettered records to their destination',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, OPTIONS, true);
    const output = values.output;
    if (output !== 'text' && output !== 'json')
      throw new UsageError(`--output must be text or json, not '${String(output)}'`);
    const timeout = Number(values['attempt-timeout']);
    if (!Number.isInteger(timeout) || timeout <= 0)
      throw new UsageError('--attempt-timeout must be a positive number of milliseconds');
    const store = resolveDeadLetterStore(io.env);
    const sinks = new Map<string, Sink>();
    const sinkFor = (destination: Destination, connection: string): Sink => {
      const key = `${destination}|${connection}`;
      let sink = sinks.get(key);
      if (sink === undefined) {
        sink = createSink(resolveConnection(destination, connection, io.env), {
          stdoutWriter: async (text) => io.stdout(text),
        });
        sinks.set(key, sink);
      }
      return sink;
    };
    // Retained packet captures go back to the retention container: RETENTION__* settings, or the
    // dead-letter account as the backend defaults to.
    const retentionEnv = Object.keys(io.env).some(
      (key) => key.startsWith('RETENTION__') && key !== 'RETENTION__containerName',
    )
      ? io.env
      : {
          ...io.env,
          RETENTION__connectionString: io.env.DEADLETTER__connectionString,
          RETENTION__blobServiceUri: io.env.DEADLETTER__blobServiceUri,
          RETENTION__clientId: io.env.DEADLETTER__clientId,
        };
    const options = {
      store,
      sinkFor,
      deliverOptions: { attemptTimeoutMs: timeout },
      retention: resolveRetentionStore(retentionEnv),
    };
    const results = await replayDeadLetters(
      positionals.length > 0
        ? { ...options, names: positionals }
        : values.prefix === undefined
          ? options
          : { ...options, prefix: values.prefix },
    );
    await Promise.all([...sinks.values()].map((sink) => sink.close()));
    if (output === 'json') io.stdout(`${JSON.stringify(results, null, 2)}\n`);
    else {
      for (const r of results) {
        io[r.outcome === 'failed' ? 'stderr' : 'stdout'](
          `${r.outcome}: ${r.blob} (${r.destination}, ${r.delivered}/${r.records} delivered)${r.reason === undefined ? '' : `: ${r.reason}`}\n`,
        );
      }
      io.stdout(
        `${results.filter((r) => r.outcome === 'replayed').length} of ${results.length} blob(s) replayed.\n`,
      );
    }
    return results.some((r) => r.outcome === 'failed') ? 1 : 0;
  },
};
