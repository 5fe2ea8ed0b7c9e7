import { createHash } from 'node:crypto';
import { ja3, ja3s, ja3sString, ja3String, ja4, ja4Parts } from '../../shared/l7/fingerprints';
import type { ClientHello } from '../../shared/l7/tls';
import { parseClientHello, parseServerHello } from '../../shared/l7/tls';
import {
  chromeHello,
  clientHello,
  serverHello,
  alpnExt,
  sniExt,
  rawExt,
  versionsExt,
  sigAlgsExt,
} from './support/tlsBuilders';

function parsed(message: Uint8Array): ClientHello {
  const hello = parseClientHello(message, 4, message.length);
  if (!hello) throw new Error('test ClientHello did not parse');
  return hello;
}

const base: ClientHello = {
  legacyVersion: 0x0303,
  cipherSuites: [],
  extensions: [],
  alpn: [],
  supportedGroups: [],
  ecPointFormats: [],
  signatureAlgorithms: [],
  supportedVersions: [],
};

describe('JA3', () => {
  it('matches the Salesforce README example string and hash', () => {
    const hello: ClientHello = {
      ...base,
      legacyVersion: 769,
      cipherSuites: [47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4],
      extensions: [0, 10, 11],
      supportedGroups: [23, 24, 25],
      ecPointFormats: [0],
    };
    expect(ja3String(hello)).toBe('769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0');
    expect(ja3(hello)).toBe('ada70206e40642a3e4461f35503241d5');
  });

  it('matches the published JA3 of a Chrome ClientHello, GREASE removed', () => {
    const hello = parsed(chromeHello());
    expect(ja3String(hello)).toBe(
      '771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,45-51-16-65037-23-17613-0-11-10-43-65281-35-18-5-13-27,4588-29-23-24,0',
    );
    expect(ja3(hello)).toBe('98487aa16281980e7d1120d399efb6a4');
  });

  it.each([
    ['empty lists', base, '771,,,,'],
    ['only GREASE', { ...base, cipherSuites: [0x0a0a, 0xfafa], extensions: [0x2a2a] }, '771,,,,'],
  ])('%s', (_name, hello, expected) => {
    expect(ja3String(hello)).toBe(expected);
    expect(ja3(hello)).toBe(createHash('md5').update(expected).digest('hex'));
  });
});

describe('JA3S', () => {
  it.each([
    [
      'TLS 1.3 server',
      serverHello({
        cipher: 0x1301,
        extensions: [rawExt(0x002b, new Uint8Array([3, 4])), rawExt(0x0033, new Uint8Array(4))],
      }),
      '771,4865,43-51',
    ],
    ['no extensions', serverHello({ cipher: 0x002f, extensions: [] }), '771,47,'],
  ])('%s', (_name, message, expected) => {
    const hello = parseServerHello(message, 4, message.length)!;
    expect(ja3sString(hello)).toBe(expected);
    expect(ja3s(hello)).toBe(createHash('md5').update(expected).digest('hex'));
  });
});

