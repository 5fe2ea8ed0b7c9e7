/** The stdout destination: NDJSON, one record per line, to the function log / process stdout. */
import type { BatchLimits, EncodeResult, EncodedRecord, PushOptions, PushResult, Sink } from '../sink';
import type { TraceRecord } from '../../record/traceRecord';
import { encodeNdjsonLine } from './encode';

/** Writes text, resolving once it was accepted; rejects on a stream error or abort. */
export type TextWriter = (text: string, abortSignal: AbortSignal) => Promise<void>;

/** Writer over a Node stream (default: process.stdout), honouring back-pressure via the write callback. */
export function streamWriter(stream: NodeJS.WritableStream = process.stdout): TextWriter {
  return (text, abortSignal) =>
    new Promise<void>((resolve, reject) => {
      if (abortSignal.aborted) {
        reject(abortSignal.reason as Error);
        return;
      }
      const onAbort = (): void => reject(abortSignal.reason as Error);
      abortSignal.addEventListener('abort', onAbort, { once: true });
      stream.write(text, (error) => {
        abortSignal.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      });
    });
}

/** Stdout limits: chunks of at most 1,000 lines / 8 MB per write, so one write never blocks long. */
export const STDOUT_LIMITS: BatchLimits = { maxRecords: 1000, maxBytes: 8_000_000 };

/** A sink writing NDJSON lines. */
export class StdoutSink implements Sink<string> {
  readonly destination = 'stdout' as const;
  readonly connection = '';
  readonly limits = STDOUT_LIMITS;

  constructor(private readonly writer: TextWriter = streamWriter()) {}

  encode(record: TraceRecord): EncodeResult<string> {
    const line = encodeNdjsonLine(record);
    return { ok: true, value: { record, payload: line, bytes: Buffer.byteLength(line) } };
  }

  async push(batch: ReadonlyArray<EncodedRecord<string>>, options: PushOptions): Promise<PushResult<string>> {
    if (batch.length === 0) return { ok: true };
    await this.writer(batch.map((item) => item.payload).join(''), options.abortSignal);
    return { ok: true };
  }

  async close(): Promise<void> {}
}
