/** IPv4 header decoding (RFC 791): options skipped, checksum not verified, fragments flagged. */
import type { DecodedPacket } from './decodedPacket';

/**
 * Decodes the IPv4 header at `offset`. Returns the end of the IP datagram within `data` (total
 * length, capped to the captured bytes) and sets `out.payload` to the IP payload view; -1 when the
 * header is unusable. `wireLength` is how many bytes the frame had from `offset` on the wire.
 */
export function decodeIpv4(out: DecodedPacket, data: Uint8Array, offset: number, wireLength: number): number {
  const start = decodeIpv4Header(out, data, offset, wireLength);
  if (start < 0) return -1;
  const end = Math.min(start + out.payloadLength!, data.length);
  out.payload = data.subarray(start, end);
  return end;
}

/**
 * {@link decodeIpv4} without the payload view: returns where the IP payload starts (-1 when the
 * header is unusable) and sets `out.payloadLength`; the datagram's captured end is
 * `min(start + payloadLength, data.length)`. For the decoder, whose layer 4 makes its own view.
 */
export function decodeIpv4Header(
  out: DecodedPacket,
  data: Uint8Array,
  offset: number,
  wireLength: number,
): number {
  const available = data.length - offset;
  if (available < 20) {
    out.malformed ??= { layer: 'network', reason: `IPv4 header needs 20 bytes, ${available} captured` };
    return -1;
  }
  const first = data[offset]!;
  const version = first >> 4;
  if (version !== 4) {
    out.malformed ??= { layer: 'network', reason: `IPv4 header has version ${version}` };
    return -1;
  }
  const headerLength = (first & 0x0f) * 4;
  if (headerLength < 20) {
    out.malformed ??= {
      layer: 'network',
      reason: `IPv4 header length ${headerLength} is below the minimum of 20`,
    };
    return -1;
  }
  if (headerLength > available) {
    out.malformed ??= {
      layer: 'network',
      reason: `IPv4 header length ${headerLength} exceeds the ${available} captured bytes`,
    };
    return -1;
  }
  let totalLength = (data[offset + 2]! << 8) | data[offset + 3]!;
  // Total length 0 comes from TCP segmentation offload on the capturing host; like Wireshark,
  // take the frame's length instead.
  if (totalLength === 0) totalLength = Math.min(wireLength, 65535);
  if (totalLength < headerLength) {
    out.malformed ??= {
      layer: 'network',
      reason: `IPv4 total length ${totalLength} is below the header length ${headerLength}`,
    };
    return -1;
  }
  out.ipVersion = 4;
  out.ttl = data[offset + 8]!;
  out.protocol = data[offset + 9]!;
  out.sourceIp = data.subarray(offset + 12, offset + 16);
  out.destinationIp = data.subarray(offset + 16, offset + 20);
  if (totalLength > wireLength) {
    out.malformed ??= {
      layer: 'network',
      reason: `IPv4 total length ${totalLength} exceeds the ${wireLength} bytes left in the frame`,
    };
  }
  const flagsOffset = (data[offset + 6]! << 8) | data[offset + 7]!;
  const fragmentOffset = (flagsOffset & 0x1fff) * 8;
  const more = (flagsOffset & 0x2000) !== 0;
  out.payloadLength = totalLength - headerLength;
  if (more || fragmentOffset !== 0) {
    out.fragment = true;
    out.fragmentId = (data[offset + 4]! << 8) | data[offset + 5]!;
    out.fragmentOffset = fragmentOffset;
    out.moreFragments = more;
  }
  return offset + headerLength;
}
