/**
 * tshark's conversations (`tcp.stream` / `udp.stream`) from the flow oracle, and the comparison
 * with our FlowSummary records of the same capture (`--flow-interval 0 --flow-idle 0`).
 */
import type { TraceRecord } from '../../../shared/record/traceRecord';
import { catchAll, oracleByFrame, recordsOfCapture } from './flowOracle';

/** One tshark stream, directions named by their first packet's sender. */
export interface OracleStream {
  /** `tcp 3` or `udp 0`. */
  id: string;
  protocol: 'TCP' | 'UDP';
  /** Sorted `ip port` ends, joined by ` | `. */
  ends: string;
  /** `ip port` of each side, as seen in the stream. */
  packets: Map<string, number>;
  bytes: Map<string, number>;
  startNs: string;
  endNs: string;
  firstFrame: number;
}

/** tshark's epoch text (`1084443427.311224000`) as epoch ns text. */
function epochNs(text: string): string {
  const [seconds = '0', fraction = ''] = text.split('.');
  return BigInt(`${seconds}${fraction.padEnd(9, '0').slice(0, 9)}`).toString();
}

/** The streams of a capture by id. */
export function oracleStreams(file: string): Map<string, OracleStream> {
  const streams = new Map<string, OracleStream>();
  for (const [frame, row] of oracleByFrame(file)) {
    const tcp = row['tcp.stream'] ?? '';
    const udp = row['udp.stream'] ?? '';
    const protocol = tcp !== '' ? 'TCP' : udp !== '' ? 'UDP' : undefined;
    if (protocol === undefined) continue;
    const first = (value: string | undefined) => (value ?? '').split(',')[0] ?? '';
    const id = protocol === 'TCP' ? `tcp ${first(tcp)}` : `udp ${first(udp)}`;
    const src = first(row['ip.src']) || first(row['ipv6.src']);
    const dst = first(row['ip.dst']) || first(row['ipv6.dst']);
    const sport = first(protocol === 'TCP' ? row['tcp.srcport'] : row['udp.srcport']);
    const dport = first(protocol === 'TCP' ? row['tcp.dstport'] : row['udp.dstport']);
    const sender = `${src} ${sport}`;
    // pcapng Simple Packet Blocks have no timestamp: they count, but say nothing about times.
    const time = row['frame.time_epoch'] ?? '';
    const ns = time === '' ? undefined : epochNs(time);
    let stream = streams.get(id);
    if (stream === undefined) {
      stream = {
        id,
        protocol,
        ends: [sender, `${dst} ${dport}`].sort().join(' | '),
        packets: new Map(),
        bytes: new Map(),
        startNs: ns ?? '',
        endNs: ns ?? '',
        firstFrame: frame,
      };
      streams.set(id, stream);
    }
    stream.packets.set(sender, (stream.packets.get(sender) ?? 0) + 1);
    stream.bytes.set(sender, (stream.bytes.get(sender) ?? 0) + Number(row['frame.len']));
    if (ns !== undefined && (stream.startNs === '' || BigInt(ns) < BigInt(stream.startNs)))
      stream.startNs = ns;
    if (ns !== undefined && (stream.endNs === '' || BigInt(ns) > BigInt(stream.endNs))) stream.endNs = ns;
  }
  return streams;
}

/** Our flow record in the oracle's terms. */
function describe(record: TraceRecord): {
  ends: string;
  packets: Map<string, number>;
  bytes: Map<string, number>;
} {
  const source = `${record.SourceIp} ${record.SourcePort ?? ''}`;
  const destination = `${record.DestinationIp} ${record.DestinationPort ?? ''}`;
  return {
    ends: [source, destination].sort().join(' | '),
    packets: new Map([
      [source, record.PacketsFromSource ?? 0],
      [destination, record.PacketsFromDestination ?? 0],
    ]),
    bytes: new Map([
      [source, record.BytesFromSource ?? 0],
      [destination, record.BytesFromDestination ?? 0],
    ]),
  };
}

/** The outcome of comparing one capture. */
export interface StreamAgreement {
  streams: number;
  agreed: number;
  /** `tcp 3: ...` lines, one per stream that differs in any respect. */
  disagreements: string[];
}

const sideText = (map: Map<string, number>, ends: string): string =>
  ends
    .split(' | ')
    .map((end) => `${end}=${map.get(end) ?? 0}`)
    .join(', ');

/** Compares tshark's streams with our FlowSummary records (interval 0, idle 0) of `file`. */
export function compareStreams(file: string): StreamAgreement {
  const records = recordsOfCapture(file, catchAll('FlowSummary'), {
    flowSummary: { intervalInMs: 0, idleTimeoutInMs: 0 },
  }).filter(
    (r) =>
      r.CaptureLevel === 'FlowSummary' &&
      r.FlowEndReason !== undefined &&
      (r.Protocol === 'TCP' || r.Protocol === 'UDP'),
  );
  const ours = new Map<string, TraceRecord>();
  for (const record of records) {
    const { ends } = describe(record);
    ours.set(`${record.Protocol} ${ends} ${record.FlowStartNs}`, record);
  }
  const result: StreamAgreement = { streams: 0, agreed: 0, disagreements: [] };
  const used = new Set<string>();
  for (const stream of oracleStreams(file).values()) {
    result.streams++;
    const key = `${stream.protocol} ${stream.ends} ${stream.startNs}`;
    const record = ours.get(key);
    if (record === undefined) {
      result.disagreements.push(
        `${stream.id} (from frame ${stream.firstFrame}): no flow record starts with it (${stream.ends})`,
      );
      continue;
    }
    used.add(key);
    const mine = describe(record);
    const problems: string[] = [];
    if (sideText(mine.packets, stream.ends) !== sideText(stream.packets, stream.ends))
      problems.push(
        `packets ours ${sideText(mine.packets, stream.ends)}, tshark ${sideText(stream.packets, stream.ends)}`,
      );
    if (sideText(mine.bytes, stream.ends) !== sideText(stream.bytes, stream.ends))
      problems.push(
        `bytes ours ${sideText(mine.bytes, stream.ends)}, tshark ${sideText(stream.bytes, stream.ends)}`,
      );
    if (record.FlowEndNs !== stream.endNs)
      problems.push(`end ours ${record.FlowEndNs}, tshark ${stream.endNs}`);
    if (problems.length === 0) result.agreed++;
    else result.disagreements.push(`${stream.id} (from frame ${stream.firstFrame}): ${problems.join('; ')}`);
  }
  for (const [key, record] of ours) {
    if (!used.has(key))
      result.disagreements.push(
        `ours only: ${record.Protocol} ${describe(record).ends} from ${record.FlowStartNs}`,
      );
  }
  return result;
}