describe('JA4', () => {
  it('matches the published JA4 of a Chrome ClientHello', () => {
    const hello = parsed(chromeHello());
    const parts = ja4Parts(hello);
    expect(parts.b).toBe('002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9');
    expect(parts.c).toBe(
      '0005,000a,000b,000d,0012,0017,001b,0023,002b,002d,0033,44cd,fe0d,ff01_0403,0804,0401,0503,0805,0501,0806,0601',
    );
    expect(ja4(hello)).toBe('t13d1516h2_8daaf6152771_d8a2da3f94cd');
  });

  it('sorts the hex strings, not the numbers, when a value is wider than 16 bits', () => {
    // SSLv2 cipher specs are 24-bit; as strings '10000' sorts before 'ffff'.
    const hello: ClientHello = { ...base, cipherSuites: [0xffff, 0x10000, 0x000a, 0x0a0a, 0x000a] };
    expect(ja4Parts(hello).b).toBe('000a,000a,10000,ffff');
  });

  it('sorts duplicates and digits-versus-letters as the string order does', () => {
    const hello: ClientHello = {
      ...base,
      cipherSuites: [0xc02b, 0x009c, 0x00ff, 0x0a00, 0x1301, 0x009c, 0x0100, 0x00a0],
      extensions: [0x0010, 0x0000, 0x00ff, 0x000a, 0xfe0d, 0x2a2a, 0x0a00],
      signatureAlgorithms: [0x0804, 0x0a0a, 0x0403],
    };
    const parts = ja4Parts(hello);
    expect(parts.b).toBe('009c,009c,00a0,00ff,0100,0a00,1301,c02b');
    expect(parts.c).toBe('000a,00ff,0a00,fe0d_0804,0403');
  });

  it('matches the FoxIO README example (Chrome, JA4_r given), extension order irrelevant', () => {
    const ciphers = '002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9'
      .split(',')
      .map((h) => parseInt(h, 16));
    const others = '0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01'
      .split(',')
      .map((h) => parseInt(h, 16));
    const sigalgs = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601];
    const message = clientHello({
      ciphers: [...ciphers].reverse(),
      extensions: [
        sniExt('www.example.com'),
        alpnExt('h2', 'http/1.1'),
        versionsExt(0x0304, 0x0303),
        ...others.filter((t) => t !== 0x002b && t !== 0x000d).map((t) => rawExt(t)),
        sigAlgsExt(...sigalgs),
      ],
    });
    expect(ja4(parsed(message))).toBe('t13d1516h2_8daaf6152771_e5627efa2ab1');
  });

  it.each([
    ['no extensions, no ciphers', base, 't12i000000_000000000000_000000000000'],
    [
      'SNI and ALPN only',
      { ...base, extensions: [0, 16], alpn: ['http/1.1'] },
      't12d0002h1_000000000000_000000000000',
    ],
    [
      'non-ASCII ALPN is 99',
      { ...base, extensions: [16], alpn: ['\xab\xcd'] },
      't12i000199_000000000000_000000000000',
    ],
    [
      'ALPN whose first character is not alphanumeric is 99',
      { ...base, extensions: [16], alpn: ['/h2'] },
      't12i000199_000000000000_000000000000',
    ],
    [
      'ALPN whose last character is not alphanumeric is 99',
      { ...base, extensions: [16], alpn: ['h2\x00'] },
      't12i000199_000000000000_000000000000',
    ],
    [
      'ALPN with punctuation only inside keeps its ends',
      { ...base, extensions: [16], alpn: ['http/1.1'] },
      't12i0001h1_000000000000_000000000000',
    ],
    [
      'one-character ALPN',
      { ...base, extensions: [16], alpn: ['h'] },
      't12i0001hh_000000000000_000000000000',
    ],
    ['SSL 3.0', { ...base, legacyVersion: 0x0300 }, 'ts3i000000_000000000000_000000000000'],
    ['unknown version', { ...base, legacyVersion: 0x7777 }, 't00i000000_000000000000_000000000000'],
  ])('%s', (_name, hello, expected) => {
    expect(ja4(hello)).toBe(expected);
  });

  it('caps counts at 99 and ignores GREASE in counts', () => {
    const ciphers = Array.from({ length: 120 }, (_, i) => 0x0100 + i);
    const hello = { ...base, cipherSuites: [0x0a0a, ...ciphers], extensions: [0x1a1a, 0x0017] };
    expect(ja4(hello).slice(0, 10)).toBe('t12i9901' + '00');
  });

  it('reads a built ClientHello end to end', () => {
    const message = clientHello({
      ciphers: [0x1301],
      extensions: [sniExt('a.example'), alpnExt('h2'), versionsExt(0x0304)],
    });
    expect(ja4(parsed(message)).slice(0, 10)).toBe('t13d0103h2');
  });
});
