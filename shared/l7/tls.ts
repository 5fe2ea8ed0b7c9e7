import { latin1, u16 } from './bytes';
import { isGrease } from './tlsNames';

/** TLS extension code points the parser reads. */
export const TlsExtension = {
  serverName: 0x0000,
  supportedGroups: 0x000a,
  ecPointFormats: 0x000b,
  signatureAlgorithms: 0x000d,
  alpn: 0x0010,
  supportedVersions: 0x002b,
} as const;

/** The parts of a ClientHello that fingerprints and records use (GREASE values kept, in order). */
export interface ClientHello {
  legacyVersion: number;
  cipherSuites: number[];
  /** Extension types in the order sent. */
  extensions: number[];
  serverName?: string;
  alpn: string[];
  supportedGroups: number[];
  ecPointFormats: number[];
  signatureAlgorithms: number[];
  supportedVersions: number[];
  /** True for an SSL 2.0-format ClientHello (no extensions). */
  sslv2?: boolean;
}

/** The parts of a ServerHello that records and JA3S use. */
export interface ServerHello {
  legacyVersion: number;
  cipherSuite: number;
  extensions: number[];
  /** From supported_versions, when present (TLS 1.3). */
  selectedVersion?: number;
  alpn?: string;
  /** True when this is a HelloRetryRequest (RFC 8446 §4.1.3 special random). */
  helloRetryRequest: boolean;
}

/** SHA-256("HelloRetryRequest"), the random of a HelloRetryRequest. */
const HRR_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');
/** Most list entries read from any one field; real hellos stay far below. */
const MAX_LIST = 512;

/** Bounds-checked cursor over one handshake message body. */
class Cursor {
  constructor(
    readonly bytes: Uint8Array,
    public at: number,
    readonly end: number,
  ) {}
  has(n: number): boolean {
    return this.at + n <= this.end;
  }
}

function u16List(bytes: Uint8Array, start: number, end: number): number[] {
  const list: number[] = [];
  for (let at = start; at + 2 <= end && list.length < MAX_LIST; at += 2) list.push(u16(bytes, at));
  return list;
}

/**
 * Parses a ClientHello body (after the 4-byte handshake header) in `bytes[start, end)`.
 * Returns undefined when a length field points past its container.
 */
export function parseClientHello(bytes: Uint8Array, start: number, end: number): ClientHello | undefined {
  const c = new Cursor(bytes, start, end);
  if (!c.has(35)) return undefined;
  const hello: ClientHello = {
    legacyVersion: u16(bytes, c.at),
    cipherSuites: [],
    extensions: [],
    alpn: [],
    supportedGroups: [],
    ecPointFormats: [],
    signatureAlgorithms: [],
    supportedVersions: [],
  };
  c.at += 34;
  c.at += 1 + (bytes[c.at] ?? 0);
  if (!c.has(2)) return undefined;
  const suitesLength = u16(bytes, c.at);
  if (!c.has(2 + suitesLength) || suitesLength % 2 !== 0) return undefined;
  hello.cipherSuites = u16List(bytes, c.at + 2, c.at + 2 + suitesLength);
  c.at += 2 + suitesLength;
  if (!c.has(1)) return undefined;
  c.at += 1 + (bytes[c.at] ?? 0);
  if (c.at > end) return undefined;
  if (!c.has(2)) return hello;
  const extensionsEnd = c.at + 2 + u16(bytes, c.at);
  if (extensionsEnd > end) return undefined;
  c.at += 2;
  while (c.at + 4 <= extensionsEnd) {
    const type = u16(bytes, c.at);
    const dataStart = c.at + 4;
    const dataEnd = dataStart + u16(bytes, c.at + 2);
    if (dataEnd > extensionsEnd) return undefined;
    if (hello.extensions.length < MAX_LIST) hello.extensions.push(type);
    readClientExtension(hello, type, bytes, dataStart, dataEnd);
    c.at = dataEnd;
  }
  return hello;
}

