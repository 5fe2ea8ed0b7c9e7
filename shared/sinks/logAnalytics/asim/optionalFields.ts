/**
 * Reads record fields that other work adds to the record later (`L7LatencyNs` from the timing
 * work, `Http2StreamId`/`GrpcService`/`GrpcMethod`/`GrpcStatusCode` from the HTTP/2 work). They
 * are not in `TraceRecord` on this branch, so they are read by name and type-checked: a field
 * that is absent or of an unexpected type reads as undefined, never throws.
 */
import type { TraceRecord } from '../../../record/traceRecord';

function field(record: TraceRecord, name: string): unknown {
  return (record as unknown as Record<string, unknown>)[name];
}

/** A string field, or undefined when absent, empty or not a string. */
export function optionalString(record: TraceRecord, name: string): string | undefined {
  const value = field(record, name);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A finite number field (numbers, or decimal strings as nanosecond columns are), else undefined. */
export function optionalNumber(record: TraceRecord, name: string): number | undefined {
  const value = field(record, name);
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && /^-?\d{1,19}$/.test(value)) return Number(value);
  return undefined;
}

/** Nanoseconds → whole milliseconds as ASIM `int` durations are, clamped to the int range. */
export function nanosToMillis(nanos: number | undefined): number | undefined {
  if (nanos === undefined || nanos < 0) return undefined;
  return Math.min(Math.round(nanos / 1e6), 2_147_483_647);
}

/** Layer-7 latency of a response (`L7LatencyNs`, when the timing work has added it) in ms. */
export function l7LatencyMillis(record: TraceRecord): number | undefined {
  return nanosToMillis(optionalNumber(record, 'L7LatencyNs'));
}

/** gRPC fields of a record, when the HTTP/2 work has added them. */
export interface GrpcFields {
  service?: string;
  method?: string;
  statusCode?: number;
}

/** The gRPC fields present on `record` (an empty object when none are). */
export function grpcFields(record: TraceRecord): GrpcFields {
  const out: GrpcFields = {};
  const service = optionalString(record, 'GrpcService');
  const method = optionalString(record, 'GrpcMethod');
  const statusCode = optionalNumber(record, 'GrpcStatusCode');
  if (service !== undefined) out.service = service;
  if (method !== undefined) out.method = method;
  if (statusCode !== undefined) out.statusCode = statusCode;
  return out;
}
