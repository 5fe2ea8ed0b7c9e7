import { bytes, Conversation } from './support/builders';
import { runPackets, splitAt } from './support/run';
import {
  alpnExt,
  chromeHello,
  clientHello,
  rawExt,
  records,
  serverHello,
  sniExt,
  versionsExt,
} from './support/tlsBuilders';

const CHROME = { Ja3: '98487aa16281980e7d1120d399efb6a4', Ja4: 't13d1516h2_8daaf6152771_d8a2da3f94cd' };
const HRR_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');

function tlsConversation(port = 443) {
  const c = new Conversation(undefined, { ip: '10.0.0.2', port });
  return { c, start: c.handshake() };
}

describe('TLS over reassembled TCP', () => {
  it('renders non-printable ALPN ids escaped in TlsAlpn, and JA4 takes 99 for them', () => {
    const { c, start } = tlsConversation();
    const hello = clientHello({ ciphers: [0x1301], extensions: [alpnExt('\x0a\x1a', 'h2')] });
    const [found] = runPackets([...start, c.client(records(hello))]);
    expect(found?.fields.TlsAlpn).toEqual(['\\x0a\\x1a', 'h2']);
    expect(found?.fields.Ja4).toMatch(/^t12i010199_/);
  });

  it('reads the ClientHello split at every byte offset and reports it on the completing packet', () => {
    const wire = records(chromeHello());
    for (let cut = 1; cut < wire.length; cut++) {
      const { c, start } = tlsConversation();
      const found = runPackets([...start, ...splitAt(wire, cut).map((piece) => c.client(piece))]);
      expect(found).toEqual([
        {
          index: 4,
          fields: {
            L7Protocol: 'TLS',
            TlsHandshake: 'ClientHello',
            TlsVersion: 'TLS1.3',
            TlsServerName: 'tls.browserleaks.com',
            TlsAlpn: ['h2', 'http/1.1'],
            ...CHROME,
          },
        },
      ]);
    }
  });

  it.each([[1], [7], [100], [16384]])('reassembles a ClientHello across records of %d bytes', (size) => {
    const { c, start } = tlsConversation(8443);
    const found = runPackets([...start, c.client(records(chromeHello(), size))]);
    expect(found.map((m) => m.fields.Ja4)).toEqual([CHROME.Ja4]);
  });

  it('reads the ServerHello: negotiated version, cipher, ALPN, JA3S; then stops', () => {
    const { c, start } = tlsConversation();
    const sh = serverHello({ cipher: 0x1301, extensions: [rawExt(0x002b, bytes(3, 4)), alpnExt('h2')] });
    const found = runPackets([
      ...start,
      c.client(records(chromeHello())),
      c.server(bytes(records(sh), records(bytes(1), 16384, 20), records(bytes(11, 0, 0, 1, 1), 16384, 22))),
    ]);
    expect(found[1]?.fields).toEqual({
      L7Protocol: 'TLS',
      L7LatencyNs: expect.any(Number),
      TlsHandshake: 'ServerHello',
      TlsVersion: 'TLS1.3',
      TlsCipherSuite: 'TLS_AES_128_GCM_SHA256',
      TlsAlpn: ['h2'],
      Ja3s: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(found).toHaveLength(2);
  });

  it('reports both ClientHellos around a HelloRetryRequest', () => {
    const { c, start } = tlsConversation();
    const hrr = serverHello({
      cipher: 0x1301,
      random: HRR_RANDOM,
      extensions: [rawExt(0x002b, bytes(3, 4))],
    });
    const second = clientHello({
      ciphers: [0x1301],
      extensions: [sniExt('retry.example'), versionsExt(0x0304)],
    });
    const found = runPackets([
      ...start,
      c.client(records(chromeHello())),
      c.server(records(hrr)),
      c.client(bytes(records(bytes(1), 16384, 20), records(second))),
      c.server(records(serverHello({ cipher: 0x1301, extensions: [rawExt(0x002b, bytes(3, 4))] }))),
    ]);
    expect(found.map((m) => [m.index, m.fields.TlsHandshake, m.fields.TlsServerName])).toEqual([
      [3, 'ClientHello', 'tls.browserleaks.com'],
      [4, 'ServerHello', undefined],
      [5, 'ClientHello', 'retry.example'],
      [6, 'ServerHello', undefined],
    ]);
  });

  it('ignores encrypted handshake records after ChangeCipherSpec (TLS 1.2 Finished)', () => {
    const { c, start } = tlsConversation();
    const fakeFinished = records(clientHello({ ciphers: [1], extensions: [] }));
    const found = runPackets([
      ...start,
      c.client(records(chromeHello())),
      c.server(records(serverHello({ cipher: 0xc02f, extensions: [] }))),
      c.client(bytes(records(bytes(1), 16384, 20), fakeFinished)),
    ]);
    expect(found.map((m) => m.fields.TlsHandshake)).toEqual(['ClientHello', 'ServerHello']);
  });

  it('recognises an SSLv2-format ClientHello without fingerprints', () => {
    const body = bytes(1, 0, 2, 0, 6, 0, 0, 0, 16, 0x07, 0x00, 0xc0, 0x00, 0x00, 0x2f, new Uint8Array(16));
    const { c, start } = tlsConversation();
    const found = runPackets([
      ...start,
      c.client(bytes(0x80 | (body.length >> 8), body.length & 0xff, body)),
    ]);
    expect(found.map((m) => m.fields)).toEqual([
      { L7Protocol: 'TLS', TlsHandshake: 'ClientHello', TlsVersion: 'SSL2.0' },
    ]);
  });

  it.each([
    ['record with a bad version', bytes(22, 9, 9, 0, 4, 1, 0, 0, 0)],
    [
      'hello with a cipher length past its end',
      records(bytes(1, 0, 0, 40, 3, 3, new Uint8Array(32), 0, 0xff, 0xff)),
    ],
    ['oversized record', bytes(22, 3, 1, 0xff, 0xff)],
  ])('produces nothing for %s', (_name, wire) => {
    const { c, start } = tlsConversation();
    expect(runPackets([...start, c.client(wire)])).toEqual([]);
  });
});
