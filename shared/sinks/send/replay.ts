/**
 * Re-sends dead-lettered records to their destination. A blob is deleted only after every record
 * in it was delivered; otherwise it is kept (marked with the failure) for the next replay. Replays
 * are at-least-once: Azure Table upserts by RecordId, Log Analytics rows can be deduplicated by it.
 */
import type { Destination } from '../../config/model';
import { errorMessage } from '../../errors';
import type { TraceRecord } from '../../record/traceRecord';
import type { Sink } from '../sink';
import type { BlobDeadLetterStore } from './blobDeadLetterStore';
import type { DeadLetterBatch, DeadLetterWriter } from './deadLetter';
import { deliver, type DeliverOptions } from './deliver';
import { parseRetentionIndex, type RetentionIndex } from '../../retention/retentionIndex';

/** Re-uploads a retained packet capture (docs/retention.md); `RetentionStore` fits. */
export interface RetainedCaptureUploader {
  upload(batch: { blob: string; body: Uint8Array; index: RetentionIndex; rawBytes: number }): Promise<void>;
}

/** Options of {@link replayDeadLetters}. */
export interface ReplayOptions {
  store: BlobDeadLetterStore;
  /** Builds (or reuses) the sink of a destination and connection name. */
  sinkFor: (destination: Destination, connection: string) => Sink;
  /** Blob names to replay; default every blob under `prefix`. */
  names?: readonly string[];
  prefix?: string;
  /** Retry/timeout settings for the re-sends. */
  deliverOptions?: Omit<DeliverOptions, 'deadLetter' | 'batchRef'>;
  /** Where dead-lettered retained captures are re-uploaded; without it those blobs are skipped. */
  retention?: RetainedCaptureUploader;
}

/** What happened to one blob. */
export interface ReplayResult {
  blob: string;
  destination: string;
  records: number;
  delivered: number;
  /** `replayed`: all delivered, blob deleted; `failed`: kept; `skipped`: nothing a sink can resend. */
  outcome: 'replayed' | 'failed' | 'skipped';
  reason?: string;
}

/** Collects what a replay could not deliver instead of writing a second dead-letter blob. */
class KeepInPlace implements DeadLetterWriter {
  last: DeadLetterBatch | undefined;
  async write(batch: DeadLetterBatch): Promise<string> {
    this.last = batch;
    return '(kept in the original blob)';
  }
}

/** Replays blobs one by one; a failing blob does not stop the others. */
export async function replayDeadLetters(options: ReplayOptions): Promise<ReplayResult[]> {
  const names = options.names ?? (await options.store.list(options.prefix)).map((blob) => blob.name);
  const results: ReplayResult[] = [];
  for (const name of names) {
    results.push(await replayOne(name, options));
  }
  return results;
}

async function replayOne(name: string, options: ReplayOptions): Promise<ReplayResult> {
  let destination = '?';
  try {
    const parsed = await options.store.read(name);
    destination = parsed.destination;
    const records: TraceRecord[] = parsed.entries.flatMap((entry) =>
      entry.kind === 'record' ? [entry.record] : [],
    );
    if (parsed.destination === 'retention' && options.retention !== undefined) {
      const captures = parsed.entries.flatMap((entry) => (entry.kind === 'event' ? [entry] : []));
      for (const entry of captures) {
        const blob = entry.properties.blob;
        if (typeof blob !== 'string')
          throw new Error(`${name}: a retained capture entry has no properties.blob`);
        const index = parseRetentionIndex(
          JSON.stringify(entry.properties.index),
          `${name} (index of ${blob})`,
        );
        await options.retention.upload({ blob, body: Buffer.from(entry.body, 'base64'), index, rawBytes: 0 });
      }
      await options.store.delete(name);
      return {
        blob: name,
        destination,
        records: captures.length,
        delivered: captures.length,
        outcome: 'replayed',
      };
    }
    if (parsed.destination === 'retention') {
      return {
        blob: name,
        destination,
        records: 0,
        delivered: 0,
        outcome: 'skipped',
        reason:
          'holds retained packet captures: replay them with the retention store configured (RETENTION__* app settings)',
      };
    }
    if (parsed.destination === 'input' || records.length === 0) {
      return {
        blob: name,
        destination,
        records: 0,
        delivered: 0,
        outcome: 'skipped',
        reason: 'holds input events, not records: re-publish them with `tracectl replay`',
      };
    }
    const keep = new KeepInPlace();
    const sink = options.sinkFor(parsed.destination, parsed.connection);
    const report = await deliver(sink, records, {
      ...options.deliverOptions,
      deadLetter: keep,
      batchRef: `replay:${name}`,
    });
    if (report.deadLettered === 0) {
      await options.store.delete(name);
      return {
        blob: name,
        destination,
        records: records.length,
        delivered: report.delivered,
        outcome: 'replayed',
      };
    }
    const reason = report.failures.map((f) => `${f.count}× ${f.code}: ${f.reason}`).join('; ');
    await options.store.markReplayFailed(name, reason);
    return {
      blob: name,
      destination,
      records: records.length,
      delivered: report.delivered,
      outcome: 'failed',
      reason,
    };
  } catch (caught) {
    return {
      blob: name,
      destination,
      records: 0,
      delivered: 0,
      outcome: 'failed',
      reason: errorMessage(caught),
    };
  }
}
