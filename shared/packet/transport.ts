/**
 * Layer 4: TCP (RFC 9293; options skipped), UDP, ICMP, ICMPv6 and SCTP common header. Fields are
 * read as far as the captured bytes go, so a snaplen-truncated TCP header still yields its ports
 * and flags, as Wireshark shows them.
 */
import { IpProtocol as IpProtocols, type DecodedPacket } from './decodedPacket';
import { decodeIcmpQuote, isIcmpError, isIcmpv6Error } from './icmpQuote';

// Imports bound once to module constants: CommonJS output of esbuild/tsx turns each use of an
// import into a getter call, which costs measurably on a per-packet path.
const IpProtocol = IpProtocols;

/** Records a transport malformation; the IP payload view no longer stands for an L4 payload. */
function bad(out: DecodedPacket, reason: string): void {
  out.malformed ??= { layer: 'transport', reason };
  out.payload = undefined;
  out.payloadLength = undefined;
}

/** True when {@link decodeTransport} decodes `protocol`; it leaves other protocols' payload as is. */
export function hasTransportDecoder(protocol: number): boolean {
  return (
    protocol === IpProtocol.TCP ||
    protocol === IpProtocol.UDP ||
    protocol === IpProtocol.ICMP ||
    protocol === IpProtocol.ICMPv6 ||
    protocol === IpProtocol.SCTP
  );
}

/**
 * Decodes the layer-4 header of `protocol` found at `start` of `data`. `end` is the last captured
 * byte of the IP payload, `declaredEnd` where the IP header says it ends (beyond `end` when the
 * capture was truncated). Sets ports, flags, payload view and payload length.
 */
