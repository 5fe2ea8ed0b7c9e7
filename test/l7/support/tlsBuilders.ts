import { be16, bytes, withLength } from './builders';

/** What to put in a synthetic ClientHello. */
export interface ClientHelloSpec {
  legacyVersion?: number;
  ciphers: number[];
  /** Extensions in order: type plus body (built by the helpers below). */
  extensions: Array<[number, Uint8Array]>;
}

const u16s = (values: number[]): Uint8Array => bytes(...values.map(be16));

/** server_name extension body. */
export const sniExt = (name: string): [number, Uint8Array] => [
  0x0000,
  withLength(2, bytes(0, withLength(2, bytes(name)))),
];
/** ALPN extension body. */
export const alpnExt = (...names: string[]): [number, Uint8Array] => [
  0x0010,
  withLength(2, bytes(...names.map((n) => withLength(1, bytes(n))))),
];
/** supported_groups extension body. */
export const groupsExt = (...groups: number[]): [number, Uint8Array] => [0x000a, withLength(2, u16s(groups))];
/** ec_point_formats extension body. */
export const pointFormatsExt = (...formats: number[]): [number, Uint8Array] => [
  0x000b,
  withLength(1, bytes(formats)),
];
/** signature_algorithms extension body. */
export const sigAlgsExt = (...algs: number[]): [number, Uint8Array] => [0x000d, withLength(2, u16s(algs))];
/** supported_versions (ClientHello form). */
export const versionsExt = (...versions: number[]): [number, Uint8Array] => [
  0x002b,
  withLength(1, u16s(versions)),
];
/** Any extension with an opaque body. */
export const rawExt = (type: number, body: Uint8Array = new Uint8Array(0)): [number, Uint8Array] => [
  type,
  body,
];

/** A ClientHello handshake message (4-byte header included). */
export function clientHello(spec: ClientHelloSpec): Uint8Array {
  const extensions = bytes(...spec.extensions.map(([type, body]) => bytes(be16(type), withLength(2, body))));
  const body = bytes(
    be16(spec.legacyVersion ?? 0x0303),
    new Uint8Array(32).fill(7),
    withLength(1, new Uint8Array(32).fill(9)),
    withLength(2, u16s(spec.ciphers)),
    withLength(1, bytes(0)),
    withLength(2, extensions),
  );
  return bytes(1, withLength(3, body));
}

/** A ServerHello handshake message. */
export function serverHello(spec: {
  version?: number;
  cipher: number;
  extensions: Array<[number, Uint8Array]>;
  random?: Uint8Array;
}): Uint8Array {
  const extensions = bytes(...spec.extensions.map(([type, body]) => bytes(be16(type), withLength(2, body))));
  const body = bytes(
    be16(spec.version ?? 0x0303),
    spec.random ?? new Uint8Array(32).fill(3),
    withLength(1, new Uint8Array(0)),
    be16(spec.cipher),
    0,
    withLength(2, extensions),
  );
  return bytes(2, withLength(3, body));
}

/** Handshake bytes wrapped in TLS records of at most `maxFragment` bytes each. */
export function records(handshake: Uint8Array, maxFragment = 16384, type = 22): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let at = 0; at < handshake.length; at += maxFragment) {
    parts.push(
      bytes(type, 3, 1, withLength(2, handshake.subarray(at, Math.min(handshake.length, at + maxFragment)))),
    );
  }
  return bytes(...parts);
}

/**
 * The browserleaks.com Chrome 143 ClientHello published with JA3 `98487aa16281980e7d1120d399efb6a4`
 * and JA4 `t13d1516h2_8daaf6152771_d8a2da3f94cd` (values and original order from its ja3_text and
 * ja4_ro), with GREASE values added where Chrome puts them.
 */
export function chromeHello(): Uint8Array {
  const ext: Record<number, [number, Uint8Array]> = {
    0x002d: rawExt(0x002d, bytes(1, 1)),
    0x0033: rawExt(0x0033, bytes(be16(0))),
    0x0010: alpnExt('h2', 'http/1.1'),
    0xfe0d: rawExt(0xfe0d, bytes(0, 0, 1, 0, 1)),
    0x0017: rawExt(0x0017),
    0x44cd: rawExt(0x44cd, bytes(be16(3), 2, 'h2')),
    0x0000: sniExt('tls.browserleaks.com'),
    0x000b: pointFormatsExt(0),
    0x000a: groupsExt(0x3a3a, 4588, 29, 23, 24),
    0x002b: versionsExt(0x5a5a, 0x0304, 0x0303),
    0xff01: rawExt(0xff01, bytes(0)),
    0x0023: rawExt(0x0023),
    0x0012: rawExt(0x0012),
    0x0005: rawExt(0x0005, bytes(1, 0, 0, 0, 0)),
    0x000d: sigAlgsExt(0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601),
    0x001b: rawExt(0x001b, bytes(2, 0, 2)),
  };
  const order = [
    0x002d, 0x0033, 0x0010, 0xfe0d, 0x0017, 0x44cd, 0x0000, 0x000b, 0x000a, 0x002b, 0xff01, 0x0023, 0x0012,
    0x0005, 0x000d, 0x001b,
  ];
  return clientHello({
    ciphers: [
      0x2a2a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c,
      0x009d, 0x002f, 0x0035,
    ],
    extensions: [rawExt(0x8a8a), ...order.map((type) => ext[type]!), rawExt(0x1a1a, bytes(0))],
  });
}
