/**
 * Trace record → Logs Ingestion row for stream `Custom-RetinaTraces_CL`. Pure. Only declared
 * columns are sent (the DCR drops unknown ones anyway, and they would cost bytes); dynamic columns
 * stay JSON values; strings are cut to 32K characters with a marker (the service truncates values
 * above 64 KB itself, we cut first so one record can never approach the 1 MB request limit).
 */
import { TRACE_RECORD_COLUMNS, type TraceRecord } from '../../record/traceRecord';
import type { EncodeResult } from '../sink';
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

/** Encodes a record; `bytes` is its JSON size plus the separating comma. */
export function encodeLogsRow(record: TraceRecord): EncodeResult<LogsRow> {
  const row: LogsRow = {};
  for (const [column, type] of TRACE_RECORD_COLUMNS) {
    const value = record[column];
    if (value === undefined || value === null) continue;
    row[column] =
      type === 'string' && typeof value === 'string'
        ? truncateText(value, LOGS_INGESTION_LIMITS.maxStringChars)
        : value;
  }
  const bytes = Buffer.byteLength(JSON.stringify(row)) + 1;
  return { ok: true, value: { record, payload: row, bytes } };
}
