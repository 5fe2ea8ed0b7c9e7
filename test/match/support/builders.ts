/**
 * Small builders for matcher, capture-level and record tests: decoded packets, endpoints and
 * normalised configurations, written compactly.
 */
import type {
  CaptureLevel,
  LabelSelector,
  LabelSelectorRequirement,
  Peer,
  PortRule,
  TraceConfigurationSpec,
  TraceTarget,
} from '../../../shared/config/model';
import type { Endpoint } from '../../../shared/enrich/identity';
import { parseIp } from '../../../shared/net/ipAddress';
import {
  IpProtocol,
  TRACE_POINTS,
  type DecodedPacket,
  type TracePoint,
} from '../../../shared/packet/decodedPacket';

/** Compact description of a packet. */
export interface PacketSpec {
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  proto?: keyof typeof IpProtocol | number;
  tracePoint?: TracePoint;
  sec?: number;
  nsec?: number;
  flags?: number;
  frame?: number;
  payload?: string;
  seq?: number;
  ack?: number;
}

function ip(text: string): Uint8Array {
  const bytes = parseIp(text);
  if (!bytes) throw new Error(`bad test address ${text}`);
  return bytes;
}

/** A DecodedPacket without an IP layer (what the decoder makes of an ARP frame, say). */
export function packetWithoutIp(): DecodedPacket {
  return {
    frame: 1,
    timestampSec: 0,
    timestampNsec: 0,
    direction: 'unknown',
    originalLength: 0,
    data: new Uint8Array(),
  };
}

/** A DecodedPacket whose address fields are views into a synthetic frame, as the decoder makes them. */
export function packet(spec: PacketSpec): DecodedPacket {
  const src = ip(spec.src);
  const dst = ip(spec.dst);
  const payload = new TextEncoder().encode(spec.payload ?? '');
  const protocol = typeof spec.proto === 'number' ? spec.proto : IpProtocol[spec.proto ?? 'TCP'];
  const data = new Uint8Array(src.length * 2 + 5 + payload.length);
  data.set(src, 0);
  data.set(dst, src.length);
  const at = src.length * 2;
  data[at] = protocol;
  data[at + 1] = (spec.sport ?? 0) >> 8;
  data[at + 2] = (spec.sport ?? 0) & 0xff;
  data[at + 3] = (spec.dport ?? 0) >> 8;
  data[at + 4] = (spec.dport ?? 0) & 0xff;
  data.set(payload, at + 5);
  const hasPorts = protocol === IpProtocol.TCP || protocol === IpProtocol.UDP || protocol === IpProtocol.SCTP;
  const p: DecodedPacket = {
    frame: spec.frame ?? 1,
    timestampSec: spec.sec ?? 1_700_000_000,
    timestampNsec: spec.nsec ?? 0,
    direction: 'unknown',
    originalLength: data.length + 14,
    data,
    ipVersion: src.length === 4 ? 4 : 6,
    sourceIp: data.subarray(0, src.length),
    destinationIp: data.subarray(src.length, src.length * 2),
    protocol,
    payload: data.subarray(at + 5),
    payloadLength: payload.length,
  };
  if (spec.tracePoint !== undefined) p.tracePoint = spec.tracePoint;
  if (hasPorts) {
    p.sourcePort = spec.sport ?? 0;
    p.destinationPort = spec.dport ?? 0;
  }
  if (protocol === IpProtocol.TCP) {
    p.tcpFlags = spec.flags ?? 0x10;
    p.tcpSeq = spec.seq ?? 1000;
    p.tcpAck = spec.ack ?? 2000;
  }
  return p;
}

/** A label selector from matchLabels and optional expressions. */
export function selector(
  matchLabels: Record<string, string> = {},
  matchExpressions: LabelSelectorRequirement[] = [],
): LabelSelector {
  return { matchLabels, matchExpressions };
}

/** An ipBlock peer. */
export function cidr(block: string, ...except: string[]): Peer {
  return { ipBlock: { cidr: block, except } };
}

/** A target with defaults (no restriction on trace points unless given). */
export function target(parts: {
  from?: Peer[];
  to?: Peer[];
  ports?: PortRule[];
  tracePoints?: TracePoint[];
}): TraceTarget {
  return {
    from: parts.from ?? [],
    to: parts.to ?? [],
    ports: parts.ports ?? [],
    tracePoints: parts.tracePoints ?? [...TRACE_POINTS],
    tracePointsRestricted: parts.tracePoints !== undefined,
  };
}

/** A spec with one rule per target list. */
export function spec(
  rules: TraceTarget[][],
  options: { captureLevel?: CaptureLevel; includeLayer7Data?: boolean } = {},
): TraceConfigurationSpec {
  return {
    rules: rules.map((targets) => ({
      captureLevel: options.captureLevel ?? 'AllPackets',
      includeLayer7Data: options.includeLayer7Data ?? false,
      targets,
    })),
    output: { destination: 'stdout', connection: 'TRACES_STDOUT' },
  };
}

/** A pod endpoint. */
export function pod(
  ipText: string,
  namespace: string,
  name: string,
  labels: Record<string, string> = {},
  namespaceLabels: Record<string, string> = {},
  extra: Partial<Endpoint> = {},
): Endpoint {
  return { ip: ipText, kind: 'pod', namespace, name, labels, namespaceLabels, ...extra };
}
