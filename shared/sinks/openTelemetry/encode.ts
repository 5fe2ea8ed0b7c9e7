/**
 * Trace record → OTLP log record (OTLP/HTTP JSON encoding). Pure. Attribute names follow the
 * OpenTelemetry semantic conventions where one exists (docs/record-schema.md); the rest use a documented
 * `retina.` prefix (docs/destinations.md lists every mapping). Cluster and node go to the resource.
 * The mapping ({@link writeLogAttributes}) is also the protobuf encoding's (`encodeProtobuf.ts`).
 */
import type { DnsAnswer, TraceRecord } from '../../record/traceRecord';
import type { EncodeResult } from '../sink';
import { truncateText } from '../truncate';

/** An OTLP AnyValue in JSON form. */
export type AnyValue =
  | { stringValue: string }
  | { intValue: string }
  | { boolValue: boolean }
  | { arrayValue: { values: AnyValue[] } }
  | { kvlistValue: { values: KeyValue[] } };

/** An OTLP attribute. */
export interface KeyValue {
  key: string;
  value: AnyValue;
}

/** An OTLP LogRecord in JSON form. */
export interface OtlpLogRecord {
  timeUnixNano: string;
  observedTimeUnixNano?: string;
  severityNumber: number;
  severityText: string;
  body: AnyValue;
  attributes: KeyValue[];
}

/** Characters kept per string attribute. */
export const OTLP_MAX_STRING_CHARS = 32 * 1024;

/** Instrumentation scope of our log records. */
export const OTLP_SCOPE = { name: 'retina-trace-backend/sinks', version: '1' } as const;

/** `service.name` of the resource. */
export const OTLP_SERVICE_NAME = 'retina-trace-backend';

const str = (value: string): AnyValue => ({ stringValue: truncateText(value, OTLP_MAX_STRING_CHARS) });
/**
 * An OTLP int64 as JSON text: the integer part, exact beyond 2^53 and wrapped to 64 bits as
 * protobuf's int64 is (so both encodings say the same); 0 for a value that is not finite.
 */
export function int64Text(value: number): string {
  if (!Number.isFinite(value)) return '0';
  const whole = Math.trunc(value);
  return Number.isSafeInteger(whole) ? String(whole) : BigInt.asIntN(64, BigInt(whole)).toString();
}

const int = (value: number): AnyValue => ({ intValue: int64Text(value) });
const labels = (map: Record<string, string>): AnyValue => ({
  kvlistValue: { values: Object.entries(map).map(([key, value]) => ({ key, value: str(value) })) },
});

/** Resource attributes of the records of one cluster and node. */
export function resourceAttributes(record: TraceRecord): KeyValue[] {
  const attributes: KeyValue[] = [{ key: 'service.name', value: str(OTLP_SERVICE_NAME) }];
  if (record.ClusterName !== undefined)
    attributes.push({ key: 'k8s.cluster.name', value: str(record.ClusterName) });
  if (record.NodeName !== undefined) attributes.push({ key: 'k8s.node.name', value: str(record.NodeName) });
  return attributes;
}

/** Splits `host[:port]` (brackets for IPv6) into semconv server.address / server.port. */
function splitHost(host: string): { address: string; port?: number } {
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(host);
  if (match === null) return { address: host.replace(/^\[|\]$/g, '') };
  return { address: (match[1] ?? '').replace(/^\[|\]$/g, ''), port: Number(match[2]) };
}

/** The log body: a one-line human summary, e.g. `TCP 10.0.0.1:5000 -> 10.0.0.2:80 SYN`. */
export function summary(record: TraceRecord): string {
  const endpoint = (ip: string | undefined, port: number | undefined): string =>
    `${ip ?? '?'}${port === undefined ? '' : `:${port}`}`;
  const parts = [
    record.Protocol ?? 'IP',
    `${endpoint(record.SourceIp, record.SourcePort)} -> ${endpoint(record.DestinationIp, record.DestinationPort)}`,
  ];
  if (record.TcpFlags !== undefined) parts.push(record.TcpFlags);
  if (record.HttpMethod !== undefined) parts.push(`${record.HttpMethod} ${record.HttpPath ?? ''}`.trim());
  if (record.HttpStatusCode !== undefined) parts.push(String(record.HttpStatusCode));
  if (record.DnsQuery !== undefined)
    parts.push(`DNS ${record.DnsQueryType ?? ''} ${record.DnsQuery}`.replace('  ', ' '));
  if (record.TlsServerName !== undefined) parts.push(`SNI ${record.TlsServerName}`);
  return parts.join(' ');
}