export function decodeTransport(
  out: DecodedPacket,
  data: Uint8Array,
  start: number,
  end: number,
  declaredEnd: number,
  protocol: number,
): void {
  const captured = end - start;
  const declared = declaredEnd - start;
  switch (protocol) {
    case IpProtocol.TCP: {
      if (captured < 4) return bad(out, `TCP header needs 20 bytes, ${captured} captured`);
      out.sourcePort = (data[start]! << 8) | data[start + 1]!;
      out.destinationPort = (data[start + 2]! << 8) | data[start + 3]!;
      if (captured >= 8) {
        out.tcpSeq =
          ((data[start + 4]! << 24) |
            (data[start + 5]! << 16) |
            (data[start + 6]! << 8) |
            data[start + 7]!) >>>
          0;
      }
      if (captured >= 12) {
        out.tcpAck =
          ((data[start + 8]! << 24) |
            (data[start + 9]! << 16) |
            (data[start + 10]! << 8) |
            data[start + 11]!) >>>
          0;
      }
      if (captured >= 14) out.tcpFlags = ((data[start + 12]! & 0x0f) << 8) | data[start + 13]!;
      if (captured >= 16) out.tcpWindow = (data[start + 14]! << 8) | data[start + 15]!;
      if (captured < 20) return bad(out, `TCP header needs 20 bytes, ${captured} captured`);
      const headerLength = (data[start + 12]! >> 4) * 4;
      if (headerLength < 20) return bad(out, `TCP data offset ${headerLength / 4} is below the minimum of 5`);
      if (headerLength > declared) {
        return bad(out, `TCP header length ${headerLength} exceeds the ${declared}-byte segment`);
      }
      if (headerLength > captured) {
        // Cut by the snapshot length: the header says how long the payload was on the wire.
        out.malformed ??= {
          layer: 'transport',
          reason: `TCP header length ${headerLength} exceeds the ${captured} captured bytes`,
        };
        out.payload = data.subarray(end, end);
        out.payloadLength = declared - headerLength;
        return;
      }
      if (headerLength > 20) readTcpOptions(out, data, start + 20, start + headerLength);
      out.payload = data.subarray(start + headerLength, end);
      out.payloadLength = declared - headerLength;
      return;
    }
    case IpProtocol.UDP: {
      if (captured < 8) {
        if (captured >= 4) {
          out.sourcePort = (data[start]! << 8) | data[start + 1]!;
          out.destinationPort = (data[start + 2]! << 8) | data[start + 3]!;
        }
        return bad(out, `UDP header needs 8 bytes, ${captured} captured`);
      }
      out.sourcePort = (data[start]! << 8) | data[start + 1]!;
      out.destinationPort = (data[start + 2]! << 8) | data[start + 3]!;
      const length = (data[start + 4]! << 8) | data[start + 5]!;
      // Length 0 is legal only for IPv6 jumbograms (RFC 2675); the IP payload length decides then.
      const udpLength = length === 0 && out.ipVersion === 6 ? declared : length;
      if (udpLength < 8) return bad(out, `UDP length ${udpLength} is below the header size of 8`);
      if (udpLength > declared) bad(out, `UDP length ${udpLength} exceeds the ${declared}-byte IP payload`);
      out.payload = data.subarray(start + 8, Math.min(end, start + udpLength));
      out.payloadLength = Math.min(udpLength, declared) - 8;
      return;
    }
    case IpProtocol.ICMP:
    case IpProtocol.ICMPv6: {
      const name = protocol === IpProtocol.ICMP ? 'ICMP' : 'ICMPv6';
      if (captured < 2) return bad(out, `${name} header needs 4 bytes, ${captured} captured`);
      out.icmpType = data[start]!;
      out.icmpCode = data[start + 1]!;
      if (captured < 4) return bad(out, `${name} header needs 4 bytes, ${captured} captured`);
      const headerLength = Math.min(8, captured);
      out.payload = data.subarray(start + headerLength, end);
      out.payloadLength = Math.max(0, declared - 8);
      const type = data[start]!;
      if (
        captured > 8 &&
        (protocol === IpProtocol.ICMP ? isIcmpError(type) : isIcmpv6Error(type)) &&
        out.ipVersion !== undefined
      ) {
        decodeIcmpQuote(out, data, start + 8, end, out.ipVersion);
      }
      return;
    }
    case IpProtocol.SCTP: {
      if (captured < 4) return bad(out, `SCTP common header needs 12 bytes, ${captured} captured`);
      out.sourcePort = (data[start]! << 8) | data[start + 1]!;
      out.destinationPort = (data[start + 2]! << 8) | data[start + 3]!;
      if (captured < 12) return bad(out, `SCTP common header needs 12 bytes, ${captured} captured`);
      out.payload = data.subarray(start + 12, end);
      out.payloadLength = declared - 12;
      return;
    }
    default:
      return;
  }
}

/**
 * Finds the timestamp option (kind 8, length 10) and the window scale option (kind 3, length 3)
 * among the TCP options in `[at, end)`; other options are skipped by their length. A malformed
 * option list just ends the search: options are advisory.
 */
function readTcpOptions(out: DecodedPacket, data: Uint8Array, start: number, end: number): void {
  let at = start;
  let found = 0;
  while (at < end) {
    const kind = data[at]!;
    if (kind === 0) return;
    if (kind === 1) {
      at++;
      continue;
    }
    if (at + 1 >= end) return;
    const length = data[at + 1]!;
    if (length < 2 || at + length > end) return;
    if (kind === 8 && length === 10) {
      out.tcpTsVal =
        ((data[at + 2]! << 24) | (data[at + 3]! << 16) | (data[at + 4]! << 8) | data[at + 5]!) >>> 0;
      out.tcpTsEcr =
        ((data[at + 6]! << 24) | (data[at + 7]! << 16) | (data[at + 8]! << 8) | data[at + 9]!) >>> 0;
      if (++found === 2) return;
    } else if (kind === 3 && length === 3) {
      out.tcpWindowScale = data[at + 2]!;
      if (++found === 2) return;
    }
    at += length;
  }
}
