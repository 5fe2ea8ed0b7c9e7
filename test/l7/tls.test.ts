import {
  offeredVersion,
  parseClientHello,
  parseServerHello,
  parseSslv2ClientHello,
} from '../../shared/l7/tls';
import { be16, bytes } from './support/builders';
import {
  alpnExt,
  clientHello,
  groupsExt,
  pointFormatsExt,
  rawExt,
  serverHello,
  sigAlgsExt,
  sniExt,
  versionsExt,
} from './support/tlsBuilders';

const body = (message: Uint8Array) => [message, 4, message.length] as const;

describe('parseClientHello', () => {
  it('reads every field fingerprints use, GREASE kept in order', () => {
    const message = clientHello({
      legacyVersion: 0x0303,
      ciphers: [0x0a0a, 0x1301, 0xc02f],
      extensions: [
        rawExt(0x1a1a),
        sniExt('api.example.com'),
        alpnExt('h2', 'http/1.1'),
        groupsExt(0x2a2a, 29, 23),
        pointFormatsExt(0),
        sigAlgsExt(0x0403, 0x0804),
        versionsExt(0x3a3a, 0x0304, 0x0303),
      ],
    });
    expect(parseClientHello(...body(message))).toEqual({
      legacyVersion: 0x0303,
      cipherSuites: [0x0a0a, 0x1301, 0xc02f],
      extensions: [0x1a1a, 0x0000, 0x0010, 0x000a, 0x000b, 0x000d, 0x002b],
      serverName: 'api.example.com',
      alpn: ['h2', 'http/1.1'],
      supportedGroups: [0x2a2a, 29, 23],
      ecPointFormats: [0],
      signatureAlgorithms: [0x0403, 0x0804],
      supportedVersions: [0x3a3a, 0x0304, 0x0303],
    });
  });

  it('accepts a hello without extensions', () => {
    const message = bytes(1, 0, 0, 41, be16(0x0301), new Uint8Array(32), 0, be16(2), be16(0x002f), 1, 0);
    expect(parseClientHello(...body(message))).toMatchObject({
      legacyVersion: 0x0301,
      cipherSuites: [0x2f],
      extensions: [],
    });
  });

  it.each([
    ['empty', new Uint8Array(4)],
    ['cut inside the random', clientHello({ ciphers: [1], extensions: [] }).subarray(0, 20)],
    [
      'odd cipher list length',
      bytes(1, 0, 0, 0, be16(0x0303), new Uint8Array(32), 0, be16(3), 0, 1, 2, 1, 0),
    ],
    [
      'extension longer than the list',
      bytes(1, 0, 0, 0, be16(0x0303), new Uint8Array(32), 0, be16(2), 0, 1, 1, 0, be16(4), be16(0), be16(9)),
    ],
    [
      'extensions length past the end',
      bytes(1, 0, 0, 0, be16(0x0303), new Uint8Array(32), 0, be16(2), 0, 1, 1, 0, be16(99)),
    ],
  ])('rejects %s', (_name, message) => {
    expect(parseClientHello(...body(message))).toBeUndefined();
  });

  it.each([
    ['supported_versions', { supportedVersions: [0x0a0a, 0x0303, 0x0304] }, 0x0304],
    ['legacy only', { supportedVersions: [] }, 0x0303],
    ['only GREASE', { supportedVersions: [0xfafa] }, 0x0303],
  ])('offeredVersion: %s', (_name, part, expected) => {
    const hello = parseClientHello(...body(clientHello({ ciphers: [1], extensions: [] })))!;
    expect(offeredVersion({ ...hello, ...part })).toBe(expected);
  });
});

describe('parseServerHello', () => {
  it.each([
    [
      'TLS 1.3 with ALPN',
      serverHello({ cipher: 0x1302, extensions: [rawExt(0x002b, bytes(3, 4)), alpnExt('h2')] }),
      {
        cipherSuite: 0x1302,
        selectedVersion: 0x0304,
        alpn: 'h2',
        extensions: [0x2b, 0x10],
        helloRetryRequest: false,
      },
    ],
    [
      'TLS 1.2 without extensions',
      serverHello({ cipher: 0xc02f, extensions: [] }),
      { cipherSuite: 0xc02f, extensions: [], helloRetryRequest: false },
    ],
  ])('%s', (_name, message, expected) => {
    expect(parseServerHello(...body(message))).toMatchObject(expected);
  });

  it.each([
    ['empty', new Uint8Array(4)],
    ['session id past the end', bytes(2, 0, 0, 0, be16(0x0303), new Uint8Array(32), 200)],
    [
      'extension past the end',
      bytes(2, 0, 0, 0, be16(0x0303), new Uint8Array(32), 0, be16(0x1301), 0, be16(4), be16(0x2b), be16(8)),
    ],
  ])('rejects %s', (_name, message) => {
    expect(parseServerHello(...body(message))).toBeUndefined();
  });
});

describe('parseSslv2ClientHello', () => {
  const hello = bytes(
    1,
    be16(0x0002),
    be16(6),
    be16(0),
    be16(16),
    0x07,
    0x00,
    0xc0,
    0x00,
    0x00,
    0x2f,
    new Uint8Array(16),
  );
  it('reads version and 3-byte cipher specs', () => {
    expect(parseSslv2ClientHello(hello, 0, hello.length)).toMatchObject({
      legacyVersion: 2,
      cipherSuites: [0x0700c0, 0x2f],
      sslv2: true,
    });
  });
  it.each([
    ['empty', new Uint8Array(0)],
    ['not a ClientHello', bytes(4, hello.subarray(1))],
    ['specs not a multiple of 3', bytes(1, be16(2), be16(4), be16(0), be16(0), 1, 2, 3, 4)],
    ['lengths past the end', hello.subarray(0, 20)],
  ])('rejects %s', (_name, message) => {
    expect(parseSslv2ClientHello(message, 0, message.length)).toBeUndefined();
  });
});
