import type { TraceRecord } from '../../../shared/record/traceRecord';

const BASE_MS = Date.parse('2026-12-01T10:00:00Z');

/** A record at `offsetMs` after 2026-12-01T10:00:00Z with the given columns. */
export function record(offsetMs: number, columns: Partial<TraceRecord> = {}): TraceRecord {
  const ms = BASE_MS + offsetMs;
  return {
    TimeGenerated: new Date(ms).toISOString(),
    TimestampNs: (BigInt(ms) * 1_000_000n).toString(),
    RecordId: `r${offsetMs}`,
    ...columns,
  };
}

/** A FlowSummary record from `startMs` to `endMs` after the base time. */
export function flow(startMs: number, endMs: number, columns: Partial<TraceRecord> = {}): TraceRecord {
  return record(endMs, {
    CaptureLevel: 'FlowSummary',
    Protocol: 'TCP',
    FlowStart: new Date(BASE_MS + startMs).toISOString(),
    FlowEnd: new Date(BASE_MS + endMs).toISOString(),
    FlowEndReason: 'fin',
    FlowState: 'SF',
    ...columns,
  });
}
