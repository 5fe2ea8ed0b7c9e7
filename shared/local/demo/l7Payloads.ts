/**
 * Builders for realistic layer-7 payloads used by the local demo's synthetic capture: DNS
 * messages and TLS 1.3 ClientHello/ServerHello records. Deterministic (no randomness) so the demo
 * capture and its records are the same on every run.
 */

function u16(value: number): number[] {
  return [(value >> 8) & 0xff, value & 0xff];
}

function u24(value: number): number[] {
  return [(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
}

function encodeName(name: string): number[] {
  const out: number[] = [];
  for (const label of name.split('.').filter((l) => l !== '')) {
    const bytes = Buffer.from(label, 'ascii');
    out.push(bytes.length, ...bytes);
  }
  out.push(0);
  return out;
}

/** A DNS answer to put in a response. */
export interface DemoDnsAnswer {
  type: 'A' | 'AAAA' | 'CNAME';
  value: string;
  ttl: number;
}

const TYPE_CODES = { A: 1, AAAA: 28, CNAME: 5 } as const;

/** A DNS query (recursion desired) for `name` of `type`. */
export function dnsQuery(id: number, name: string, type: 'A' | 'AAAA'): Uint8Array {
  return Uint8Array.from([...u16(id), 0x01, 0x00, ...u16(1), ...u16(0), ...u16(0), ...u16(0), ...encodeName(name), ...u16(TYPE_CODES[type]), ...u16(1)]);
}

/** A DNS response to {@link dnsQuery} with `rcode` and answers (names compressed to the question). */
export function dnsResponse(id: number, name: string, type: 'A' | 'AAAA', rcode: number, answers: readonly DemoDnsAnswer[]): Uint8Array {
  const bytes = [...u16(id), 0x81, 0x80 | (rcode & 0x0f), ...u16(1), ...u16(answers.length), ...u16(0), ...u16(0), ...encodeName(name), ...u16(TYPE_CODES[type]), ...u16(1)];
  for (const answer of answers) {
    let data: number[];
    if (answer.type === 'A') data = answer.value.split('.').map(Number);
    else if (answer.type === 'CNAME') data = encodeName(answer.value);
    else data = [...Buffer.from(answer.value.split(':').map((h) => h.padStart(4, '0')).join(''), 'hex')];
    bytes.push(0xc0, 0x0c, ...u16(TYPE_CODES[answer.type]), ...u16(1), ...u16(answer.ttl >>> 16), ...u16(answer.ttl & 0xffff), ...u16(data.length), ...data);
  }
  return Uint8Array.from(bytes);
}

function extension(type: number, body: number[]): number[] {
  return [...u16(type), ...u16(body.length), ...body];
}

function handshakeRecord(handshakeType: number, body: number[]): Uint8Array {
  const handshake = [handshakeType, ...u24(body.length), ...body];
  return Uint8Array.from([0x16, 0x03, 0x01, ...u16(handshake.length), ...handshake]);
}

function filled(length: number, seed: number): number[] {
  return Array.from({ length }, (_, i) => (seed + i * 37) & 0xff);
}

/** A TLS 1.3 ClientHello offering `alpn`, with SNI `serverName`, as a browser-like client sends it. */
export function tlsClientHello(serverName: string, alpn: readonly string[]): Uint8Array {
  const sni = Buffer.from(serverName, 'ascii');
  const alpnList = alpn.flatMap((p) => [p.length, ...Buffer.from(p, 'ascii')]);
  const ciphers = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8];
  const extensions = [
    ...extension(0, [...u16(sni.length + 3), 0, ...u16(sni.length), ...sni]),
    ...extension(23, []),
    ...extension(65281, [0]),
    ...extension(10, [...u16(6), ...u16(0x001d), ...u16(0x0017), ...u16(0x0018)]),
    ...extension(11, [1, 0]),
    ...extension(16, [...u16(alpnList.length), ...alpnList]),
    ...extension(13, [...u16(8), ...u16(0x0403), ...u16(0x0804), ...u16(0x0401), ...u16(0x0503)]),
    ...extension(51, [...u16(36), ...u16(0x001d), ...u16(32), ...filled(32, 7)]),
    ...extension(45, [1, 1]),
    ...extension(43, [4, ...u16(0x0304), ...u16(0x0303)]),
  ];
  const body = [0x03, 0x03, ...filled(32, 1), 32, ...filled(32, 3), ...u16(ciphers.length * 2), ...ciphers.flatMap(u16), 1, 0, ...u16(extensions.length), ...extensions];
  return handshakeRecord(1, body);
}

/** A TLS 1.3 ServerHello selecting TLS_AES_128_GCM_SHA256. */
export function tlsServerHello(): Uint8Array {
  const extensions = [...extension(43, u16(0x0304)), ...extension(51, [...u16(0x001d), ...u16(32), ...filled(32, 11)])];
  const body = [0x03, 0x03, ...filled(32, 5), 32, ...filled(32, 3), ...u16(0x1301), 0, ...u16(extensions.length), ...extensions];
  return handshakeRecord(2, body);
}

// HTTP/2 (h2c with prior knowledge) and gRPC, RFC 9113 and RFC 7541. Header blocks use only
// indexed static-table fields and literal fields without indexing (no Huffman, no dynamic table):
// valid HPACK that every decoder reads the same way, and that keeps the generator deterministic.

/** The HTTP/2 client connection preface (RFC 9113 §3.4). */
export const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** An HPACK integer with an `prefixBits`-bit prefix whose high bits are `high` (RFC 7541 §5.1). */
function hpackInteger(value: number, prefixBits: number, high: number): number[] {
  const max = (1 << prefixBits) - 1;
  if (value < max) return [high | value];
  const out = [high | max];
  let rest = value - max;
  while (rest >= 128) {
    out.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  out.push(rest);
  return out;
}

/** An HPACK string literal, not Huffman-coded (RFC 7541 §5.2). */
function hpackString(text: string): number[] {
  const bytes = Buffer.from(text, 'utf8');
  return [...hpackInteger(bytes.length, 7, 0x00), ...bytes];
}

/** HPACK static-table indices of the names and name–value pairs the demo uses (RFC 7541 Appendix A). */
const HPACK_STATIC_FIELDS: Record<string, number> = {
  ':method: POST': 3,
  ':scheme: http': 6,
  ':status: 200': 8,
};
const HPACK_STATIC_NAMES: Record<string, number> = {
  ':authority': 1,
  ':path': 4,
  'content-type': 31,
  'user-agent': 58,
};

/**
 * An HPACK header block of `headers`: a static-table indexed field when the pair is in the static
 * table, else a literal field without indexing, with the static-table name index when there is one.
 */
export function hpackBlock(headers: readonly (readonly [string, string])[]): Uint8Array {
  const out: number[] = [];
  for (const [name, value] of headers) {
    const indexed = HPACK_STATIC_FIELDS[`${name}: ${value}`];
    if (indexed !== undefined) {
      out.push(...hpackInteger(indexed, 7, 0x80));
      continue;
    }
    const nameIndex = HPACK_STATIC_NAMES[name];
    if (nameIndex !== undefined) out.push(...hpackInteger(nameIndex, 4, 0x00), ...hpackString(value));
    else out.push(0x00, ...hpackString(name), ...hpackString(value));
  }
  return Uint8Array.from(out);
}

/** One HTTP/2 frame (RFC 9113 §4.1). */
export function http2Frame(type: number, flags: number, streamId: number, payload: Uint8Array | readonly number[] = []): Uint8Array {
  const body = Uint8Array.from(payload);
  const header = [...u24(body.length), type, flags, (streamId >>> 24) & 0x7f, (streamId >>> 16) & 0xff, (streamId >>> 8) & 0xff, streamId & 0xff];
  return Uint8Array.from([...header, ...body]);
}

/** A SETTINGS frame payload of `[identifier, value]` pairs (RFC 9113 §6.5.1). */
export function http2Settings(settings: readonly (readonly [number, number])[]): number[] {
  return settings.flatMap(([id, value]) => [...u16(id), (value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]);
}

/** A gRPC length-prefixed message, uncompressed (gRPC over HTTP/2, "Length-Prefixed-Message"). */
export function grpcMessage(protobuf: readonly number[]): number[] {
  const n = protobuf.length;
  return [0x00, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff, ...protobuf];
}

/** A protobuf length-delimited field (wire type 2) holding `text`. */
export function protoString(field: number, text: string): number[] {
  const bytes = Buffer.from(text, 'utf8');
  return [(field << 3) | 2, bytes.length, ...bytes];
}

/** A protobuf varint field (wire type 0). */
export function protoVarint(field: number, value: number): number[] {
  const out = [(field << 3) | 0];
  let rest = value;
  while (rest >= 128) {
    out.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return out;
}

/** Bytes of several frames (or other chunks) back to back, as one TCP segment carries them. */
export function concatBytes(...chunks: readonly Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(chunks));
}
