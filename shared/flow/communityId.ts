/**
 * Community ID v1 (https://github.com/corelight/community-id-spec): the flow hash Zeek, Suricata,
 * Arkime, Elastic and Wireshark share, so our records join theirs.
 *
 * `1:` + base64(SHA-1(seed(2) . addrA . addrB . proto(1) . 0(1) [. portA(2) . portB(2)])) with the
 * smaller (address, port) end first. ICMP and ICMPv6 hash (type, counterpart type) as ports for
 * request/reply pairs, else (type, code) without reordering ("one-way"); protocols without ports
 * (anything but TCP, UDP, SCTP, ICMP, ICMPv6) hash no ports at all.
 *
 * The hash input is at most 40 bytes, so SHA-1 runs over exactly one 64-byte block here, written
 * out over an Int32Array: no Buffer, no hash object, only the result string per packet.
 */
import type { DecodedPacket } from '../packet/decodedPacket';

/** ICMPv4 request/reply types, each mapped to its counterpart (Zeek's and pycommunityid's table). */
const ICMP_COUNTERPART: ReadonlyMap<number, number> = new Map([
  [8, 0],
  [0, 8],
  [13, 14],
  [14, 13],
  [15, 16],
  [16, 15],
  [10, 9],
  [9, 10],
  [17, 18],
  [18, 17],
]);

/** ICMPv6 request/reply types, each mapped to its counterpart. */
const ICMPV6_COUNTERPART: ReadonlyMap<number, number> = new Map([
  [128, 129],
  [129, 128],
  [130, 131],
  [131, 130],
  [133, 134],
  [134, 133],
  [135, 136],
  [136, 135],
  [139, 140],
  [140, 139],
  [144, 145],
  [145, 144],
]);

/** The hash's message, one byte per element (at most 40 bytes, padded to one block). */
const message = new Uint8Array(64);
const words = new Int32Array(80);
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_CODES: readonly number[] = Array.from(BASE64, (c) => c.charCodeAt(0));
const digest = new Uint8Array(20);
const out: number[] = new Array<number>(30).fill(0);

function putEnd(address: Uint8Array, at: number): number {
  for (let i = 0; i < address.length; i++) message[at + i] = address[i]!;
  return at + address.length;
}

/** Negative when (a, aPort) sorts before (b, bPort): address bytes first, then the port. */
function compare(a: Uint8Array, aPort: number, b: Uint8Array, bPort: number): number {
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return aPort - bPort;
}

/**
 * The Community ID v1 of a flow given by one packet's tuple. `sourcePort`/`destinationPort` are
 * ignored (pass -1) for protocols without ports; for ICMP pass the type and code, which are mapped
 * here. Both address arrays must have the same length (4 or 16).
 *
 * @example communityIdOf(1, parseIp('1.2.3.4')!, parseIp('5.6.7.8')!, 8, 0) // '1:...'
 */
export function communityIdOf(
  protocol: number,
  sourceIp: Uint8Array,
  destinationIp: Uint8Array,
  sourcePort: number,
  destinationPort: number,
  seed = 0,
): string {
  let sport = sourcePort;
  let dport = destinationPort;
  let hasPorts = sport >= 0 && dport >= 0;
  let oneWay = false;
  if (protocol === 1 || protocol === 58) {
    const counterpart = (protocol === 1 ? ICMP_COUNTERPART : ICMPV6_COUNTERPART).get(sport);
    if (counterpart === undefined) oneWay = true;
    else dport = counterpart;
  } else if (protocol !== 6 && protocol !== 17 && protocol !== 132) {
    hasPorts = false;
  }
  let a = sourceIp;
  let b = destinationIp;
  if (!oneWay && compare(sourceIp, hasPorts ? sport : 0, destinationIp, hasPorts ? dport : 0) > 0) {
    a = destinationIp;
    b = sourceIp;
    const t = sport;
    sport = dport;
    dport = t;
  }
  message[0] = (seed >> 8) & 0xff;
  message[1] = seed & 0xff;
  let length = putEnd(a, 2);
  length = putEnd(b, length);
  message[length++] = protocol & 0xff;
  message[length++] = 0;
  if (hasPorts) {
    message[length++] = (sport >> 8) & 0xff;
    message[length++] = sport & 0xff;
    message[length++] = (dport >> 8) & 0xff;
    message[length++] = dport & 0xff;
  }
  sha1OneBlock(length);
  return base64Digest();
}

