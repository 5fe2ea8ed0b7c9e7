/**
 * The dead-letter format: one NDJSON blob per failed delivery (or undecodable input event), a
 * header line then one line per entry, so `tracectl deadletter replay` can resend it later.
 */
import { z } from 'zod';
import type { Destination } from '../../config/model';
import type { TraceRecord } from '../../record/traceRecord';
import { TraceError } from '../../errors';

/** Format version of dead-letter blobs. */
export const DEAD_LETTER_VERSION = 1;

/** A record that could not be delivered. */
export interface DeadLetterRecordEntry {
  kind: 'record';
  /** Stable failure code, e.g. `HTTP_403`, `TIMEOUT`, `RECORD_TOO_LARGE`. */
  code: string;
  /** Human-readable reason from the last attempt. */
  reason: string;
  /** Attempts made before giving up (0 when encoding rejected it). */
  attempts: number;
  record: TraceRecord;
}

/** An input event that could not be decoded at all (raw bytes kept). */
export interface DeadLetterEventEntry {
  kind: 'event';
  code: string;
  reason: string;
  /** Event body, base64. */
  body: string;
  /** Application properties of the event. */
  properties: Record<string, unknown>;
}

/** One entry of a dead-letter blob. */
export type DeadLetterEntry = DeadLetterRecordEntry | DeadLetterEventEntry;

/**
 * Where the entries were going; `input` for events that never became records; `retention` for
 * retained packet captures that could not be uploaded (docs/retention.md).
 */
export type DeadLetterTarget = Destination | 'input' | 'retention';

/** What one dead-letter blob holds. */
export interface DeadLetterBatch {
  destination: DeadLetterTarget;
  /** Connection name (docs/destinations.md) to resend to; empty for stdout and input. */
  connection: string;
  /** Reference to the original input, e.g. `eventhub:<partition>:<sequenceNumber>`. */
  batchRef: string;
  entries: DeadLetterEntry[];
}

/** Persists dead-letter batches. Throws when it cannot: the caller must then fail the invocation. */
export interface DeadLetterWriter {
  /** Stores the batch and resolves to its location (blob name). */
  write(batch: DeadLetterBatch, options?: { abortSignal?: AbortSignal }): Promise<string>;
}

const headerSchema = z.object({
  kind: z.literal('header'),
  version: z.literal(DEAD_LETTER_VERSION),
  destination: z.enum(['stdout', 'azuretable', 'loganalytics', 'opentelemetry', 'input', 'retention']),
  connection: z.string(),
  batchRef: z.string(),
  deadLetteredAt: z.string(),
  count: z.number().int().nonnegative(),
});

const entrySchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('record'),
    code: z.string(),
    reason: z.string(),
    attempts: z.number().int().nonnegative(),
    record: z.looseObject({ RecordId: z.string(), TimeGenerated: z.string(), TimestampNs: z.string() }),
  }),
  z.object({
    kind: z.literal('event'),
    code: z.string(),
    reason: z.string(),
    body: z.string(),
    properties: z.record(z.string(), z.unknown()),
  }),
]);

/** A parsed dead-letter blob. */
export interface ParsedDeadLetter extends DeadLetterBatch {
  deadLetteredAt: string;
}

/** Serialises a batch to NDJSON (header line first). */
export function formatDeadLetter(batch: DeadLetterBatch, deadLetteredAt: Date): string {
  const header = {
    kind: 'header',
    version: DEAD_LETTER_VERSION,
    destination: batch.destination,
    connection: batch.connection,
    batchRef: batch.batchRef,
    deadLetteredAt: deadLetteredAt.toISOString(),
    count: batch.entries.length,
  };
  return [header, ...batch.entries].map((line) => JSON.stringify(line)).join('\n') + '\n';
}

/** Parses a dead-letter blob; throws `DEADLETTER_INVALID` naming the blob and line of the first problem. */
export function parseDeadLetter(text: string, where: string): ParsedDeadLetter {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const parsedLines = lines.map((line, i) => {
    try {
      return JSON.parse(line) as unknown;
    } catch (caught) {
      throw new TraceError('DEADLETTER_INVALID', `${where} line ${i + 1}: not JSON`, { cause: caught });
    }
  });
  const header = headerSchema.safeParse(parsedLines[0]);
  if (!header.success) {
    const issue = header.error.issues[0];
    throw new TraceError(
      'DEADLETTER_INVALID',
      `${where} line 1: bad header${issue ? ` at ${issue.path.join('.') || '(root)'}: ${issue.message}` : ''}`,
    );
  }
  const entries = parsedLines.slice(1).map((value, i) => {
    const entry = entrySchema.safeParse(value);
    if (!entry.success) {
      const issue = entry.error.issues[0];
      throw new TraceError(
        'DEADLETTER_INVALID',
        `${where} line ${i + 2}: bad entry${issue ? ` at ${issue.path.join('.') || '(root)'}: ${issue.message}` : ''}`,
      );
    }
    return entry.data;
  });
  const { destination, connection, batchRef, deadLetteredAt } = header.data;
  return { destination, connection, batchRef, deadLetteredAt, entries };
}

/** Blob name: `<destination>/<connection or _>/<yyyy>/<MM>/<dd>/<HH>/<iso time>-<batch id>.ndjson`. */
export function deadLetterBlobName(batch: DeadLetterBatch, at: Date, batchId: string): string {
  const iso = at.toISOString();
  const [date = '', time = ''] = iso.split('T');
  const [yyyy, mm, dd] = date.split('-');
  const hh = time.slice(0, 2);
  const stamp = iso.replace(/[-:.]/g, '');
  const connection = batch.connection === '' ? '_' : batch.connection;
  return `${batch.destination}/${connection}/${yyyy}/${mm}/${dd}/${hh}/${stamp}-${batchId}.ndjson`;
}
