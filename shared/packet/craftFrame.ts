/**
 * Builds valid frames (correct lengths and checksums) for test fixtures, benchmarks and the local
 * demo's synthetic capture: link header, IPv4/IPv6 (with extension headers), TCP/UDP/ICMP/ICMPv6/SCTP.
 */
import { parseIp } from '../net/ipAddress';
import { crc32c, finishChecksum, sumWords } from './checksum';
import { LinkType } from './linkType';

/** The transport layer to craft. */
export type CraftTransport =
  | {
      protocol: 'tcp';
      sourcePort: number;
      destinationPort: number;
      seq?: number;
      ack?: number;
      flags?: number;
      window?: number;
      options?: Uint8Array;
    }
  | { protocol: 'udp'; sourcePort: number; destinationPort: number }
  | { protocol: 'icmp' | 'icmpv6'; type: number; code: number; rest?: number }
  | { protocol: 'sctp'; sourcePort: number; destinationPort: number; verificationTag?: number }
  | { protocol: number };

/** An IPv6 extension header: its type (0, 43, 60, 51, ...) and body after the two leading bytes. */
export interface CraftExtension {
  type: number;
  /** Default: zero padding to the minimum size. */
  body?: Uint8Array;
}

/** Everything about a frame to craft. */
export interface CraftSpec {
  /** Default `LinkType.ETHERNET`. */
  linkType?: number;
  /** Ethernet VLAN ids, outermost first; the outer tags use 0x88a8 when there are several. */
  vlanIds?: number[];
  /** Source address text; its family picks IPv4 or IPv6. */
  source: string;
  destination: string;
  /** TTL / hop limit; default 64. */
  ttl?: number;
  /** IPv4 identification; default 1. */
  ipId?: number;
  /** IPv6 extension headers, in order, before the transport header. */
  extensions?: CraftExtension[];
  transport: CraftTransport;
  payload?: Uint8Array | string;
}

const utf8 = new TextEncoder();

function address(text: string): Uint8Array {
  const bytes = parseIp(text);
  if (bytes === undefined) throw new RangeError(`craftFrame: not an IP address: ${text}`);
  return bytes;
}

function protocolNumber(transport: CraftTransport): number {
  if (typeof transport.protocol === 'number') return transport.protocol;
  return { tcp: 6, udp: 17, icmp: 1, icmpv6: 58, sctp: 132 }[transport.protocol];
}

function pseudoHeaderSum(
  source: Uint8Array,
  destination: Uint8Array,
  protocol: number,
  length: number,
): number {
  return sumWords(destination, sumWords(source)) + protocol + (length >>> 16) + (length & 0xffff);
}

