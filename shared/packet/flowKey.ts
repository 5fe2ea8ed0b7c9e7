/**
 * Flow keys: the 5-tuple put in a canonical order so both directions of a connection give the same
 * key. The one key every per-flow table uses ({@link flowMapKey}: FirstPacket, FlowSummary, TCP
 * analysis, layer 7), the packet's side of it ({@link sourceEndFirst}), and `FlowId`
 * (docs/record-schema.md), a short stable hash of it.
 */
import { formatIp } from '../net/ipAddress';
import type { DecodedPacket } from './decodedPacket';

/** A normalised 5-tuple: endpoint A sorts before endpoint B (address bytes, then port). */
export interface FlowKey {
  ipVersion: 4 | 6;
  protocol: number;
  addressA: Uint8Array;
  portA: number;
  addressB: Uint8Array;
  portB: number;
}

/**
 * Compares two (address, port) ends: negative when `a` sorts first. Shorter addresses sort first,
 * then address bytes, then the port.
 */
export function compareEnds(aIp: Uint8Array, aPort: number, bIp: Uint8Array, bPort: number): number {
  if (aIp.length !== bIp.length) return aIp.length - bIp.length;
  for (let i = 0; i < aIp.length; i++) {
    const d = (aIp[i] ?? 0) - (bIp[i] ?? 0);
    if (d !== 0) return d;
  }
  return aPort - bPort;
}

/**
 * True when the packet's source end sorts first, so the tuple is already in canonical order (the
 * packet goes from side A to side B of its flow); true without addresses. Missing ports count as 0.
 */
export function sourceEndFirst(packet: DecodedPacket): boolean {
  const sip = packet.sourceIp;
  const dip = packet.destinationIp;
  if (!sip || !dip) return true;
  return compareEnds(sip, packet.sourcePort ?? 0, dip, packet.destinationPort ?? 0) <= 0;
}

/**
 * The key of the packet's flow in every per-flow table, or undefined without IP addresses: the
 * protocol (0xffff when none was decoded) then each end as (port, address bytes), ends in
 * canonical order, one UTF-16 unit each (compact, not printable). Missing ports count as 0. Both
 * directions share it. The last packet's key is kept: each table asks about the same packet in turn.
 */
export function flowMapKey(packet: DecodedPacket): string | undefined {
  const sip = packet.sourceIp;
  const dip = packet.destinationIp;
  const sport = packet.sourcePort;
  const dport = packet.destinationPort;
  const protocol = packet.protocol;
  const last = lastKeyed;
  if (
    packet === last.packet &&
    sip === last.sourceIp &&
    dip === last.destinationIp &&
    sport === last.sourcePort &&
    dport === last.destinationPort &&
    protocol === last.protocol
  )
    return last.key;
  const key = buildFlowMapKey(sip, dip, sport ?? 0, dport ?? 0, protocol ?? 0xffff);
  last.packet = packet;
  last.sourceIp = sip;
  last.destinationIp = dip;
  last.sourcePort = sport;
  last.destinationPort = dport;
  last.protocol = protocol;
  last.key = key;
  return key;
}

/** The packet {@link flowMapKey} last answered for, with the fields its key was built from. */
const lastKeyed: {
  packet: DecodedPacket | undefined;
  sourceIp: Uint8Array | undefined;
  destinationIp: Uint8Array | undefined;
  sourcePort: number | undefined;
  destinationPort: number | undefined;
  protocol: number | undefined;
  key: string | undefined;
} = {
  packet: undefined,
  sourceIp: undefined,
  destinationIp: undefined,
  sourcePort: undefined,
  destinationPort: undefined,
  protocol: undefined,
  key: undefined,
};

const scratch: number[] = [];

function buildFlowMapKey(
  sip: Uint8Array | undefined,
  dip: Uint8Array | undefined,
  sport: number,
  dport: number,
  protocol: number,
): string | undefined {
  if (!sip || !dip) return undefined;
  if (sip.length === 4 && dip.length === 4) {
    // IPv4, the common case: the same code units as below, without the scratch array.
    const sourceFirst = compareEnds(sip, sport, dip, dport) <= 0;
    const a = sourceFirst ? sip : dip;
    const b = sourceFirst ? dip : sip;
    return String.fromCharCode(
      protocol,
      sourceFirst ? sport : dport,
      a[0] ?? 0,
      a[1] ?? 0,
      a[2] ?? 0,
      a[3] ?? 0,
      sourceFirst ? dport : sport,
      b[0] ?? 0,
      b[1] ?? 0,
      b[2] ?? 0,
      b[3] ?? 0,
    );
  }
  let n = 0;
  scratch[n++] = protocol;
  if (compareEnds(sip, sport, dip, dport) <= 0) {
    n = writeEnd(sip, sport, n);
    n = writeEnd(dip, dport, n);
  } else {
    n = writeEnd(dip, dport, n);
    n = writeEnd(sip, sport, n);
  }
  // Shrinking only when the address lengths changed: `length = 0` would free the storage.
  if (scratch.length !== n) scratch.length = n;
  return String.fromCharCode.apply(null, scratch);
}

function writeEnd(ip: Uint8Array, port: number, at: number): number {
  scratch[at++] = port;
  for (let i = 0; i < ip.length; i++) scratch[at++] = ip[i] ?? 0;
  return at;
}

/**
 * The canonical flow key of a packet, or undefined without an IP layer. Ports are 0 for protocols
 * without them (ICMP, fragments not yet reassembled, unknown protocols).
 */
