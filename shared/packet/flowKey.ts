/**
 * Flow keys: the 5-tuple put in a canonical order so both directions of a connection give the same
 * key, and `FlowId` (CONTRACTS §3), a short stable hash of it.
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

/** Compares (address, port) pairs: negative when the first sorts first. */
function compareEndpoints(a: Uint8Array, portA: number, b: Uint8Array, portB: number): number {
  for (let i = 0; i < a.length; i++) {
    const diff = a[i]! - b[i]!;
    if (diff !== 0) return diff;
  }
  return portA - portB;
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
  if (compareEndpoints(sourceIp, sourcePort, destinationIp, destinationPort) <= 0) {
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

/** FNV-1a 64 state as two 32-bit halves; module-level so hashing allocates nothing. */
let hashHigh = 0;
let hashLow = 0;

function mix(byte: number): void {
  const low = (hashLow ^ byte) >>> 0;
  // (high·2^32 + low) · (2^40 + 0x1b3) mod 2^64, kept exact with 32-bit pieces.
  const lowTimesPrime = low * 0x1b3;
  hashHigh = (Math.imul(hashHigh, 0x1b3) + Math.floor(lowTimesPrime / 4294967296) + ((low << 8) >>> 0)) >>> 0;
  hashLow = lowTimesPrime >>> 0;
}

function mixAll(bytes: Uint8Array): void {
  for (let i = 0; i < bytes.length; i++) mix(bytes[i]!);
}

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex32(value: number): string {
  return HEX[value >>> 24]! + HEX[(value >>> 16) & 0xff]! + HEX[(value >>> 8) & 0xff]! + HEX[value & 0xff]!;
}

/**
 * `FlowId`: 16 lower-case hex digits of FNV-1a 64 over the canonical key bytes
 * `ipVersion, protocol, addressA, portA (2 bytes BE), addressB, portB (2 bytes BE)`. Stable across
 * processes, versions and languages; the same for both directions.
 *
 * @example flowId(flowKey(packet)!) // '9f3c0d5e2b7a1c44'
 */
export function flowId(key: FlowKey): string {
  hashHigh = 0xcbf29ce4;
  hashLow = 0x84222325;
  mix(key.ipVersion);
  mix(key.protocol);
  mixAll(key.addressA);
  mix(key.portA >> 8);
  mix(key.portA & 0xff);
  mixAll(key.addressB);
  mix(key.portB >> 8);
  mix(key.portB & 0xff);
  return hex32(hashHigh) + hex32(hashLow);
}

/** The FlowId of a packet, or undefined without an IP layer. */
export function packetFlowId(packet: DecodedPacket): string | undefined {
  const key = flowKey(packet);
  return key === undefined ? undefined : flowId(key);
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
