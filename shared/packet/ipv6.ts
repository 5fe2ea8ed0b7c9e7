/**
 * IPv6 header and extension-header chain (RFC 8200): hop-by-hop, routing, fragment, destination
 * options, AH (RFC 4302) and mobility are walked to the upper-layer protocol.
 */
import type { DecodedPacket } from './decodedPacket';

const HOP_BY_HOP = 0;
const ROUTING = 43;
const FRAGMENT = 44;
const AUTHENTICATION = 51;
const DESTINATION_OPTIONS = 60;
const MOBILITY = 135;
const HIP = 139;
const SHIM6 = 140;

/** Extension header names for malformation reasons. */
function extensionName(header: number): string {
  switch (header) {
    case HOP_BY_HOP:
      return 'hop-by-hop options';
    case ROUTING:
      return 'routing';
    case FRAGMENT:
      return 'fragment';
    case AUTHENTICATION:
      return 'authentication';
    case DESTINATION_OPTIONS:
      return 'destination options';
    default:
      return `extension ${header}`;
  }
}

/**
 * Decodes the IPv6 header at `offset` and its extension headers. Sets `out.protocol` to the
 * upper-layer protocol and `out.payload` to the bytes after the last extension header; returns the
 * end of the datagram within `data`, or -1 when the headers are unusable.
 */
export function decodeIpv6(out: DecodedPacket, data: Uint8Array, offset: number, wireLength: number): number {
  const start = decodeIpv6Header(out, data, offset, wireLength);
  if (start < 0) return -1;
  const end = Math.min(start + out.payloadLength!, data.length);
  out.payload = data.subarray(start, end);
  return end;
}

/**
 * {@link decodeIpv6} without the payload view: returns where the upper-layer payload starts (-1
 * when the headers are unusable) and sets `out.payloadLength`; the datagram's captured end is
 * `min(start + payloadLength, data.length)`. For the decoder, whose layer 4 makes its own view.
 */
export function decodeIpv6Header(
  out: DecodedPacket,
  data: Uint8Array,
  offset: number,
  wireLength: number,
): number {
  const available = data.length - offset;
  if (available < 40) {
    out.malformed ??= { layer: 'network', reason: `IPv6 header needs 40 bytes, ${available} captured` };
    return -1;
  }
  const version = data[offset]! >> 4;
  if (version !== 6) {
    out.malformed ??= { layer: 'network', reason: `IPv6 header has version ${version}` };
    return -1;
  }
  let payloadLength = (data[offset + 4]! << 8) | data[offset + 5]!;
  // Payload length 0 with a hop-by-hop header is a jumbogram (RFC 2675): the frame decides.
  if (payloadLength === 0 && data[offset + 6] === HOP_BY_HOP) payloadLength = wireLength - 40;
  out.ipVersion = 6;
  out.ttl = data[offset + 7]!;
  out.sourceIp = data.subarray(offset + 8, offset + 24);
  out.destinationIp = data.subarray(offset + 24, offset + 40);
  if (40 + payloadLength > wireLength) {
    out.malformed ??= {
      layer: 'network',
      reason: `IPv6 payload length ${payloadLength} exceeds the ${wireLength - 40} bytes left in the frame`,
    };
  }
  const end = offset + Math.min(40 + payloadLength, available);
  return walkIpv6Chain(out, data, offset + 40, end, data[offset + 6]!, offset + 40 + payloadLength);
}

/**
 * Walks an IPv6 header chain starting with header type `first` at `start`, up to the upper-layer
 * protocol. `end` is the last captured byte of the datagram, `declaredEnd` where the headers say it
 * ends. Stops after a fragment header (the rest is reassembled first). Also used on reassembled
 * payloads, whose chain may still hold destination options.
 */
export function walkIpv6Headers(
  out: DecodedPacket,
  data: Uint8Array,
  start: number,
  end: number,
  first: number,
  declaredEnd: number,
): number {
  const at = walkIpv6Chain(out, data, start, end, first, declaredEnd);
  if (at < 0) return -1;
  out.payload = data.subarray(at, end);
  return end;
}

/** {@link walkIpv6Headers} without the payload view: returns where the payload starts, or -1. */
function walkIpv6Chain(
  out: DecodedPacket,
  data: Uint8Array,
  start: number,
  end: number,
  first: number,
  declaredEnd: number,
): number {
  let next = first;
  let at = start;
  for (;;) {
    let length: number;
    switch (next) {
      case HOP_BY_HOP:
      case ROUTING:
      case DESTINATION_OPTIONS:
      case MOBILITY:
      case HIP:
      case SHIM6:
        if (at + 2 > end) return truncatedExtension(out, next, at, end);
        length = (data[at + 1]! + 1) * 8;
        break;
      case AUTHENTICATION:
        if (at + 2 > end) return truncatedExtension(out, next, at, end);
        length = (data[at + 1]! + 2) * 4;
        break;
      case FRAGMENT: {
        if (at + 8 > end) return truncatedExtension(out, next, at, end);
        const offsetFlags = (data[at + 2]! << 8) | data[at + 3]!;
        const fragmentOffset = offsetFlags & 0xfff8;
        const more = (offsetFlags & 1) !== 0;
        // An atomic fragment (offset 0, no more fragments) is a whole datagram (RFC 6946).
        if (more || fragmentOffset !== 0) {
          out.fragment = true;
          out.fragmentOffset = fragmentOffset;
          out.moreFragments = more;
          out.fragmentId =
            ((data[at + 4]! << 24) | (data[at + 5]! << 16) | (data[at + 6]! << 8) | data[at + 7]!) >>> 0;
        }
        length = 8;
        break;
      }
      default:
        out.protocol = next;
        out.payloadLength = declaredEnd - at;
        return at;
    }
    if (at + length > end) return truncatedExtension(out, next, at, end);
    next = data[at]!;
    at += length;
    if (out.fragment === true) {
      // The headers after a fragment header belong to the fragmentable part, reassembled later.
      out.protocol = next;
      out.payloadLength = declaredEnd - at;
      return at;
    }
  }
}

function truncatedExtension(out: DecodedPacket, header: number, at: number, end: number): number {
  out.malformed ??= {
    layer: 'network',
    reason: `IPv6 ${extensionName(header)} header at byte ${at} is cut short (${end - at} bytes left)`,
  };
  return -1;
}
