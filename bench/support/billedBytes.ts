import { TRACE_RECORD_COLUMNS, type TraceRecord } from '../../shared/record/traceRecord';

/**
 * Log Analytics billed size of a record: its column values as stored text (learn: cost-logs,
 * "string representation"), the same measure `bench/sinks.ts` reports per record.
 */
export function billedBytes(record: TraceRecord): number {
  let total = 0;
  for (const [column] of TRACE_RECORD_COLUMNS) {
    const value = record[column];
    if (value === undefined) continue;
    total += Buffer.byteLength(typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  return total;
}
