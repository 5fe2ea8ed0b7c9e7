/**
 * Trace record → Logs Ingestion row for stream `Custom-RetinaTraces_CL`. Pure. Only declared
 * columns are sent (the DCR drops unknown ones anyway, and they would cost bytes); dynamic columns
 * stay JSON values; strings are cut to 32K characters with a marker (the service truncates values
 * above 64 KB itself, we cut first so one record can never approach the 1 MB request limit).
 */
import { TRACE_RECORD_COLUMNS, type TraceRecord } from '../../record/traceRecord';
import type { EncodeResult } from '../sink';
import { jsonByteLength } from '../jsonByteLength';
import { truncateText } from '../truncate';

/** Logs Ingestion API limits (learn: Azure Monitor service limits, Logs Ingestion API). */
export const LOGS_INGESTION_LIMITS = {
  /** Request body limit, compressed and uncompressed. The SDK chunks at 1,000,000 bytes of rows. */
  maxRequestBytes: 1_000_000,
  /** Characters kept per string value. */
  maxStringChars: 32 * 1024,
} as const;

/** One Logs Ingestion row. */
export type LogsRow = Record<string, unknown>;

const COLUMN_TYPES: ReadonlyMap<string, string> = new Map(TRACE_RECORD_COLUMNS);

/**
 * The JSON size of the record when it can be sent as it is (declared columns only, as records
 * from the pipeline always are, and no string beyond the limit); otherwise undefined. Sizing here,
 * in the same pass, spares measuring every column name again.
 */
function sizeAsIs(record: TraceRecord): number | undefined {
  let bytes = 1;
  for (const column in record) {
    const type = COLUMN_TYPES.get(column);
    if (type === undefined) return undefined;
    const value = (record as unknown as Record<string, unknown>)[column];
    if (value === undefined || value === null) return undefined;
    if (type === 'string' && typeof value === 'string' && value.length > LOGS_INGESTION_LIMITS.maxStringChars)
      return undefined;
    // `"Column":value,` — column names are plain ASCII.
    bytes += column.length + 4 + jsonByteLength(value);
  }
  return bytes === 1 ? 2 : bytes;
}

/**
 * Encodes a record; `bytes` is its JSON size plus the separating comma. A record that needs no
 * change is its own row (rows are only read, by the SDK's serialiser); others are copied with
 * undeclared columns dropped and long strings cut.
 */
export function encodeLogsRow(record: TraceRecord): EncodeResult<LogsRow> {
  const size = sizeAsIs(record);
  if (size !== undefined)
    return { ok: true, value: { record, payload: record as unknown as LogsRow, bytes: size + 1 } };
  const row: LogsRow = {};
  for (const [column, type] of TRACE_RECORD_COLUMNS) {
    const value = record[column];
    if (value === undefined || value === null) continue;
    row[column] =
      type === 'string' && typeof value === 'string'
        ? truncateText(value, LOGS_INGESTION_LIMITS.maxStringChars)
        : value;
  }
  return { ok: true, value: { record, payload: row, bytes: jsonByteLength(row) + 1 } };
}
