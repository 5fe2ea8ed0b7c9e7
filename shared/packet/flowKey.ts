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
    return { ipVersion, protocol, addressA: sourceIp, portA: sourcePort, addressB: destinationIp, portB: destinationPort };
  }
  return { ipVersion, protocol, addressA: destinationIp, portA: destinationPort, addressB: sourceIp, portB: sourcePort };
}

const FNV_OFFSET_HIGH = 0xcbf29ce4;
const FNV_OFFSET_LOW = 0x84222325;

/**
 * `FlowId`: 16 lower-case hex digits of FNV-1a 64 over the canonical key bytes
 * `ipVersion, protocol, addressA, portA (2 bytes BE), addressB, portB (2 bytes BE)`. Stable across
 * processes, versions and languages; the same for both directions.
 *
 * @example flowId(flowKey(packet)!) // '9f3c0d5e2b7a1c44'
 */
export function flowId(key: FlowKey): string {
  let high = FNV_OFFSET_HIGH;
  let low = FNV_OFFSET_LOW;
  const mix = (byte: number): void => {
    low = (low ^ byte) >>> 0;
    // Multiply the 64-bit (high, low) by the FNV prime 2^40 + 0x1b3, in 16-bit-safe pieces.
    const lowTimesPrime = low * 0x1b3;
    const carry = Math.floor(lowTimesPrime / 4294967296);
    const newLow = lowTimesPrime >>> 0;
    high = (Math.imul(high, 0x1b3) + carry + ((low << 8) >>> 0)) >>> 0;
    low = newLow;
  };
  mix(key.ipVersion);
  mix(key.protocol);
  for (const byte of key.addressA) mix(byte);
  mix(key.portA >> 8);
  mix(key.portA & 0xff);
  for (const byte of key.addressB) mix(byte);
  mix(key.portB >> 8);
  mix(key.portB & 0xff);
  return high.toString(16).padStart(8, '0') + low.toString(16).padStart(8, '0');
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

const PROTOCOL_NAMES: Readonly<Record<number, string>> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP', 58: 'ICMPv6', 132: 'SCTP' };
