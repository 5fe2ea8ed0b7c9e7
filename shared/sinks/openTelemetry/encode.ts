/**
 * Trace record → OTLP log record (OTLP/HTTP JSON encoding). Pure. Attribute names follow the
 * OpenTelemetry semantic conventions where one exists (CONTRACTS §3); the rest use a documented
 * `retina.` prefix (docs/destinations.md lists every mapping). Cluster and node go to the resource.
 */
import type { TraceRecord } from '../../record/traceRecord';
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

/** `service.name` of the resource. */
export const OTLP_SERVICE_NAME = 'retina-trace-backend';

const str = (value: string): AnyValue => ({ stringValue: truncateText(value, OTLP_MAX_STRING_CHARS) });
const int = (value: number): AnyValue => ({ intValue: String(Math.trunc(value)) });
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

/** Builds the attributes of a record (everything but cluster and node, which are resource attributes). */
export function logAttributes(r: TraceRecord): KeyValue[] {
  const out: KeyValue[] = [];
  const put = (key: string, value: AnyValue | undefined): void => {
    if (value !== undefined) out.push({ key, value });
  };
  const s = (v: string | undefined): AnyValue | undefined => (v === undefined ? undefined : str(v));
  const i = (v: number | undefined): AnyValue | undefined => (v === undefined ? undefined : int(v));
  put('log.record.uid', str(r.RecordId));
  put('retina.trace_configuration', s(r.TraceConfiguration));
  put('retina.capture_level', s(r.CaptureLevel));
  put('retina.trace_point', s(r.TracePoint));
  put('retina.traffic_direction', s(r.TrafficDirection));
  put('retina.flow_id', s(r.FlowId));
  put('network.type', r.IpVersion === undefined ? undefined : str(`ipv${r.IpVersion}`));
  put('network.transport', s(r.Protocol?.toLowerCase()));
  put('source.address', s(r.SourceIp));
  put('source.port', i(r.SourcePort));
  put('destination.address', s(r.DestinationIp));
  put('destination.port', i(r.DestinationPort));
  put('retina.tcp.flags', s(r.TcpFlags));
  put('retina.tcp.seq', i(r.TcpSeq));
  put('retina.tcp.ack', i(r.TcpAck));
  put('retina.packet.bytes', i(r.PacketBytes));
  put('retina.payload.bytes', i(r.PayloadBytes));
  for (const side of ['Source', 'Destination'] as const) {
    const p = `retina.${side.toLowerCase()}`;
    put(`${p}.namespace`, s(r[`${side}Namespace`]));
    put(`${p}.pod.name`, s(r[`${side}PodName`]));
    put(`${p}.workload`, s(r[`${side}Workload`]));
    put(`${p}.service.name`, s(r[`${side}ServiceName`]));
    put(`${p}.node.name`, s(r[`${side}NodeName`]));
    const map = r[`${side}Labels`];
    put(`${p}.labels`, map === undefined ? undefined : labels(map));
  }
  put('network.protocol.name', s(r.L7Protocol?.toLowerCase()));
  put('http.request.method', s(r.HttpMethod));
  if (r.HttpPath !== undefined) {
    const q = r.HttpPath.indexOf('?');
    put('url.path', str(q < 0 ? r.HttpPath : r.HttpPath.slice(0, q)));
    if (q >= 0) put('url.query', str(r.HttpPath.slice(q + 1)));
  }
  if (r.HttpHost !== undefined) {
    const host = splitHost(r.HttpHost);
    put('server.address', str(host.address));
    if (host.port !== undefined) put('server.port', int(host.port));
  }
  put('network.protocol.version', s(r.HttpVersion?.replace(/^HTTP\//i, '')));
  put('user_agent.original', s(r.HttpUserAgent));
  put('retina.http.content_type', s(r.HttpContentType));
  put('http.response.status_code', i(r.HttpStatusCode));
  put('retina.dns.id', i(r.DnsId));
  put('retina.dns.is_response', r.DnsIsResponse === undefined ? undefined : { boolValue: r.DnsIsResponse });
  put('dns.question.name', s(r.DnsQuery));
  put('retina.dns.question.type', s(r.DnsQueryType));
  put('retina.dns.response_code', s(r.DnsResponseCode));
  put(
    'retina.dns.answers',
    r.DnsAnswers === undefined
      ? undefined
      : {
          arrayValue: {
            values: r.DnsAnswers.map((a) => ({
              kvlistValue: {
                values: [
                  { key: 'type', value: str(a.type) },
                  { key: 'value', value: str(a.value) },
                  { key: 'ttl', value: int(a.ttl) },
                ],
              },
            })),
          },
        },
  );
  put('retina.tls.handshake', s(r.TlsHandshake));
  if (r.TlsVersion !== undefined) {
    put('tls.protocol.name', str(r.TlsVersion.replace(/[\d.]+$/, '').toLowerCase()));
    put('tls.protocol.version', str(r.TlsVersion.replace(/^[A-Za-z]+/, '')));
  }
  put('tls.server.name', s(r.TlsServerName));
  put(
    'retina.tls.alpn',
    r.TlsAlpn === undefined ? undefined : { arrayValue: { values: r.TlsAlpn.map(str) } },
  );
  put('tls.cipher', s(r.TlsCipherSuite));
  put('tls.client.ja3', s(r.Ja3));
  put('tls.client.ja4', s(r.Ja4));
  put('tls.server.ja3s', s(r.Ja3s));
  put('retina.capture.frame', i(r.CaptureFrame));
  return out;
}

/** Encodes a record; records of one cluster and node share a group (one OTLP resource). */
export function encodeOtlpLogRecord(record: TraceRecord): EncodeResult<OtlpLogRecord> {
  if (!/^\d{1,20}$/.test(record.TimestampNs)) {
    return {
      ok: false,
      code: 'RECORD_INVALID',
      reason: `TimestampNs '${record.TimestampNs}' is not epoch nanoseconds`,
    };
  }
  const payload: OtlpLogRecord = {
    timeUnixNano: record.TimestampNs,
    severityNumber: 9,
    severityText: 'INFO',
    body: str(summary(record)),
    attributes: logAttributes(record),
  };
  return {
    ok: true,
    value: {
      record,
      payload,
      bytes: Buffer.byteLength(JSON.stringify(payload)) + 1,
      group: `${record.ClusterName ?? ''}\u0000${record.NodeName ?? ''}`,
    },
  };
}
