/**
 * The normalised 5-tuple of a packet: protocol plus both (address, port) ends ordered so both
 * directions of one connection give the same result.
 */
import type { DecodedPacket } from '../packet/decodedPacket';

/** Compares two (address, port) ends: negative when `a` sorts first. */
export function compareEnds(aIp: Uint8Array, aPort: number, bIp: Uint8Array, bPort: number): number {
  if (aIp.length !== bIp.length) return aIp.length - bIp.length;
  for (let i = 0; i < aIp.length; i++) {
    const d = (aIp[i] ?? 0) - (bIp[i] ?? 0);
    if (d !== 0) return d;
  }
  return aPort - bPort;
}

/** True when the packet's source end sorts first (so the tuple is already in normal order). */
export function sourceEndFirst(packet: DecodedPacket): boolean {
  const sip = packet.sourceIp;
  const dip = packet.destinationIp;
  if (!sip || !dip) return true;
  return compareEnds(sip, packet.sourcePort ?? 0, dip, packet.destinationPort ?? 0) <= 0;
}

const scratch: number[] = [];

/**
 * A compact map key of the normalised 5-tuple (not printable: one code unit per address byte),
 * or undefined for a packet without IP addresses. Missing ports count as 0.
 */
export function flowMapKey(packet: DecodedPacket): string | undefined {
  const sip = packet.sourceIp;
  const dip = packet.destinationIp;
  if (!sip || !dip) return undefined;
  const sport = packet.sourcePort ?? 0;
  const dport = packet.destinationPort ?? 0;
  const protocol = packet.protocol ?? 0xffff;
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