export function flowKey(packet: DecodedPacket): FlowKey | undefined {
  const { sourceIp, destinationIp, ipVersion } = packet;
  if (sourceIp === undefined || destinationIp === undefined || ipVersion === undefined) return undefined;
  const sourcePort = packet.sourcePort ?? 0;
  const destinationPort = packet.destinationPort ?? 0;
  const protocol = packet.protocol ?? 0;
  if (compareEnds(sourceIp, sourcePort, destinationIp, destinationPort) <= 0) {
    return {
      ipVersion,
      protocol,
      addressA: sourceIp,
      portA: sourcePort,
      addressB: destinationIp,
      portB: destinationPort,
    };
  }
  return {
    ipVersion,
    protocol,
    addressA: destinationIp,
    portA: destinationPort,
    addressB: sourceIp,
    portB: sourcePort,
  };
}

/**
 * The canonical key bytes of one flow, gathered for hashing (at most 1 + 1 + 16 + 2 + 16 + 2). Int32
 * so a field out of byte range is mixed in as before (XOR of its int32 value), not truncated.
 */
const keyBytes = new Int32Array(38);

/** Appends `address` to {@link keyBytes} at `at`; returns the next free index. */
function putAddress(address: Uint8Array, at: number): number {
  for (let i = 0; i < address.length; i++) keyBytes[at + i] = address[i]!;
  return at + address.length;
}

const HEX_CODES: readonly number[] = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

function hexDigit(value: number, shift: number): number {
  return HEX_CODES[(value >>> shift) & 0xf]!;
}

/** A 64-bit value given as 32-bit halves, as 16 hex digits built as one string (no concatenations). */
function hex64(h: number, l: number): string {
  return String.fromCharCode(
    hexDigit(h, 28),
    hexDigit(h, 24),
    hexDigit(h, 20),
    hexDigit(h, 16),
    hexDigit(h, 12),
    hexDigit(h, 8),
    hexDigit(h, 4),
    hexDigit(h, 0),
    hexDigit(l, 28),
    hexDigit(l, 24),
    hexDigit(l, 20),
    hexDigit(l, 16),
    hexDigit(l, 12),
    hexDigit(l, 8),
    hexDigit(l, 4),
    hexDigit(l, 0),
  );
}

/** FNV-1a 64 of the canonical key bytes, endpoints already in canonical order. */
function hashFlow(
  ipVersion: number,
  protocol: number,
  addressA: Uint8Array,
  portA: number,
  addressB: Uint8Array,
  portB: number,
): string {
  keyBytes[0] = ipVersion;
  keyBytes[1] = protocol;
  let length = putAddress(addressA, 2);
  keyBytes[length++] = portA >> 8;
  keyBytes[length++] = portA & 0xff;
  length = putAddress(addressB, length);
  keyBytes[length++] = portB >> 8;
  keyBytes[length++] = portB & 0xff;
  // The state stays in two int32 locals: module variables holding values above 2^31 would be
  // boxed in a fresh heap number on every store.
  let high = 0xcbf29ce4 | 0;
  let low = 0x84222325 | 0;
  for (let i = 0; i < length; i++) {
    // (state ^ byte) · (2^40 + 0x1b3) mod 2^64: low · 0x1b3 in 16-bit halves (exact, no float
    // division for the carry), low · 2^40 is low << 8 in the high half.
    const x = (low ^ keyBytes[i]!) >>> 0;
    const p0 = (x & 0xffff) * 0x1b3;
    const p1 = (x >>> 16) * 0x1b3 + (p0 >>> 16);
    low = (p1 << 16) | (p0 & 0xffff);
    high = (Math.imul(high, 0x1b3) + (p1 >>> 16) + (x << 8)) | 0;
  }
  return hex64(high, low);
}

/**
 * `FlowId`: 16 lower-case hex digits of FNV-1a 64 over the canonical key bytes
 * `ipVersion, protocol, addressA, portA (2 bytes BE), addressB, portB (2 bytes BE)`. Stable across
 * processes, versions and languages; the same for both directions.
 *
 * @example flowId(flowKey(packet)!) // '9f3c0d5e2b7a1c44'
 */
export function flowId(key: FlowKey): string {
  return hashFlow(key.ipVersion, key.protocol, key.addressA, key.portA, key.addressB, key.portB);
}

/** The FlowId of a packet, or undefined without an IP layer. Same as `flowId(flowKey(packet))`. */
export function packetFlowId(packet: DecodedPacket): string | undefined {
  const { sourceIp, destinationIp, ipVersion } = packet;
  if (sourceIp === undefined || destinationIp === undefined || ipVersion === undefined) return undefined;
  const sourcePort = packet.sourcePort ?? 0;
  const destinationPort = packet.destinationPort ?? 0;
  const protocol = packet.protocol ?? 0;
  // The key's canonical order without building the FlowKey object: this runs once per packet.
  return compareEnds(sourceIp, sourcePort, destinationIp, destinationPort) <= 0
    ? hashFlow(ipVersion, protocol, sourceIp, sourcePort, destinationIp, destinationPort)
    : hashFlow(ipVersion, protocol, destinationIp, destinationPort, sourceIp, sourcePort);
}

/** People-readable form, e.g. `TCP 10.0.0.1:443 <-> [2001:db8::1]:5000` (protocol number when unnamed). */
export function formatFlowKey(key: FlowKey): string {
  const name = PROTOCOL_NAMES[key.protocol] ?? String(key.protocol);
  const endpoint = (address: Uint8Array, port: number): string =>
    key.ipVersion === 6 ? `[${formatIp(address)}]:${port}` : `${formatIp(address)}:${port}`;
  return `${name} ${endpoint(key.addressA, key.portA)} <-> ${endpoint(key.addressB, key.portB)}`;
}

const PROTOCOL_NAMES: Readonly<Record<number, string>> = {
  1: 'ICMP',
  6: 'TCP',
  17: 'UDP',
  58: 'ICMPv6',
  132: 'SCTP',
};
