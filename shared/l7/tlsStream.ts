import { alpnText } from './alpnText';
import { u16, u24 } from './bytes';
import { ja3, ja3s, ja4 } from './fingerprints';
import type { L7Fields } from './l7Fields';
import type { L7Stats } from './l7Stats';
import type { StreamParser } from './messageStream';
import type { ClientHello, ServerHello } from './tls';
import { offeredVersion, parseClientHello, parseServerHello, parseSslv2ClientHello } from './tls';
import { cipherSuiteName, tlsVersionName } from './tlsNames';
import { FIELD_LIMITS, truncateField } from './truncate';

const RecordType = {
  changeCipherSpec: 20,
  alert: 21,
  handshake: 22,
  applicationData: 23,
  heartbeat: 24,
} as const;
const HandshakeType = { clientHello: 1, serverHello: 2 } as const;
/** Largest TLSCiphertext fragment (RFC 8446 §5.2) plus header. */
const MAX_RECORD_BYTES = 5 + 16384 + 2048;
/** Largest hello message we buffer across records. */
const MAX_HELLO_BYTES = 64 * 1024;
/** No handshake bytes pending; shared because it is only ever replaced, never written. */
const NO_BYTES = new Uint8Array(0);

/** State both directions of one TLS flow share. */
export class TlsFlowState {
  /** The server sent a HelloRetryRequest: the client's second ClientHello follows a CCS. */
  helloRetry = false;
}

/** True when `bytes[offset, end)` starts with a plausible TLS record header or SSLv2 ClientHello. */
export function looksLikeTls(bytes: Uint8Array, offset: number, end: number): boolean {
  if (end - offset < 3) return false;
  const type = bytes[offset] ?? 0;
  if (type >= RecordType.changeCipherSpec && type <= RecordType.heartbeat) {
    return bytes[offset + 1] === 3 && (bytes[offset + 2] ?? 0xff) <= 4;
  }
  return (
    (type & 0x80) !== 0 &&
    bytes[offset + 2] === HandshakeType.clientHello &&
    end - offset >= 5 &&
    (bytes[offset + 3] ?? 0) <= 3
  );
}

/**
 * TLS in one direction: records are framed, handshake bytes are reassembled across records, and
 * ClientHello / ServerHello become record fields with JA3, JA3S and JA4. Other handshake messages
 * and all encrypted records are skipped without buffering; parsing stops at application data.
 */
export class TlsStreamParser implements StreamParser {
  skip = 0;
  done = false;
  readonly minStartBytes = 5;
  readonly maxMessageBytes = MAX_RECORD_BYTES;
  /** Handshake bytes not yet forming a whole message. */
  private handshake: Uint8Array = NO_BYTES;
  /** Bytes of an uninteresting handshake message still to pass over. */
  private handshakeSkip = 0;
  private sawChangeCipherSpec = false;
  private firstRecord = true;

  constructor(
    private readonly flow: TlsFlowState,
    private readonly stats: L7Stats,
  ) {}

  reset(): void {
    this.handshake = NO_BYTES;
    this.handshakeSkip = 0;
  }

  looksLikeStart(bytes: Uint8Array, offset: number, end: number): boolean {
    return looksLikeTls(bytes, offset, end);
  }

  parse(bytes: Uint8Array, offset: number, end: number, out: L7Fields[]): number {
    if (end - offset < 5) return 0;
    const type = bytes[offset] ?? 0;
    if (this.firstRecord && (type & 0x80) !== 0) return this.sslv2(bytes, offset, end, out);
    this.firstRecord = false;
    if (type < RecordType.changeCipherSpec || type > RecordType.heartbeat || bytes[offset + 1] !== 3)
      return -1;
    const length = u16(bytes, offset + 3);
    if (length > MAX_RECORD_BYTES - 5) return -1;
    switch (type) {
      case RecordType.handshake: {
        if (this.sawChangeCipherSpec && !this.flow.helloRetry) break;
        if (end - offset < 5 + length) return 0;
        this.handshakeBytes(bytes.subarray(offset + 5, offset + 5 + length), out);
        return 5 + length;
      }
      case RecordType.changeCipherSpec:
        this.sawChangeCipherSpec = true;
        break;
      case RecordType.applicationData:
        this.done = true;
        return end - offset;
      default:
        break;
    }
    this.skip = length;
    return 5;
  }

