/**
 * Trace record → ASIM row and the stream it goes to. Pure. DNS records go to
 * `ASimDnsActivityLogs`, HTTP (and gRPC) to `ASimWebSessionLogs`, everything else (packets, flow
 * summaries, TLS handshakes, ICMP) to `ASimNetworkSessionLogs`. Strings are cut to the same 32K
 * characters as `RetinaTraces_CL` rows, with the same marker.
 */
import type { TraceRecord } from '../../../record/traceRecord';
import type { EncodeResult } from '../../sink';
import { jsonByteLength } from '../../jsonByteLength';
import { truncateText } from '../../truncate';
import { LOGS_INGESTION_LIMITS, type LogsRow } from '../encode';
import { dnsActivityRow } from './dnsActivityRow';
import { networkSessionRow } from './networkSessionRow';
import {
  DNS_ACTIVITY_STREAM,
  NETWORK_SESSION_STREAM,
  WEB_SESSION_STREAM,
  type AsimStream,
} from './asimStreams';
import { optionalString } from './optionalFields';
import { webSessionRow } from './webSessionRow';

/** The ASIM stream a record belongs to. */
export function asimStreamOf(record: TraceRecord): AsimStream {
  if (record.CaptureLevel === 'FlowSummary') return NETWORK_SESSION_STREAM;
  if (record.L7Protocol === 'DNS') return DNS_ACTIVITY_STREAM;
  // L7Protocol values of the HTTP/2 work are not in the record type on this branch: read as text.
  const l7 = optionalString(record, 'L7Protocol');
  if (l7 === 'HTTP' || l7 === 'HTTP2' || l7 === 'gRPC' || l7 === 'GRPC') return WEB_SESSION_STREAM;
  if (record.HttpMethod !== undefined || record.HttpStatusCode !== undefined) return WEB_SESSION_STREAM;
  return NETWORK_SESSION_STREAM;
}

/** The ASIM row of a record (not yet truncated). */
export function asimRow(record: TraceRecord, stream: AsimStream = asimStreamOf(record)): LogsRow {
  switch (stream.table) {
    case 'ASimDnsActivityLogs':
      return dnsActivityRow(record);
    case 'ASimWebSessionLogs':
      return webSessionRow(record);
    case 'ASimNetworkSessionLogs':
      return networkSessionRow(record);
  }
}

function cut(value: unknown): unknown {
  if (typeof value === 'string') return truncateText(value, LOGS_INGESTION_LIMITS.maxStringChars);
  if (Array.isArray(value)) return value.map(cut);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cut(v)]));
  return value;
}

/**
 * Encodes a record as an ASIM row. `group` is the DCR input stream, so a push never mixes
 * streams; `bytes` is the JSON size plus the separating comma.
 */
export function encodeAsimRow(record: TraceRecord): EncodeResult<LogsRow> {
  const stream = asimStreamOf(record);
  const row = cut(asimRow(record, stream)) as LogsRow;
  return {
    ok: true,
    value: { record, payload: row, bytes: jsonByteLength(row) + 1, group: stream.streamName },
  };
}
