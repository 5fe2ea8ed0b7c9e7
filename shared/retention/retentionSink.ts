/**
 * Retention as a sink of the shared send stack (`sinks/send/deliver`): one retained batch is one
 * push, so uploads get the same per-attempt timeout, retries with backoff, deadline and
 * dead-lettering as record deliveries, and run beside them in the fan-out, never before them.
 */
import { isoTime } from '../record/timestamp';
import type { TraceRecord } from '../record/traceRecord';
import type { DeadLetterBatch, DeadLetterWriter } from '../sinks/send/deadLetter';
import type { EncodedRecord, EncodeResult, PushOptions, PushResult, Sink } from '../sinks/sink';
import type { RetainedBatch } from './packetRetainer';
import type { RetentionStore } from './retentionStore';

/** Connection name retention deliveries and dead letters are reported under. */
export const RETENTION_CONNECTION = 'RETENTION';

/**
 * The record the send stack carries for a retained batch: the blob's time, cluster and node, with
 * `RecordId` and `CaptureRef` naming the blob. It is never written anywhere as a trace record.
 */
export function retainedBatchRecord(batch: RetainedBatch): TraceRecord {
  const ns = BigInt(batch.index.fromNs);
  const sec = Number(ns / 1_000_000_000n);
  const nsec = Number(ns % 1_000_000_000n);
  return {
    TimeGenerated: isoTime(sec, nsec),
    TimestampNs: batch.index.fromNs,
    RecordId: batch.blob,
    ClusterName: batch.index.cluster,
    NodeName: batch.index.node,
    CaptureRef: batch.blob,
  };
}

/** Uploads one retained batch per push. Built per batch: it holds that batch's bytes. */
export class RetentionSink implements Sink<RetainedBatch> {
  readonly destination = 'retention' as const;
  readonly connection = RETENTION_CONNECTION;
  readonly limits = { maxRecords: 1, maxBytes: Number.MAX_SAFE_INTEGER };

  constructor(
    private readonly store: RetentionStore,
    private readonly batch: RetainedBatch,
  ) {}

  encode(record: TraceRecord): EncodeResult<RetainedBatch> {
    return { ok: true, value: { record, payload: this.batch, bytes: this.batch.body.length } };
  }

  async push(
    batch: ReadonlyArray<EncodedRecord<RetainedBatch>>,
    options: PushOptions,
  ): Promise<PushResult<RetainedBatch>> {
    for (const item of batch) await this.store.upload(item.payload, { abortSignal: options.abortSignal });
    return { ok: true };
  }

  async close(): Promise<void> {}
}

/**
 * A dead-letter writer that keeps the packets: entries of a `retention` delivery (which name the
 * blob) become `event` entries carrying the gzip pcapng (base64) and its index, so nothing
 * retained is lost when storage refuses the upload. Everything else passes through.
 */
export function retentionDeadLetter(
  inner: DeadLetterWriter,
  batches: readonly RetainedBatch[],
): DeadLetterWriter {
  if (batches.length === 0) return inner;
  const byBlob = new Map(batches.map((batch) => [batch.blob, batch]));
  return {
    write(batch: DeadLetterBatch, options?: { abortSignal?: AbortSignal }): Promise<string> {
      if (batch.destination !== 'retention') return inner.write(batch, options);
      return inner.write(
        {
          ...batch,
          entries: batch.entries.map((entry) => {
            const retained = entry.kind === 'record' ? byBlob.get(entry.record.RecordId) : undefined;
            if (entry.kind !== 'record' || retained === undefined) return entry;
            return {
              kind: 'event',
              code: entry.code,
              reason: entry.reason,
              body: Buffer.from(retained.body).toString('base64'),
              properties: { blob: retained.blob, index: retained.index },
            };
          }),
        },
        options,
      );
    },
  };
}