/**
 * Receives a record's attributes in order. One writer builds OTLP objects ({@link logAttributes});
 * the encoder's writer appends OTLP JSON text directly, so the hot path allocates no attribute
 * objects and serialises each record once.
 */
export interface AttributeWriter {
  string(key: string, value: string): void;
  int(key: string, value: number): void;
  bool(key: string, value: boolean): void;
  labels(key: string, map: Record<string, string>): void;
  strings(key: string, values: readonly string[]): void;
  dnsAnswers(key: string, answers: readonly DnsAnswer[]): void;
}

/** The mapping of record columns to attributes (everything but cluster and node: the resource). */
export function writeLogAttributes(r: TraceRecord, w: AttributeWriter): void {
  w.string('log.record.uid', r.RecordId);
  if (r.TraceConfiguration !== undefined) w.string('retina.trace_configuration', r.TraceConfiguration);
  if (r.CaptureLevel !== undefined) w.string('retina.capture_level', r.CaptureLevel);
  if (r.TracePoint !== undefined) w.string('retina.trace_point', r.TracePoint);
  if (r.TrafficDirection !== undefined) w.string('retina.traffic_direction', r.TrafficDirection);
  if (r.FlowId !== undefined) w.string('retina.flow_id', r.FlowId);
  if (r.IpVersion !== undefined) w.string('network.type', `ipv${r.IpVersion}`);
  if (r.Protocol !== undefined) w.string('network.transport', r.Protocol.toLowerCase());
  if (r.SourceIp !== undefined) w.string('source.address', r.SourceIp);
  if (r.SourcePort !== undefined) w.int('source.port', r.SourcePort);
  if (r.DestinationIp !== undefined) w.string('destination.address', r.DestinationIp);
  if (r.DestinationPort !== undefined) w.int('destination.port', r.DestinationPort);
  if (r.TcpFlags !== undefined) w.string('retina.tcp.flags', r.TcpFlags);
  if (r.TcpSeq !== undefined) w.int('retina.tcp.seq', r.TcpSeq);
  if (r.TcpAck !== undefined) w.int('retina.tcp.ack', r.TcpAck);
  if (r.PacketBytes !== undefined) w.int('retina.packet.bytes', r.PacketBytes);
  if (r.PayloadBytes !== undefined) w.int('retina.payload.bytes', r.PayloadBytes);
  if (r.SourceNamespace !== undefined) w.string('retina.source.namespace', r.SourceNamespace);
  if (r.SourcePodName !== undefined) w.string('retina.source.pod.name', r.SourcePodName);
  if (r.SourceWorkload !== undefined) w.string('retina.source.workload', r.SourceWorkload);
  if (r.SourceServiceName !== undefined) w.string('retina.source.service.name', r.SourceServiceName);
  if (r.SourceNodeName !== undefined) w.string('retina.source.node.name', r.SourceNodeName);
  if (r.SourceLabels !== undefined) w.labels('retina.source.labels', r.SourceLabels);
  if (r.DestinationNamespace !== undefined) w.string('retina.destination.namespace', r.DestinationNamespace);
  if (r.DestinationPodName !== undefined) w.string('retina.destination.pod.name', r.DestinationPodName);
  if (r.DestinationWorkload !== undefined) w.string('retina.destination.workload', r.DestinationWorkload);
  if (r.DestinationServiceName !== undefined)
    w.string('retina.destination.service.name', r.DestinationServiceName);
  if (r.DestinationNodeName !== undefined) w.string('retina.destination.node.name', r.DestinationNodeName);
  if (r.DestinationLabels !== undefined) w.labels('retina.destination.labels', r.DestinationLabels);
  if (r.L7Protocol !== undefined) w.string('network.protocol.name', r.L7Protocol.toLowerCase());
  if (r.HttpMethod !== undefined) w.string('http.request.method', r.HttpMethod);
  if (r.HttpPath !== undefined) {
    const q = r.HttpPath.indexOf('?');
    w.string('url.path', q < 0 ? r.HttpPath : r.HttpPath.slice(0, q));
    if (q >= 0) w.string('url.query', r.HttpPath.slice(q + 1));
  }
  if (r.HttpHost !== undefined) {
    const host = splitHost(r.HttpHost);
    w.string('server.address', host.address);
    if (host.port !== undefined) w.int('server.port', host.port);
  }
  if (r.HttpVersion !== undefined)
    w.string('network.protocol.version', r.HttpVersion.replace(/^HTTP\//i, ''));
  if (r.HttpUserAgent !== undefined) w.string('user_agent.original', r.HttpUserAgent);
  if (r.HttpContentType !== undefined) w.string('retina.http.content_type', r.HttpContentType);
  if (r.HttpStatusCode !== undefined) w.int('http.response.status_code', r.HttpStatusCode);
  if (r.DnsId !== undefined) w.int('retina.dns.id', r.DnsId);
  if (r.DnsIsResponse !== undefined) w.bool('retina.dns.is_response', r.DnsIsResponse);
  if (r.DnsQuery !== undefined) w.string('dns.question.name', r.DnsQuery);
  if (r.DnsQueryType !== undefined) w.string('retina.dns.question.type', r.DnsQueryType);
  if (r.DnsResponseCode !== undefined) w.string('retina.dns.response_code', r.DnsResponseCode);
  if (r.DnsAnswers !== undefined) w.dnsAnswers('retina.dns.answers', r.DnsAnswers);
  if (r.TlsHandshake !== undefined) w.string('retina.tls.handshake', r.TlsHandshake);
  if (r.TlsVersion !== undefined) {
    w.string('tls.protocol.name', r.TlsVersion.replace(/[\d.]+$/, '').toLowerCase());
    w.string('tls.protocol.version', r.TlsVersion.replace(/^[A-Za-z]+/, ''));
  }
  if (r.TlsServerName !== undefined) w.string('tls.server.name', r.TlsServerName);
  if (r.TlsAlpn !== undefined) w.strings('retina.tls.alpn', r.TlsAlpn);
  if (r.TlsCipherSuite !== undefined) w.string('tls.cipher', r.TlsCipherSuite);
  if (r.Ja3 !== undefined) w.string('tls.client.ja3', r.Ja3);
  if (r.Ja4 !== undefined) w.string('tls.client.ja4', r.Ja4);
  if (r.Ja3s !== undefined) w.string('tls.server.ja3s', r.Ja3s);
  if (r.Http2StreamId !== undefined) w.int('retina.http2.stream_id', r.Http2StreamId);
  if (r.GrpcService !== undefined || r.GrpcStatusCode !== undefined) w.string('rpc.system', 'grpc');
  if (r.GrpcService !== undefined) w.string('rpc.service', r.GrpcService);
  if (r.GrpcMethod !== undefined) w.string('rpc.method', r.GrpcMethod);
  if (r.GrpcStatusCode !== undefined) w.int('rpc.grpc.status_code', r.GrpcStatusCode);
  if (r.GrpcMessage !== undefined) w.string('retina.grpc.message', r.GrpcMessage);
  if (r.GrpcMessageCount !== undefined) w.int('retina.grpc.message_count', r.GrpcMessageCount);
  if (r.L7Partial !== undefined) w.bool('retina.l7.partial', r.L7Partial);
  if (r.DnsParseError !== undefined) w.string('retina.dns.parse_error', r.DnsParseError);
  if (r.L7LatencyNs !== undefined) w.int('retina.l7.latency_ns', r.L7LatencyNs);
  if (r.L7Unanswered !== undefined) w.bool('retina.l7.unanswered', r.L7Unanswered);
  if (r.IpFragmentOverlap !== undefined) w.bool('retina.ip.fragment_overlap', r.IpFragmentOverlap);
  if (r.IpFragmentIrregular !== undefined) w.bool('retina.ip.fragment_irregular', r.IpFragmentIrregular);
  if (r.CaptureFrame !== undefined) w.int('retina.capture.frame', r.CaptureFrame);
  if (r.CommunityId !== undefined) w.string('retina.community_id', r.CommunityId);
  if (r.IcmpType !== undefined) w.int('retina.icmp.type', r.IcmpType);
  if (r.IcmpCode !== undefined) w.int('retina.icmp.code', r.IcmpCode);
  if (r.IcmpInnerProtocol !== undefined)
    w.string('retina.icmp.inner.transport', r.IcmpInnerProtocol.toLowerCase());
  if (r.IcmpInnerSourceIp !== undefined) w.string('retina.icmp.inner.source.address', r.IcmpInnerSourceIp);
  if (r.IcmpInnerDestinationIp !== undefined)
    w.string('retina.icmp.inner.destination.address', r.IcmpInnerDestinationIp);
  if (r.IcmpInnerSourcePort !== undefined) w.int('retina.icmp.inner.source.port', r.IcmpInnerSourcePort);
  if (r.IcmpInnerDestinationPort !== undefined)
    w.int('retina.icmp.inner.destination.port', r.IcmpInnerDestinationPort);
  if (r.FlowStartNs !== undefined) w.string('retina.flow.start_ns', r.FlowStartNs);
  if (r.FlowEndNs !== undefined) w.string('retina.flow.end_ns', r.FlowEndNs);
  if (r.PacketsFromSource !== undefined) w.int('retina.flow.source.packets', r.PacketsFromSource);
  if (r.PacketsFromDestination !== undefined)
    w.int('retina.flow.destination.packets', r.PacketsFromDestination);
  if (r.BytesFromSource !== undefined) w.int('retina.flow.source.bytes', r.BytesFromSource);
  if (r.BytesFromDestination !== undefined) w.int('retina.flow.destination.bytes', r.BytesFromDestination);
  if (r.PayloadBytesFromSource !== undefined)
    w.int('retina.flow.source.payload_bytes', r.PayloadBytesFromSource);
  if (r.PayloadBytesFromDestination !== undefined)
    w.int('retina.flow.destination.payload_bytes', r.PayloadBytesFromDestination);
  if (r.FlowEndReason !== undefined) w.string('retina.flow.end_reason', r.FlowEndReason);
  if (r.FlowState !== undefined) w.string('retina.flow.state', r.FlowState);
  if (r.TcpHistory !== undefined) w.string('retina.tcp.history', r.TcpHistory);
  if (r.L7Messages !== undefined) w.int('retina.flow.l7_messages', r.L7Messages);
  if (r.CaptureRef !== undefined) w.string('retina.capture.ref', r.CaptureRef);
  if (r.TcpAnalysis !== undefined) w.string('retina.tcp.analysis', r.TcpAnalysis);
  if (r.TcpHandshakeRttNs !== undefined) w.int('retina.tcp.handshake_rtt_ns', r.TcpHandshakeRttNs);
  if (r.TcpAckRttMedianNsFromSource !== undefined)
    w.int('retina.flow.source.tcp.ack_rtt_median_ns', r.TcpAckRttMedianNsFromSource);
  if (r.TcpAckRttMedianNsFromDestination !== undefined)
    w.int('retina.flow.destination.tcp.ack_rtt_median_ns', r.TcpAckRttMedianNsFromDestination);
  if (r.TcpRetransmissionsFromSource !== undefined)
    w.int('retina.flow.source.tcp.retransmissions', r.TcpRetransmissionsFromSource);
  if (r.TcpRetransmissionsFromDestination !== undefined)
    w.int('retina.flow.destination.tcp.retransmissions', r.TcpRetransmissionsFromDestination);
  if (r.TcpZeroWindowsFromSource !== undefined)
    w.int('retina.flow.source.tcp.zero_windows', r.TcpZeroWindowsFromSource);
  if (r.TcpZeroWindowsFromDestination !== undefined)
    w.int('retina.flow.destination.tcp.zero_windows', r.TcpZeroWindowsFromDestination);
  if (r.TcpDuplicateAcksFromSource !== undefined)
    w.int('retina.flow.source.tcp.duplicate_acks', r.TcpDuplicateAcksFromSource);
  if (r.TcpDuplicateAcksFromDestination !== undefined)
    w.int('retina.flow.destination.tcp.duplicate_acks', r.TcpDuplicateAcksFromDestination);
  if (r.TcpOutOfOrderFromSource !== undefined)
    w.int('retina.flow.source.tcp.out_of_order', r.TcpOutOfOrderFromSource);
  if (r.TcpOutOfOrderFromDestination !== undefined)
    w.int('retina.flow.destination.tcp.out_of_order', r.TcpOutOfOrderFromDestination);
  if (r.SourceFqdn !== undefined) w.string('retina.source.fqdn', r.SourceFqdn);
  if (r.DestinationFqdn !== undefined) w.string('retina.destination.fqdn', r.DestinationFqdn);
}

/** Builds OTLP attribute objects. */
class ObjectAttributeWriter implements AttributeWriter {
  readonly out: KeyValue[] = [];
  string(key: string, value: string): void {
    this.out.push({ key, value: str(value) });
  }
  int(key: string, value: number): void {
    this.out.push({ key, value: int(value) });
  }
  bool(key: string, value: boolean): void {
    this.out.push({ key, value: { boolValue: value } });
  }
  labels(key: string, map: Record<string, string>): void {
    this.out.push({ key, value: labels(map) });
  }
  strings(key: string, values: readonly string[]): void {
    this.out.push({ key, value: { arrayValue: { values: values.map(str) } } });
  }
  dnsAnswers(key: string, answers: readonly DnsAnswer[]): void {
    const values = answers.map((a): AnyValue => ({
      kvlistValue: {
        values: [
          { key: 'type', value: str(a.type) },
          { key: 'value', value: str(a.value) },
          { key: 'ttl', value: int(a.ttl) },
        ],
      },
    }));
    this.out.push({ key, value: { arrayValue: { values } } });
  }
}

const jsonString = (value: string): string => JSON.stringify(truncateText(value, OTLP_MAX_STRING_CHARS));
const jsonStringValue = (value: string): string => `{"stringValue":${jsonString(value)}}`;
const jsonIntValue = (value: number): string => `{"intValue":"${int64Text(value)}"}`;

/** Appends OTLP JSON text: the same attributes {@link ObjectAttributeWriter} builds, serialised. */
class JsonAttributeWriter implements AttributeWriter {
  json = '';
  private separator = '';
  private put(key: string, valueJson: string): void {
    // Attribute keys are fixed ASCII names without characters JSON must escape.
    this.json += `${this.separator}{"key":"${key}","value":${valueJson}}`;
    this.separator = ',';
  }
  string(key: string, value: string): void {
    this.put(key, jsonStringValue(value));
  }
  int(key: string, value: number): void {
    this.put(key, jsonIntValue(value));
  }
  bool(key: string, value: boolean): void {
    this.put(key, value ? '{"boolValue":true}' : '{"boolValue":false}');
  }
  labels(key: string, map: Record<string, string>): void {
    let values = '';
    for (const [k, v] of Object.entries(map))
      values += `${values === '' ? '' : ','}{"key":${JSON.stringify(k)},"value":${jsonStringValue(v)}}`;
    this.put(key, `{"kvlistValue":{"values":[${values}]}}`);
  }
  strings(key: string, values: readonly string[]): void {
    this.put(key, `{"arrayValue":{"values":[${values.map(jsonStringValue).join(',')}]}}`);
  }
  dnsAnswers(key: string, answers: readonly DnsAnswer[]): void {
    const values = answers.map(
      (a) =>
        `{"kvlistValue":{"values":[{"key":"type","value":${jsonStringValue(a.type)}},{"key":"value","value":${jsonStringValue(a.value)}},{"key":"ttl","value":${jsonIntValue(a.ttl)}}]}}`,
    );
    this.put(key, `{"arrayValue":{"values":[${values.join(',')}]}}`);
  }
}

/** Builds the attributes of a record (everything but cluster and node, which are resource attributes). */
export function logAttributes(r: TraceRecord): KeyValue[] {
  const writer = new ObjectAttributeWriter();
  writeLogAttributes(r, writer);
  return writer.out;
}

/** One OTLP LogRecord as JSON text, ready to join into an ExportLogsServiceRequest. */
export type OtlpLogRecordJson = string;

/** `TimestampNs` as OTLP takes it: epoch nanoseconds, decimal digits only. */
export const TIMESTAMP_NS = /^\d{1,20}$/;

/**
 * Encodes a record as OTLP JSON text ({@link OtlpLogRecord} serialised); records of one cluster
 * and node share a group (one OTLP resource).
 */
export function encodeOtlpLogRecord(record: TraceRecord): EncodeResult<OtlpLogRecordJson> {
  if (!TIMESTAMP_NS.test(record.TimestampNs)) {
    return {
      ok: false,
      code: 'RECORD_INVALID',
      reason: `TimestampNs '${record.TimestampNs}' is not epoch nanoseconds`,
    };
  }
  const writer = new JsonAttributeWriter();
  writeLogAttributes(record, writer);
  const payload = `{"timeUnixNano":"${record.TimestampNs}","severityNumber":9,"severityText":"INFO","body":${jsonStringValue(summary(record))},"attributes":[${writer.json}]}`;
  return {
    ok: true,
    value: {
      record,
      payload,
      bytes: Buffer.byteLength(payload) + 1,
      group: `${record.ClusterName ?? ''}\u0000${record.NodeName ?? ''}`,
    },
  };
}