/** The transport header plus payload, checksums filled in. */
export function craftTransport(spec: CraftSpec): Uint8Array {
  const payload =
    typeof spec.payload === 'string' ? utf8.encode(spec.payload) : (spec.payload ?? new Uint8Array(0));
  const t = spec.transport;
  const source = address(spec.source);
  const destination = address(spec.destination);
  if (typeof t.protocol === 'number') return payload;
  const view = (length: number): { bytes: Buffer } => ({ bytes: Buffer.alloc(length) });
  switch (t.protocol) {
    case 'tcp': {
      const options = t.options ?? new Uint8Array(0);
      const optionLength = (options.length + 3) & ~3;
      const { bytes } = view(20 + optionLength + payload.length);
      bytes.writeUInt16BE(t.sourcePort, 0);
      bytes.writeUInt16BE(t.destinationPort, 2);
      bytes.writeUInt32BE((t.seq ?? 0) >>> 0, 4);
      bytes.writeUInt32BE((t.ack ?? 0) >>> 0, 8);
      const flags = t.flags ?? 0x18;
      bytes[12] = (((20 + optionLength) / 4) << 4) | ((flags >> 8) & 0x0f);
      bytes[13] = flags & 0xff;
      bytes.writeUInt16BE(t.window ?? 65535, 14);
      bytes.set(options, 20);
      bytes.set(payload, 20 + optionLength);
      bytes.writeUInt16BE(
        finishChecksum(sumWords(bytes, pseudoHeaderSum(source, destination, 6, bytes.length))),
        16,
      );
      return bytes;
    }
    case 'udp': {
      const { bytes } = view(8 + payload.length);
      bytes.writeUInt16BE(t.sourcePort, 0);
      bytes.writeUInt16BE(t.destinationPort, 2);
      bytes.writeUInt16BE(bytes.length, 4);
      bytes.set(payload, 8);
      const sum = finishChecksum(sumWords(bytes, pseudoHeaderSum(source, destination, 17, bytes.length)));
      bytes.writeUInt16BE(sum === 0 ? 0xffff : sum, 6);
      return bytes;
    }
    case 'icmp':
    case 'icmpv6': {
      const { bytes } = view(8 + payload.length);
      bytes[0] = t.type;
      bytes[1] = t.code;
      bytes.writeUInt32BE((t.rest ?? 0) >>> 0, 4);
      bytes.set(payload, 8);
      const base = t.protocol === 'icmpv6' ? pseudoHeaderSum(source, destination, 58, bytes.length) : 0;
      bytes.writeUInt16BE(finishChecksum(sumWords(bytes, base)), 2);
      return bytes;
    }
    case 'sctp': {
      const { bytes } = view(12 + payload.length);
      bytes.writeUInt16BE(t.sourcePort, 0);
      bytes.writeUInt16BE(t.destinationPort, 2);
      bytes.writeUInt32BE((t.verificationTag ?? 1) >>> 0, 4);
      bytes.set(payload, 12);
      bytes.writeUInt32LE(crc32c(bytes), 8);
      return bytes;
    }
  }
}

/** IPv6 extension headers chained to `last`, each padded to its unit (8 bytes, 4 for AH). */
function craftExtensions(extensions: readonly CraftExtension[], last: number): Uint8Array {
  const parts: Uint8Array[] = [];
  extensions.forEach((extension, index) => {
    const next = extensions[index + 1]?.type ?? last;
    const unit = extension.type === 51 ? 4 : 8;
    const body = extension.body ?? new Uint8Array(extension.type === 51 ? 14 : 6);
    const length = Math.max(extension.type === 51 ? 12 : 8, Math.ceil((body.length + 2) / unit) * unit);
    const bytes = Buffer.alloc(length);
    bytes[0] = next;
    bytes[1] = extension.type === 51 ? bytes.length / 4 - 2 : bytes.length / 8 - 1;
    bytes.set(body, 2);
    parts.push(bytes);
  });
  return Buffer.concat(parts);
}

/** Fragment placement for {@link craftIpPacket}. */
export interface CraftFragment {
  /** Byte offset (multiple of 8) of `body` in the datagram. */
  offset: number;
  more: boolean;
  /** IPv6 fragment identification; default 1. */
  id?: number;
}

/** An IP header (plus extension or fragment header) around `body`; version from `spec.source`. */
export function craftIpPacket(
  spec: CraftSpec,
  body: Uint8Array,
  firstHeader: number,
  fragment?: CraftFragment,
): Uint8Array {
  const source = address(spec.source);
  const destination = address(spec.destination);
  if (source.length === 4) {
    const bytes = Buffer.alloc(20 + body.length);
    bytes[0] = 0x45;
    bytes.writeUInt16BE(bytes.length, 2);
    bytes.writeUInt16BE(spec.ipId ?? 1, 4);
    bytes.writeUInt16BE(
      fragment === undefined ? 0x4000 : (fragment.more ? 0x2000 : 0) | (fragment.offset / 8),
      6,
    );
    bytes[8] = spec.ttl ?? 64;
    bytes[9] = firstHeader;
    bytes.set(source, 12);
    bytes.set(destination, 16);
    bytes.writeUInt16BE(finishChecksum(sumWords(bytes.subarray(0, 20))), 10);
    bytes.set(body, 20);
    return bytes;
  }
  let next = firstHeader;
  let rest = body;
  if (fragment !== undefined) {
    const header = Buffer.alloc(8);
    header[0] = firstHeader;
    header.writeUInt16BE(fragment.offset | (fragment.more ? 1 : 0), 2);
    header.writeUInt32BE((fragment.id ?? 1) >>> 0, 4);
    rest = Buffer.concat([header, body]);
    next = 44;
  }
  const bytes = Buffer.alloc(40 + rest.length);
  bytes[0] = 0x60;
  bytes.writeUInt16BE(rest.length, 4);
  bytes[6] = next;
  bytes[7] = spec.ttl ?? 64;
  bytes.set(source, 8);
  bytes.set(destination, 24);
  bytes.set(rest, 40);
  return bytes;
}