function readClientExtension(
  hello: ClientHello,
  type: number,
  bytes: Uint8Array,
  start: number,
  end: number,
): void {
  switch (type) {
    case TlsExtension.serverName: {
      // server_name_list: u16 length, then (u8 name_type, u16 length, name) entries.
      let at = start + 2;
      while (at + 3 <= end) {
        const nameLength = u16(bytes, at + 1);
        if (at + 3 + nameLength > end) return;
        if (bytes[at] === 0 && hello.serverName === undefined)
          hello.serverName = latin1(bytes, at + 3, at + 3 + nameLength);
        at += 3 + nameLength;
      }
      return;
    }
    case TlsExtension.alpn:
      hello.alpn = readAlpnList(bytes, start, end);
      return;
    case TlsExtension.supportedGroups:
      hello.supportedGroups = u16List(bytes, start + 2, Math.min(end, start + 2 + u16(bytes, start)));
      return;
    case TlsExtension.ecPointFormats: {
      const count = Math.min(bytes[start] ?? 0, end - start - 1);
      hello.ecPointFormats = Array.from(bytes.subarray(start + 1, start + 1 + Math.max(0, count)));
      return;
    }
    case TlsExtension.signatureAlgorithms:
      hello.signatureAlgorithms = u16List(bytes, start + 2, Math.min(end, start + 2 + u16(bytes, start)));
      return;
    case TlsExtension.supportedVersions:
      hello.supportedVersions = u16List(bytes, start + 1, Math.min(end, start + 1 + (bytes[start] ?? 0)));
      return;
    default:
      return;
  }
}

function readAlpnList(bytes: Uint8Array, start: number, end: number): string[] {
  const names: string[] = [];
  const listEnd = Math.min(end, start + 2 + u16(bytes, start));
  for (let at = start + 2; at < listEnd && names.length < MAX_LIST;) {
    const length = bytes[at] ?? 0;
    if (at + 1 + length > listEnd) break;
    names.push(latin1(bytes, at + 1, at + 1 + length));
    at += 1 + length;
  }
  return names;
}

/** Parses a ServerHello body in `bytes[start, end)`; undefined when lengths do not fit. */
export function parseServerHello(bytes: Uint8Array, start: number, end: number): ServerHello | undefined {
  if (start + 35 > end) return undefined;
  const random = bytes.subarray(start + 2, start + 34);
  let at = start + 34;
  at += 1 + (bytes[at] ?? 0);
  if (at + 3 > end) return undefined;
  const hello: ServerHello = {
    legacyVersion: u16(bytes, start),
    cipherSuite: u16(bytes, at),
    extensions: [],
    helloRetryRequest: Buffer.compare(random, HRR_RANDOM) === 0,
  };
  at += 3;
  if (at + 2 > end) return hello;
  const extensionsEnd = at + 2 + u16(bytes, at);
  if (extensionsEnd > end) return undefined;
  at += 2;
  while (at + 4 <= extensionsEnd) {
    const type = u16(bytes, at);
    const dataStart = at + 4;
    const dataEnd = dataStart + u16(bytes, at + 2);
    if (dataEnd > extensionsEnd) return undefined;
    if (hello.extensions.length < MAX_LIST) hello.extensions.push(type);
    if (type === TlsExtension.supportedVersions && dataEnd - dataStart === 2)
      hello.selectedVersion = u16(bytes, dataStart);
    if (type === TlsExtension.alpn) hello.alpn = readAlpnList(bytes, dataStart, dataEnd)[0];
    at = dataEnd;
  }
  return hello;
}

/**
 * Parses an SSL 2.0-format ClientHello (RFC 6101 appendix E.2) from the message after its 2-byte
 * record header, `bytes[start, end)`. Cipher specs are 3 bytes; those with a zero first byte are
 * TLS suites and kept as 16-bit values.
 */
export function parseSslv2ClientHello(
  bytes: Uint8Array,
  start: number,
  end: number,
): ClientHello | undefined {
  if (start + 9 > end || bytes[start] !== 1) return undefined;
  const specsLength = u16(bytes, start + 3);
  const specsStart = start + 9;
  if (specsLength % 3 !== 0 || specsStart + specsLength + u16(bytes, start + 5) + u16(bytes, start + 7) > end)
    return undefined;
  const cipherSuites: number[] = [];
  for (let at = specsStart; at < specsStart + specsLength && cipherSuites.length < MAX_LIST; at += 3) {
    cipherSuites.push(((bytes[at] ?? 0) << 16) | u16(bytes, at + 1));
  }
  return {
    legacyVersion: u16(bytes, start + 1),
    cipherSuites,
    extensions: [],
    alpn: [],
    supportedGroups: [],
    ecPointFormats: [],
    signatureAlgorithms: [],
    supportedVersions: [],
    sslv2: true,
  };
}

/** Highest version a ClientHello offers: supported_versions without GREASE, else the legacy version. */
export function offeredVersion(hello: ClientHello): number {
  let best = -1;
  for (const version of hello.supportedVersions) if (!isGrease(version) && version > best) best = version;
  return best >= 0 ? best : hello.legacyVersion;
}
