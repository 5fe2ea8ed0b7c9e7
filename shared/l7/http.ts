import { indexOfByte, latin1 } from './bytes';
import type { L7Fields } from './l7Fields';
import type { SecretKeyTest } from './redact';
import { redactRequestTarget } from './redact';
import { FIELD_LIMITS, truncateField } from './truncate';

/** Longest request/status line plus headers we buffer before giving up on a message. */
export const MAX_HTTP_HEAD_BYTES = 64 * 1024;

/** Methods recognised at the start of a request on any port (RFC 9110, WebDAV, SSDP, Microsoft). */
const METHODS = new Set([
  'GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE', 'PROPFIND', 'PROPPATCH',
  'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'SEARCH', 'REPORT', 'MKACTIVITY', 'CHECKOUT', 'MERGE',
  'M-SEARCH', 'NOTIFY', 'SUBSCRIBE', 'UNSUBSCRIBE', 'PURGE', 'LINK', 'UNLINK', 'BIND', 'REBIND', 'UNBIND',
  'ACL', 'MKCALENDAR', 'ORDERPATCH', 'VERSION-CONTROL', 'UPDATE', 'LABEL', 'BASELINE-CONTROL', 'MKWORKSPACE',
  'CCM_POST', 'BITS_POST', 'RPC_IN_DATA', 'RPC_OUT_DATA', 'POLL', 'BPROPFIND', 'BPROPPATCH', 'BCOPY', 'BMOVE',
  'BDELETE', 'X-MS-ENUMATTS', 'SSTP_DUPLEX_POST',
]); // prettier-ignore

/** The HTTP/2 connection preface's first line (RFC 9113 §3.4). */
const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** How an HTTP/1.x message head was read. */
export type HttpHead =
  | {
      kind: 'request' | 'response';
      /** Record fields of the message. */
      fields: L7Fields;
      /** Offset just past the blank line ending the head. */
      end: number;
      /** Request method (upper-case as sent), for pairing responses. */
      method?: string;
      status?: number;
      /** Declared Content-Length, when present and valid. */
      contentLength?: number;
      chunked: boolean;
      /** An `Upgrade` header offers or accepts `h2c` (RFC 7540 §3.2). */
      upgradeH2c?: boolean;
    }
  | { kind: 'h2preface'; end: number }
  | { kind: 'incomplete' }
  | { kind: 'invalid'; reason: string };

/** True when `bytes[offset, end)` starts like an HTTP/1.x request, response or the HTTP/2 preface. */
export function looksLikeHttp(bytes: Uint8Array, offset: number, end: number): boolean {
  const limit = Math.min(end, offset + 24);
  let i = offset;
  while (i < limit && isTokenByte(bytes[i] ?? 0)) i++;
  if (i === offset) return false;
  const token = latin1(bytes, offset, i);
  if (i === limit)
    return i === end && (prefixOf(token, 'HTTP/') || [...METHODS].some((m) => m.startsWith(token)));
  const next = bytes[i];
  if (token === 'HTTP' && next === 0x2f) return true;
  if (next === 0x0d || next === 0x0a) return METHODS.has(token);
  return next === 0x20 && (METHODS.has(token) || token === 'PRI');
}

function prefixOf(text: string, of: string): boolean {
  return of.startsWith(text) || text.startsWith(of);
}