/**
 * `CommunityId` of a packet, or undefined without an IP layer. A fragment not yet reassembled has
 * no ports (Wireshark gives none for such frames; we give the port-less hash only when the
 * protocol has no ports anyway, and undefined otherwise).
 */
export function packetCommunityId(packet: DecodedPacket): string | undefined {
  const { sourceIp, destinationIp, protocol } = packet;
  if (sourceIp === undefined || destinationIp === undefined || protocol === undefined) return undefined;
  if (sourceIp.length !== destinationIp.length) return undefined;
  if (protocol === 1 || protocol === 58) {
    if (packet.icmpType === undefined) return undefined;
    return communityIdOf(protocol, sourceIp, destinationIp, packet.icmpType, packet.icmpCode ?? 0);
  }
  if (protocol === 6 || protocol === 17 || protocol === 132) {
    if (packet.sourcePort === undefined || packet.destinationPort === undefined) return undefined;
    return communityIdOf(protocol, sourceIp, destinationIp, packet.sourcePort, packet.destinationPort);
  }
  if (packet.fragment === true) return undefined;
  return communityIdOf(protocol, sourceIp, destinationIp, -1, -1);
}

/** SHA-1 (FIPS 180-4) of `message[0, length)`, length ≤ 55, into {@link digest}. */
function sha1OneBlock(length: number): void {
  message[length] = 0x80;
  for (let i = length + 1; i < 62; i++) message[i] = 0;
  const bits = length * 8;
  message[62] = (bits >>> 8) & 0xff;
  message[63] = bits & 0xff;
  for (let i = 0; i < 16; i++) {
    words[i] =
      (message[i * 4]! << 24) |
      (message[i * 4 + 1]! << 16) |
      (message[i * 4 + 2]! << 8) |
      message[i * 4 + 3]!;
  }
  for (let i = 16; i < 80; i++) {
    const x = words[i - 3]! ^ words[i - 8]! ^ words[i - 14]! ^ words[i - 16]!;
    words[i] = (x << 1) | (x >>> 31);
  }
  const h0 = 0x67452301 | 0;
  const h1 = 0xefcdab89 | 0;
  const h2 = 0x98badcfe | 0;
  const h3 = 0x10325476 | 0;
  const h4 = 0xc3d2e1f0 | 0;
  let a = h0;
  let b = h1;
  let c = h2;
  let d = h3;
  let e = h4;
  for (let i = 0; i < 80; i++) {
    let f: number;
    let k: number;
    if (i < 20) {
      f = (b & c) | (~b & d);
      k = 0x5a827999;
    } else if (i < 40) {
      f = b ^ c ^ d;
      k = 0x6ed9eba1;
    } else if (i < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8f1bbcdc | 0;
    } else {
      f = b ^ c ^ d;
      k = 0xca62c1d6 | 0;
    }
    const t = (((a << 5) | (a >>> 27)) + f + e + k + words[i]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = t;
  }
  putWord((h0 + a) | 0, 0);
  putWord((h1 + b) | 0, 4);
  putWord((h2 + c) | 0, 8);
  putWord((h3 + d) | 0, 12);
  putWord((h4 + e) | 0, 16);
}

function putWord(value: number, at: number): void {
  digest[at] = (value >>> 24) & 0xff;
  digest[at + 1] = (value >>> 16) & 0xff;
  digest[at + 2] = (value >>> 8) & 0xff;
  digest[at + 3] = value & 0xff;
}

/** `1:` + base64 of the 20-byte digest (28 characters, one `=` of padding). */
function base64Digest(): string {
  out[0] = 0x31; // '1'
  out[1] = 0x3a; // ':'
  let n = 2;
  for (let i = 0; i < 18; i += 3) {
    const v = (digest[i]! << 16) | (digest[i + 1]! << 8) | digest[i + 2]!;
    out[n++] = BASE64_CODES[(v >>> 18) & 63]!;
    out[n++] = BASE64_CODES[(v >>> 12) & 63]!;
    out[n++] = BASE64_CODES[(v >>> 6) & 63]!;
    out[n++] = BASE64_CODES[v & 63]!;
  }
  const v = (digest[18]! << 16) | (digest[19]! << 8);
  out[n++] = BASE64_CODES[(v >>> 18) & 63]!;
  out[n++] = BASE64_CODES[(v >>> 12) & 63]!;
  out[n++] = BASE64_CODES[(v >>> 6) & 63]!;
  out[n++] = 0x3d; // '='
  return String.fromCharCode.apply(null, out);
}