/** Puts a link header of `linkType` in front of an IP packet. */
export function wrapLink(linkType: number, ip: Uint8Array, vlanIds: readonly number[] = []): Uint8Array {
  const v6 = ip[0]! >> 4 === 6;
  const etherType = v6 ? 0x86dd : 0x0800;
  switch (linkType) {
    case LinkType.ETHERNET: {
      const head = Buffer.alloc(14 + vlanIds.length * 4);
      head.set([0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01], 0);
      vlanIds.forEach((id, index) => {
        head.writeUInt16BE(index < vlanIds.length - 1 ? 0x88a8 : 0x8100, 12 + index * 4);
        head.writeUInt16BE(id & 0x0fff, 14 + index * 4);
      });
      head.writeUInt16BE(etherType, 12 + vlanIds.length * 4);
      return Buffer.concat([head, ip]);
    }
    case LinkType.LINUX_SLL: {
      const head = Buffer.alloc(16);
      head.writeUInt16BE(1, 2);
      head.writeUInt16BE(6, 4);
      head.writeUInt16BE(etherType, 14);
      return Buffer.concat([head, ip]);
    }
    case LinkType.LINUX_SLL2: {
      const head = Buffer.alloc(20);
      head.writeUInt16BE(etherType, 0);
      head.writeUInt32BE(2, 4);
      head.writeUInt16BE(1, 8);
      head[11] = 6;
      return Buffer.concat([head, ip]);
    }
    case LinkType.NULL: {
      const head = Buffer.alloc(4);
      head.writeUInt32LE(v6 ? 30 : 2);
      return Buffer.concat([head, ip]);
    }
    case LinkType.LOOP: {
      const head = Buffer.alloc(4);
      head.writeUInt32BE(v6 ? 24 : 2);
      return Buffer.concat([head, ip]);
    }
    default:
      return ip;
  }
}

/** A complete frame for `spec`. */
export function craftFrame(spec: CraftSpec): Uint8Array {
  const protocol = protocolNumber(spec.transport);
  const transport = craftTransport(spec);
  const extensions = spec.extensions ?? [];
  const body =
    extensions.length === 0 ? transport : Buffer.concat([craftExtensions(extensions, protocol), transport]);
  const first = extensions[0]?.type ?? protocol;
  return wrapLink(spec.linkType ?? LinkType.ETHERNET, craftIpPacket(spec, body, first), spec.vlanIds);
}

/**
 * The frames of `spec`'s datagram split into fragments carrying at most `fragmentSize` bytes
 * (rounded down to a multiple of 8) of the IP payload each, in offset order.
 */
export function craftFragments(spec: CraftSpec, fragmentSize: number, id = 1): Uint8Array[] {
  const protocol = protocolNumber(spec.transport);
  const transport = craftTransport(spec);
  const extensions = spec.extensions ?? [];
  const body =
    extensions.length === 0 ? transport : Buffer.concat([craftExtensions(extensions, protocol), transport]);
  const first = extensions[0]?.type ?? protocol;
  const size = Math.max(8, fragmentSize - (fragmentSize % 8));
  const frames: Uint8Array[] = [];
  for (let offset = 0; offset < body.length; offset += size) {
    const chunk = body.subarray(offset, Math.min(body.length, offset + size));
    const more = offset + size < body.length;
    const ip = craftIpPacket({ ...spec, ipId: spec.ipId ?? id }, chunk, first, { offset, more, id });
    frames.push(wrapLink(spec.linkType ?? LinkType.ETHERNET, ip, spec.vlanIds));
  }
  return frames;
}
