/** Renders `tracectl inspect` records as NDJSON or as an aligned table. */
import type { Delivery } from '../pipeline/runBatch';
import type { TraceRecord } from '../record/traceRecord';

/** A record as inspect prints it: the record plus where it would go. */
export type InspectedRecord = TraceRecord & { Destination: string };

/** Records in the order inspect prints them, each with its `Destination` (parallel arrays). */
export interface FrameOrderedRecords {
  records: readonly TraceRecord[];
  /** `destination` or `destination/connection` of each record. */
  destinations: readonly string[];
}

function destinationText(delivery: Delivery): string {
  return delivery.connection === '' ? delivery.destination : `${delivery.destination}/${delivery.connection}`;
}

const frameOf = (record: TraceRecord): number => record.CaptureFrame ?? 0;

/**
 * The records of `deliveries` in capture-frame order; records of one frame keep their delivery
 * order, then their order within the delivery (a stable sort of the deliveries laid end to end).
 * One delivery already in frame order (the usual case) is used as it is, without copying.
 */
export function inFrameOrder(deliveries: readonly Delivery[]): FrameOrderedRecords {
  const only = deliveries.length === 1 ? deliveries[0]! : undefined;
  if (only !== undefined && isInFrameOrder(only.records))
    return {
      records: only.records,
      destinations: new Array<string>(only.records.length).fill(destinationText(only)),
    };
  const all: TraceRecord[] = [];
  const allDestinations: string[] = [];
  for (const delivery of deliveries) {
    const destination = destinationText(delivery);
    for (const record of delivery.records) {
      all.push(record);
      allDestinations.push(destination);
    }
  }
  // Sorting indexes (Array.prototype.sort is stable) keeps ties in the order laid out above.
  const order = all.map((_, index) => index).sort((a, b) => frameOf(all[a]!) - frameOf(all[b]!));
  return { records: order.map((i) => all[i]!), destinations: order.map((i) => allDestinations[i]!) };
}

function isInFrameOrder(records: readonly TraceRecord[]): boolean {
  for (let i = 1; i < records.length; i++) if (frameOf(records[i - 1]!) > frameOf(records[i]!)) return false;
  return true;
}

/**
 * One NDJSON line (without its newline): exactly `JSON.stringify({ ...record, Destination })`, built
 * from `JSON.stringify(record)` without copying the record (the copy cost more than the encoding).
 * `destinationJson` is `JSON.stringify(Destination)`.
 */
export function ndjsonLine(record: TraceRecord, destinationJson: string): string {
  if (Object.hasOwn(record, 'Destination'))
    return JSON.stringify({ ...record, Destination: JSON.parse(destinationJson) as unknown });
  const json = JSON.stringify(record);
  return json === '{}'
    ? `{"Destination":${destinationJson}}`
    : `${json.slice(0, -1)},"Destination":${destinationJson}}`;
}

/** Size of the buffers {@link ndjsonBytes} fills (a record larger than this gets a buffer of its own). */
export const NDJSON_CHUNK_BYTES = 1 << 20;

/**
 * NDJSON of `ordered` as UTF-8 bytes: one line per record, each ending with a newline, in buffers
 * of about `chunkBytes` that each end at a line's end (none when there is no record). The same
 * bytes as {@link ndjsonLine} per record; each line's JSON is written straight into the buffer,
 * where building one string per chunk and encoding it cost more than the JSON itself (the
 * concatenated string has to be flattened before it can be encoded).
 */
export function ndjsonBytes(ordered: FrameOrderedRecords, chunkBytes = NDJSON_CHUNK_BYTES): Buffer[] {
  const { records, destinations } = ordered;
  const chunks: Buffer[] = [];
  let buffer = Buffer.allocUnsafe(0);
  let used = 0;
  let destination: string | undefined;
  let tail = '';
  for (let i = 0; i < records.length; i++) {
    if (destinations[i] !== destination) {
      destination = destinations[i]!;
      tail = `,"Destination":${JSON.stringify(destination)}}\n`;
    }
    const record = records[i]!;
    // Rare: a record that carries a Destination of its own, or no column at all.
    const plain = !Object.hasOwn(record, 'Destination');
    const json = plain ? JSON.stringify(record) : `${ndjsonLine(record, JSON.stringify(destination))}\n`;
    // UTF-16 to UTF-8 is at most 3 bytes per code unit; only near a chunk's end is the exact size worth counting.
    const free = buffer.length - used;
    if ((json.length + tail.length) * 3 > free) {
      const needed = Buffer.byteLength(json) + Buffer.byteLength(tail);
      if (needed > free) {
        if (used > 0) chunks.push(buffer.subarray(0, used));
        buffer = Buffer.allocUnsafe(Math.max(chunkBytes, needed));
        used = 0;
      }
    }
    const written = buffer.write(json, used);
    if (!plain) used += written;
    else if (written === 2) used += buffer.write(`{${tail.slice(1)}`, used);
    else used += written - 1 + buffer.write(tail, used + written - 1);
  }
  if (used > 0) chunks.push(buffer.subarray(0, used));
  return chunks;
}

/** NDJSON text of `ordered`: {@link ndjsonBytes} as one string ('' when empty). */
export function ndjsonText(ordered: FrameOrderedRecords): string {
  return ndjsonBytes(ordered)
    .map((chunk) => chunk.toString('utf8'))
    .join('');
}

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
        return (
          `flow ${record.FlowEndReason ?? ''} ${record.FlowState ?? ''} ${record.PacketsFromSource ?? 0}/${record.PacketsFromDestination ?? 0} packets ${record.BytesFromSource ?? 0}/${record.BytesFromDestination ?? 0} bytes`.replace(
            '  ',
            ' ',
          ) + tcpHealthSummary(record)
        );
      // As Wireshark's Info column: the analysis in brackets after the flags.
      return record.TcpAnalysis === undefined
        ? (record.TcpFlags ?? '')
        : `${record.TcpFlags ?? ''} [${record.TcpAnalysis}]`.trimStart();
  }
}

/** A TCP flow's handshake round trip and retransmissions per side, when there is something to say. */
function tcpHealthSummary(record: TraceRecord): string {
  let text = '';
  if (record.TcpHandshakeRttNs !== undefined)
    text += ` handshake ${(record.TcpHandshakeRttNs / 1e6).toFixed(3)} ms`;
  const fromSource = record.TcpRetransmissionsFromSource ?? 0;
  const fromDestination = record.TcpRetransmissionsFromDestination ?? 0;
  if (fromSource + fromDestination > 0) text += ` retransmissions ${fromSource}/${fromDestination}`;
  return text;
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
