import {
  decryptQuicInitial,
  initialKeys,
  looksLikeQuicInitial,
  readVarint,
} from '../../shared/l7/quicInitial';
import { bytes, udpPacket } from './support/builders';
import { cryptoFrame, initialPacket } from './support/quicBuilders';
import { runPackets } from './support/run';
import { chromeHello, rawExt, serverHello } from './support/tlsBuilders';

const DCID = Buffer.from('8394c8f03e515708', 'hex');
const SCID = bytes(1, 2, 3, 4);

describe('QUIC Initial keys (RFC 9001 appendix A.1)', () => {
  it.each([
    [
      'client',
      '1f369613dd76d5467730efcbe3b1a22d',
      'fa044b2f42a3fd3b46fb255c',
      '9f50449e04a0e810283a1e9933adedd2',
    ],
    [
      'server',
      'cf3a5331653c364c88f0f379b6067e37',
      '0ac1493ca1905853b0bba03e',
      'c206b8d9b9f0f37644430b490eeaa314',
    ],
  ] as const)('%s', (side, key, iv, hp) => {
    const keys = initialKeys(1, DCID, side)!;
    expect([keys.key.toString('hex'), keys.iv.toString('hex'), keys.hp.toString('hex')]).toEqual([
      key,
      iv,
      hp,
    ]);
  });

  it('knows no keys for an unknown version', () => {
    expect(initialKeys(0x12345678, DCID, 'client')).toBeUndefined();
  });
});

describe('readVarint', () => {
  it.each([
    [[0x25], 37, 1],
    [[0x7b, 0xbd], 15293, 2],
    [[0x9d, 0x7f, 0x3e, 0x7d], 494878333, 4],
  ])('%j', (input, value, size) => expect(readVarint(Uint8Array.from(input), 0)).toEqual({ value, size }));
  it.each([[[]], [[0x40]], [[0xc0, 0, 0]]])('rejects %j', (input) =>
    expect(readVarint(Uint8Array.from(input), 0)).toBeUndefined(),
  );
});

describe('QUIC handshake over UDP', () => {
  const hello = chromeHello();
  const cut = 300;
  const first = initialPacket({
    side: 'client',
    dcid: DCID,
    scid: SCID,
    packetNumber: 0,
    frames: cryptoFrame(cut, hello.subarray(cut)),
  });
  const second = initialPacket({
    side: 'client',
    dcid: DCID,
    scid: SCID,
    packetNumber: 1,
    frames: bytes(1, cryptoFrame(0, hello.subarray(0, cut))),
  });
  const sh = serverHello({ cipher: 0x1301, extensions: [rawExt(0x002b, bytes(3, 4))] });
  const reply = initialPacket({
    side: 'server',
    dcid: SCID,
    scid: bytes(9, 9),
    originalDcid: DCID,
    packetNumber: 0,
    frames: bytes(2, 0, 0, 0, 0, cryptoFrame(0, sh)),
  });
  const client = (payload: Uint8Array) => udpPacket({ sport: 55000, dport: 443, payload });
  const server = (payload: Uint8Array) =>
    udpPacket({ src: '10.0.0.53', dst: '10.0.0.1', sport: 443, dport: 55000, payload });

  it('reassembles a ClientHello from CRYPTO frames across Initial packets, and reads the ServerHello', () => {
    const found = runPackets([client(first), client(second), server(reply), client(second)]);
    expect(
      found.map((m) => [m.index, m.fields.TlsHandshake, m.fields.Ja4 ?? m.fields.TlsCipherSuite]),
    ).toEqual([
      [1, 'ClientHello', 'q13d1516h2_8daaf6152771_d8a2da3f94cd'],
      [2, 'ServerHello', 'TLS_AES_128_GCM_SHA256'],
    ]);
  });

  it.each([
    ['a tampered packet', () => { const p = first.slice(); p[100]! ^= 1; return p; }],
    ['a short header', () => first.subarray(0, 30)],
    ['an unknown version', () => { const p = first.slice(); p[4] = 9; return p; }],
    ['empty', () => new Uint8Array(0)],
  ])('rejects %s', (_name, make) => {
    expect(decryptQuicInitial(make(), 'client')).toBeUndefined();
  }); // prettier-ignore

  it('recognises long-header Initial packets only', () => {
    expect(looksLikeQuicInitial(first)).toBe(true);
    expect(looksLikeQuicInitial(bytes(0x40, 1, 2, 3, 4, 5, 6, 7))).toBe(false);
  });
});