function isTokenByte(byte: number): boolean {
  return (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte === 0x2d || byte === 0x5f;
}

/** Offset of the next LF at or after `from` before `end`, or -1. */
function findLf(bytes: Uint8Array, from: number, end: number): number {
  return indexOfByte(bytes, 0x0a, from, end);
}

/** Whether the 24 bytes at `offset` (all before `end`) are the HTTP/2 preface. */
function isH2Preface(bytes: Uint8Array, offset: number, end: number): boolean {
  if (end - offset < H2_PREFACE.length) return false;
  for (let i = 0; i < H2_PREFACE.length; i++) if (bytes[offset + i] !== H2_PREFACE[i]) return false;
  return true;
}

/** Whether `bytes[offset, end)` (shorter than the preface) is the start of the HTTP/2 preface. */
function isH2PrefacePrefix(bytes: Uint8Array, offset: number, end: number): boolean {
  for (let i = offset; i < end; i++) if (bytes[i] !== H2_PREFACE[i - offset]) return false;
  return true;
}

function lineText(bytes: Uint8Array, start: number, lf: number): string {
  const stop = lf > start && bytes[lf - 1] === 0x0d ? lf - 1 : lf;
  return latin1(bytes, start, Math.min(stop, start + MAX_HTTP_HEAD_BYTES));
}

/**
 * Reads one HTTP/1.x message head (start line and headers) from `bytes[offset, end)`. Lenient like
 * Wireshark: bare LF line endings and a missing version are accepted. `Authorization`, `Cookie`
 * and other headers are never read into fields; only Host, User-Agent, Content-Type,
 * Content-Length, Transfer-Encoding and Upgrade (for h2c) are.
 */
export function parseHttpHead(
  bytes: Uint8Array,
  offset: number,
  end: number,
  isSecret?: SecretKeyTest,
): HttpHead {
  if (bytes[offset] === 0x50) {
    if (isH2Preface(bytes, offset, end)) return { kind: 'h2preface', end: offset + H2_PREFACE.length };
    if (end - offset < H2_PREFACE.length && isH2PrefacePrefix(bytes, offset, end))
      return { kind: 'incomplete' };
  }
  const firstLf = findLf(bytes, offset, Math.min(end, offset + MAX_HTTP_HEAD_BYTES));
  if (firstLf < 0) return headIncomplete(offset, end);
  const startLine = lineText(bytes, offset, firstLf);
  const start = parseStartLine(startLine, isSecret);
  if (start === undefined) return { kind: 'invalid', reason: 'not an HTTP/1.x request or status line' };

  let contentLength: number | undefined;
  let chunked = false;
  let lineStart = firstLf + 1;
  for (;;) {
    const lf = findLf(bytes, lineStart, Math.min(end, offset + MAX_HTTP_HEAD_BYTES));
    if (lf < 0) return headIncomplete(offset, end);
    if (lf === lineStart || (lf === lineStart + 1 && bytes[lineStart] === 0x0d)) {
      // Filled in place rather than spread into a new object: this runs once per message.
      start.end = lf + 1;
      start.chunked = chunked;
      if (contentLength !== undefined) start.contentLength = contentLength;
      return start;
    }
    const nameEnd = headerNameEnd(bytes, lineStart, lf);
    const name = nameEnd < 0 ? undefined : headerName(bytes, lineStart, nameEnd);
    const valueStart = nameEnd + 1;
    const lineEnd = lf;
    lineStart = lf + 1;
    if (name === undefined) continue;
    const value = lineText(bytes, valueStart, lineEnd).trim();
    switch (name) {
      case 'host':
        if (start.kind === 'request' && value)
          start.fields.HttpHost = truncateField(value, FIELD_LIMITS.short);
        break;
      case 'user-agent':
        if (start.kind === 'request' && value)
          start.fields.HttpUserAgent = truncateField(value, FIELD_LIMITS.userAgent);
        break;
      case 'content-type':
        if (value) start.fields.HttpContentType = truncateField(value, FIELD_LIMITS.short);
        break;
      case 'content-length':
        if (/^\d{1,15}$/.test(value)) contentLength = Number(value);
        break;
      case 'transfer-encoding':
        chunked = /(^|,)\s*chunked\s*$/i.test(value);
        break;
      case 'upgrade':
        if (/(^|,)\s*h2c\s*(,|$)/i.test(value)) start.upgradeH2c = true;
        break;
    }
  }
}

/** The only headers ever read, in lower case; all others (Authorization, Cookie, ...) are passed over unread. */
const HEADERS = [
  'host',
  'user-agent',
  'content-type',
  'content-length',
  'transfer-encoding',
  'upgrade',
] as const;
type HeaderName = (typeof HEADERS)[number];
const LONGEST_HEADER = 17;

/** Offset of the colon ending a header name on the line `[start, lf)` (spaces before it allowed), or -1. */
function headerNameEnd(bytes: Uint8Array, start: number, lf: number): number {
  const limit = Math.min(lf, start + LONGEST_HEADER + 8);
  for (let i = start; i < limit; i++) if (bytes[i] === 0x3a) return i > start ? i : -1;
  return -1;
}

/**
 * Which of {@link HEADERS} the name before `colon` is (ASCII case-insensitive, trailing spaces and
 * tabs ignored), or undefined. Compared byte by byte: no string is built for the many headers never read.
 */
function headerName(bytes: Uint8Array, start: number, colon: number): HeaderName | undefined {
  let end = colon;
  while (end > start && (bytes[end - 1] === 0x20 || bytes[end - 1] === 0x09)) end--;
  const length = end - start;
  for (const name of HEADERS) {
    if (name.length !== length) continue;
    let i = 0;
    while (i < length) {
      const byte = bytes[start + i]!;
      if ((byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte) !== name.charCodeAt(i)) break;
      i++;
    }
    if (i === length) return name;
  }
  return undefined;
}

function headIncomplete(offset: number, end: number): HttpHead {
  return end - offset >= MAX_HTTP_HEAD_BYTES
    ? { kind: 'invalid', reason: `message head longer than ${MAX_HTTP_HEAD_BYTES} bytes` }
    : { kind: 'incomplete' };
}

/** A request or response head whose `end`, `chunked` and `contentLength` are set once the headers are read. */
type StartLine = Extract<HttpHead, { kind: 'request' | 'response' }>;

function parseStartLine(line: string, isSecret?: SecretKeyTest): StartLine | undefined {
  const response = statusLine(line);
  if (response !== undefined) {
    return {
      kind: 'response',
      status: response.status,
      fields: { L7Protocol: 'HTTP', HttpVersion: response.version, HttpStatusCode: response.status },
      end: 0,
      chunked: false,
    };
  }
  // A bare method with no target ("OPTIONS\n") is accepted, as Wireshark does.
  const space = line.indexOf(' ') < 0 ? line.length : line.indexOf(' ');
  if (space === 0) return undefined;
  const method = line.slice(0, space);
  if (!METHODS.has(method)) return undefined;
  // As Wireshark: the target runs to the next space, the version is what follows it.
  const rest = line.slice(space + 1);
  const targetEnd = rest.indexOf(' ');
  const target = targetEnd < 0 ? rest : rest.slice(0, targetEnd);
  const tail = targetEnd < 0 ? '' : rest.slice(targetEnd + 1).trim();
  const hasVersion = /^HTTP\/\d\.\d$/.test(tail);
  const fields: L7Fields = { L7Protocol: 'HTTP', HttpMethod: method };
  if (target) fields.HttpPath = redactRequestTarget(target, isSecret);
  if (hasVersion) fields.HttpVersion = tail;
  return { kind: 'request', method, fields, end: 0, chunked: false };
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/**
 * Version and status of a status line, read as `/^(HTTP\/\d\.\d) +(\d{3})(?: .*)?$/` would
 * (the reason phrase may hold anything but a line break), without a regex and its match array.
 */
export function statusLine(line: string): { version: string; status: number } | undefined {
  if (!line.startsWith('HTTP/') || !isDigit(line.charCodeAt(5)) || line.charCodeAt(6) !== 0x2e)
    return undefined;
  if (!isDigit(line.charCodeAt(7)) || line.charCodeAt(8) !== 0x20) return undefined;
  let at = 9;
  while (line.charCodeAt(at) === 0x20) at++;
  const digits = at;
  while (at < digits + 3 && isDigit(line.charCodeAt(at))) at++;
  if (at !== digits + 3) return undefined;
  if (at < line.length && line.charCodeAt(at) !== 0x20) return undefined;
  for (let i = at; i < line.length; i++) {
    const code = line.charCodeAt(i);
    if (code === 0x0a || code === 0x0d || code === 0x2028 || code === 0x2029) return undefined;
  }
  return { version: line.slice(0, 8), status: Number(line.slice(digits, at)) };
}
