import { hash } from 'node:crypto';
import { byteHex } from './bytes';
import type { ClientHello, ServerHello } from './tls';
import { offeredVersion, TlsExtension } from './tls';
import { isGrease } from './tlsNames';

// One-shot crypto.hash: no Hash object per fingerprint (three per ClientHello).
function md5(text: string): string {
  return hash('md5', text, 'hex');
}

function sha256Prefix(text: string): string {
  return hash('sha256', text, 'hex').slice(0, 12);
}

function hex4(value: number): string {
  if ((value & 0xffff) === value) return byteHex(value >> 8) + byteHex(value);
  return value.toString(16).padStart(4, '0');
}

/** `values` in decimal joined by `separator`, GREASE left out when `dropGrease`; no intermediate array. */
function joinDecimal(values: readonly number[], separator: string, dropGrease: boolean): string {
  let text = '';
  let first = true;
  for (const value of values) {
    if (dropGrease && isGrease(value)) continue;
    text += first ? String(value) : separator + String(value);
    first = false;
  }
  return text;
}

/** Non-GREASE entries of `values`, in order. */
function withoutGrease(values: readonly number[]): number[] {
  const kept: number[] = [];
  for (const value of values) if (!isGrease(value)) kept.push(value);
  return kept;
}

/**
 * `values` as 4-hex-digit strings, sorted as strings, comma joined. For 16-bit values the string
 * order is the numeric order, so they are sorted as numbers (no string compares).
 */
function sortedHexList(values: number[]): string {
  if (values.every((value) => (value & 0xffff) === value)) {
    const sorted = Uint16Array.from(values).sort();
    let text = '';
    for (let i = 0; i < sorted.length; i++) text += (i === 0 ? '' : ',') + hex4(sorted[i]!);
    return text;
  }
  return values.map(hex4).sort().join(',');
}

/**
 * The JA3 string (Salesforce): `version,ciphers,extensions,groups,pointFormats`, decimal values
 * joined by `-`, GREASE removed from ciphers, extensions and groups.
 */
export function ja3String(hello: ClientHello): string {
  return (
    `${hello.legacyVersion},${joinDecimal(hello.cipherSuites, '-', true)},` +
    `${joinDecimal(hello.extensions, '-', true)},${joinDecimal(hello.supportedGroups, '-', true)},` +
    joinDecimal(hello.ecPointFormats, '-', false)
  );
}

/** JA3: MD5 of {@link ja3String}, lower-case hex. */
export function ja3(hello: ClientHello): string {
  return md5(ja3String(hello));
}

/** The JA3S string: `version,cipher,extensions` (decimal, GREASE removed). */
export function ja3sString(hello: ServerHello): string {
  return `${hello.legacyVersion},${hello.cipherSuite},${joinDecimal(hello.extensions, '-', true)}`;
}

/** JA3S: MD5 of {@link ja3sString}. */
export function ja3s(hello: ServerHello): string {
  return md5(ja3sString(hello));
}

const JA4_VERSIONS: ReadonlyMap<number, string> = new Map([
  [0x0304, '13'],
  [0x0303, '12'],
  [0x0302, '11'],
  [0x0301, '10'],
  [0x0300, 's3'],
  [0x0002, 's2'],
  [0xfeff, 'd1'],
  [0xfefd, 'd2'],
  [0xfefc, 'd3'],
]);

function isAlphanumeric(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

/**
 * JA4's ALPN part: first and last characters of the first ALPN value, `00` without one, and `99`
 * when either character is not ASCII alphanumeric (FoxIO's reference implementations; the older
 * spec text used hex nibbles).
 */
function alpnPart(alpn: string | undefined): string {
  if (alpn === undefined || alpn.length === 0) return '00';
  const first = alpn.charCodeAt(0);
  const last = alpn.charCodeAt(alpn.length - 1);
  if (isAlphanumeric(first) && isAlphanumeric(last)) return alpn[0]! + alpn[alpn.length - 1]!;
  return '99';
}

function count2(n: number): string {
  return Math.min(n, 99).toString().padStart(2, '0');
}

/** The raw JA4 parts before hashing: `a`, sorted ciphers, and `sorted extensions[_sigalgs]`. */
export function ja4Parts(
  hello: ClientHello,
  transport: 't' | 'q' = 't',
): { a: string; b: string; c: string } {
  const ciphers = withoutGrease(hello.cipherSuites);
  const extensions = withoutGrease(hello.extensions);
  const a =
    transport +
    (JA4_VERSIONS.get(offeredVersion(hello)) ?? '00') +
    (extensions.includes(TlsExtension.serverName) ? 'd' : 'i') +
    count2(ciphers.length) +
    count2(extensions.length) +
    alpnPart(hello.alpn[0]);
  const b = sortedHexList(ciphers);
  const sorted = sortedHexList(
    extensions.filter((type) => type !== TlsExtension.serverName && type !== TlsExtension.alpn),
  );
  let sigalgs = '';
  for (const algorithm of hello.signatureAlgorithms)
    if (!isGrease(algorithm)) sigalgs += (sigalgs === '' ? '' : ',') + hex4(algorithm);
  const c = sigalgs === '' ? sorted : `${sorted}_${sigalgs}`;
  return { a, b, c };
}

/**
 * JA4 (FoxIO, BSD-3-Clause): `a_b_c` where `a` is transport, version, SNI flag, cipher and
 * extension counts and ALPN first/last characters, `b` the truncated SHA-256 of the sorted cipher
 * list and `c` of the sorted extensions (without SNI and ALPN) plus signature algorithms in order.
 * An empty list hashes to `000000000000`.
 */
export function ja4(hello: ClientHello, transport: 't' | 'q' = 't'): string {
  const { a, b, c } = ja4Parts(hello, transport);
  const hashB = b === '' ? '000000000000' : sha256Prefix(b);
  const hashC = c === '' ? '000000000000' : sha256Prefix(c);
  return `${a}_${hashB}_${hashC}`;
}
