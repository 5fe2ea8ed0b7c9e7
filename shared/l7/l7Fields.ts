import type { TraceRecord } from '../record/traceRecord';

/** The layer-7 columns of a trace record (docs/record-schema.md). */
export type L7Column =
  | 'L7Protocol'
  | 'HttpMethod'
  | 'HttpPath'
  | 'HttpHost'
  | 'HttpVersion'
  | 'HttpUserAgent'
  | 'HttpContentType'
  | 'HttpStatusCode'
  | 'DnsId'
  | 'DnsIsResponse'
  | 'DnsQuery'
  | 'DnsQueryType'
  | 'DnsResponseCode'
  | 'DnsAnswers'
  | 'TlsHandshake'
  | 'TlsVersion'
  | 'TlsServerName'
  | 'TlsAlpn'
  | 'TlsCipherSuite'
  | 'Ja3'
  | 'Ja4'
  | 'Ja3s'
  | 'Http2StreamId'
  | 'GrpcService'
  | 'GrpcMethod'
  | 'GrpcStatusCode'
  | 'GrpcMessage'
  | 'GrpcMessageCount'
  | 'L7Partial'
  | 'DnsParseError'
  | 'L7LatencyNs'
  | 'L7Unanswered';

/**
 * The layer-7 fields of one message, named exactly as the record's columns, so a caller can
 * spread them into a {@link TraceRecord}. Absent values are absent, never empty strings.
 */
export type L7Fields = Partial<Pick<TraceRecord, L7Column>>;
