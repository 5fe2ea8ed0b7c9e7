import type { TraceRecord } from '../../record/traceRecord';

/** One record as an NDJSON line (with the trailing newline). Absent values are already omitted. */
export function encodeNdjsonLine(record: TraceRecord): string {
  return `${JSON.stringify(record)}\n`;
}
