/**
 * The packet quoted by an ICMP or ICMPv6 error message (RFC 792, RFC 4443): its IP header and the
 * start of its transport header, so an unreachable, a time exceeded or a packet too big names the
 * flow it hit. The quote is decoded into the `icmpInner*` fields only, never into the outer
 * packet's ports or flags. Never throws: whatever the quote does not hold is left out.
 */
import type { DecodedPacket } from './decodedPacket';

/** True for ICMPv4 error types that quote the offending datagram (3, 4, 5, 11, 12). */
export function isIcmpError(type: number): boolean {
  return type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
}

/** True for ICMPv6 error types (1 unreachable, 2 packet too big, 3 time exceeded, 4 parameter problem). */
export function isIcmpv6Error(type: number): boolean {
  return type >= 1 && type <= 4;
}

/** IPv6 extension headers skipped on the way to the quoted transport header. */
function isIpv6Extension(next: number): boolean {
  return next === 0 || next === 43 || next === 60 || next === 44 || next === 51;
}

/**
 * Decodes the quoted packet found in `data[start, end)` (the bytes after the 8-byte ICMP header)
 * into `out.icmpInner*`. `ipVersion` is the version the quote must have (the outer one).
 */
export function decodeIcmpQuote(
  out: DecodedPacket,
  data: Uint8Array,
  start: number,
  end: number,
  ipVersion: 4 | 6,
): void {
  let protocol: number;
  let at: number;
  let portsAllowed = true;
  if (ipVersion === 4) {
    if (end - start < 20 || data[start]! >> 4 !== 4) return;
    const headerLength = (data[start]! & 0x0f) * 4;
    if (headerLength < 20) return;
    protocol = data[start + 9]!;
    out.icmpInnerProtocol = protocol;
    out.icmpInnerSourceIp = data.subarray(start + 12, start + 16);
    out.icmpInnerDestinationIp = data.subarray(start + 16, start + 20);
    // A non-first fragment quotes no transport header.
    if ((((data[start + 6]! & 0x1f) << 8) | data[start + 7]!) !== 0) portsAllowed = false;
    at = start + headerLength;
  } else {
    if (end - start < 40 || data[start]! >> 4 !== 6) return;
    out.icmpInnerSourceIp = data.subarray(start + 8, start + 24);
    out.icmpInnerDestinationIp = data.subarray(start + 24, start + 40);
    protocol = data[start + 6]!;
    at = start + 40;
    for (let hops = 0; isIpv6Extension(protocol) && hops < 8; hops++) {
      if (at + 8 > end) {
        out.icmpInnerProtocol = protocol;
        return;
      }
      const next = data[at]!;
      if (protocol === 44) {
        if ((((data[at + 2]! << 8) | data[at + 3]!) & 0xfff8) !== 0) portsAllowed = false;
        at += 8;
      } else if (protocol === 51) at += (data[at + 1]! + 2) * 4;
      else at += (data[at + 1]! + 1) * 8;
      protocol = next;
    }
    out.icmpInnerProtocol = protocol;
  }
  if (!portsAllowed || at + 4 > end) return;
  if (protocol === 6 || protocol === 17 || protocol === 132) {
    out.icmpInnerSourcePort = (data[at]! << 8) | data[at + 1]!;
    out.icmpInnerDestinationPort = (data[at + 2]! << 8) | data[at + 3]!;
  }
}
