/** Renders `tracectl inspect` records as NDJSON or as an aligned table. */
import type { TraceRecord } from '../record/traceRecord';

/** A record as inspect prints it: the record plus where it would go. */
export type InspectedRecord = TraceRecord & { Destination: string };

function endpoint(ip: string | undefined, port: number | undefined, name: string | undefined): string {
  if (ip === undefined) return '';
  const address = ip.includes(':') && port !== undefined ? `[${ip}]` : ip;
  const withPort = port === undefined ? address : `${address}:${port}`;
  return name === undefined ? withPort : `${withPort} (${name})`;
}

/** HTTP/2 and gRPC: `HTTP/2 #3 GET host/path`, `HTTP/2 #3 404`, `gRPC #5 pkg.Svc/Get`, `gRPC #5 pkg.Svc/Get status 5 (not found)`. */
function http2Summary(record: TraceRecord): string {
  const partial = record.L7Partial === true ? ' (partial)' : '';
  const stream = record.Http2StreamId === undefined ? '' : ` #${record.Http2StreamId}`;
  if (record.GrpcService !== undefined) {
    const call = `gRPC${stream} ${record.GrpcService}/${record.GrpcMethod ?? ''}`;
    // A request (a response carries its request's method too, with L7LatencyNs).
    const request = record.HttpMethod !== undefined && record.L7LatencyNs === undefined;
    if (request || record.GrpcStatusCode === undefined) return call + partial;
    const message = record.GrpcMessage === undefined ? '' : ` (${record.GrpcMessage})`;
    return `${call} status ${record.GrpcStatusCode}${message}${partial}`;
  }
  if (record.HttpStatusCode !== undefined) return `HTTP/2${stream} ${record.HttpStatusCode}${partial}`;
  return `HTTP/2${stream} ${record.HttpMethod ?? ''} ${record.HttpHost ?? ''}${record.HttpPath ?? ''}${partial}`;
}

function layer7Summary(record: TraceRecord): string {
  switch (record.L7Protocol) {
    case 'HTTP':
      if (record.HttpVersion === '2') return http2Summary(record);
      return record.HttpStatusCode !== undefined
        ? `HTTP ${record.HttpStatusCode}`
        : `HTTP ${record.HttpMethod ?? ''} ${record.HttpHost ?? ''}${record.HttpPath ?? ''}`;
    case 'DNS':
      return `DNS ${record.DnsIsResponse === true ? `${record.DnsResponseCode ?? ''} ` : ''}${record.DnsQueryType ?? ''} ${record.DnsQuery ?? ''}`;
    case 'TLS':
      return `TLS ${record.TlsHandshake ?? ''} ${record.TlsServerName ?? ''} ${record.Ja4 ?? record.Ja3s ?? ''}`.trimEnd();
    case undefined:
      if (record.CaptureLevel === 'FlowSummary')
        return `flow ${record.FlowEndReason ?? ''} ${record.FlowState ?? ''} ${record.PacketsFromSource ?? 0}/${record.PacketsFromDestination ?? 0} packets ${record.BytesFromSource ?? 0}/${record.BytesFromDestination ?? 0} bytes`.replace(
          '  ',
          ' ',
        );
      return record.TcpFlags ?? '';
  }
}

/** Column headers of the table output. */
export const TABLE_HEADER = [
  'FRAME',
  'TIME',
  'CONFIGURATION',
  'POINT',
  'SOURCE',
  'DESTINATION',
  'PROTO',
  'SUMMARY',
];

/** One table row per record. */
export function tableRow(record: InspectedRecord): string[] {
  const source =
    record.SourcePodName ?? record.SourceServiceName ?? record.SourceNodeName ?? record.SourceFqdn;
  const destination =
    record.DestinationPodName ??
    record.DestinationServiceName ??
    record.DestinationNodeName ??
    record.DestinationFqdn;
  return [
    String(record.CaptureFrame ?? ''),
    record.TimeGenerated.slice(11, 23),
    record.TraceConfiguration ?? '',
    record.TracePoint ?? '',
    endpoint(record.SourceIp, record.SourcePort, source),
    endpoint(record.DestinationIp, record.DestinationPort, destination),
    record.Protocol ?? '',
    layer7Summary(record),
  ];
}

/** Formats rows with columns padded to the widest cell of this chunk. */
export function formatTable(rows: string[][]): string {
  const widths = TABLE_HEADER.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return (
    rows
      .map((row) =>
        row
          .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
          .join('  '),
      )
      .join('\n') + '\n'
  );
}