  private handshakeBytes(fragment: Uint8Array, out: L7Fields[]): void {
    let data = fragment;
    if (this.handshakeSkip > 0) {
      const n = Math.min(this.handshakeSkip, data.length);
      this.handshakeSkip -= n;
      data = data.subarray(n);
    }
    if (this.handshake.length > 0) {
      const joined = new Uint8Array(this.handshake.length + data.length);
      joined.set(this.handshake);
      joined.set(data, this.handshake.length);
      data = joined;
    }
    let at = 0;
    while (data.length - at >= 4) {
      const type = data[at] ?? 0;
      const length = u24(data, at + 1);
      const interesting = type === HandshakeType.clientHello || type === HandshakeType.serverHello;
      if (!interesting) {
        const available = Math.min(length, data.length - at - 4);
        this.handshakeSkip = length - available;
        at += 4 + available;
        continue;
      }
      if (length > MAX_HELLO_BYTES) {
        this.stats.oversized++;
        this.handshakeSkip = Math.max(0, length - (data.length - at - 4));
        at = data.length;
        break;
      }
      if (data.length - at < 4 + length) break;
      this.hello(type, data, at + 4, at + 4 + length, out);
      at += 4 + length;
    }
    this.handshake = at < data.length ? data.slice(at) : NO_BYTES;
  }

  private hello(type: number, data: Uint8Array, start: number, end: number, out: L7Fields[]): void {
    if (type === HandshakeType.clientHello) {
      const hello = parseClientHello(data, start, end);
      if (hello) out.push(clientHelloFields(hello));
      else this.stats.malformed++;
      return;
    }
    const hello = parseServerHello(data, start, end);
    if (!hello) {
      this.stats.malformed++;
      return;
    }
    out.push(serverHelloFields(hello));
    this.flow.helloRetry = hello.helloRetryRequest;
    if (!hello.helloRetryRequest) this.done = true;
  }

  private sslv2(bytes: Uint8Array, offset: number, end: number, out: L7Fields[]): number {
    this.firstRecord = false;
    const length = u16(bytes, offset) & 0x7fff;
    if (end - offset < 2 + length) return 0;
    const hello = parseSslv2ClientHello(bytes, offset + 2, offset + 2 + length);
    if (!hello) return -1;
    out.push(clientHelloFields(hello));
    this.done = true;
    return 2 + length;
  }
}

/** Record fields of a ClientHello: version offered, SNI, ALPN list, JA3 and JA4 (`q` for QUIC). */
export function clientHelloFields(hello: ClientHello, transport: 't' | 'q' = 't'): L7Fields {
  const fields: L7Fields = {
    L7Protocol: 'TLS',
    TlsHandshake: 'ClientHello',
    TlsVersion: tlsVersionName(offeredVersion(hello)),
  };
  if (hello.serverName !== undefined)
    fields.TlsServerName = truncateField(hello.serverName, FIELD_LIMITS.short);
  if (hello.alpn.length > 0)
    fields.TlsAlpn = hello.alpn.slice(0, 16).map((p) => truncateField(alpnText(p), FIELD_LIMITS.short));
  if (!hello.sslv2) {
    fields.Ja3 = ja3(hello);
    fields.Ja4 = ja4(hello, transport);
  }
  return fields;
}

/** Record fields of a ServerHello: negotiated version, selected cipher and ALPN, JA3S. */
export function serverHelloFields(hello: ServerHello): L7Fields {
  const fields: L7Fields = {
    L7Protocol: 'TLS',
    TlsHandshake: 'ServerHello',
    TlsVersion: tlsVersionName(hello.selectedVersion ?? hello.legacyVersion),
    TlsCipherSuite: cipherSuiteName(hello.cipherSuite),
    Ja3s: ja3s(hello),
  };
  if (hello.alpn !== undefined) fields.TlsAlpn = [truncateField(alpnText(hello.alpn), FIELD_LIMITS.short)];
  return fields;
}
