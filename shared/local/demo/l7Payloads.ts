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
