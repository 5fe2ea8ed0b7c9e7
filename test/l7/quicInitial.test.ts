import {
  decryptQuicInitial,
  initialKeys,
  looksLikeQuicInitial,
  readVarint,
} from '../../shared/l7/quicInitial';
import { bytes } from './support/builders';
import { cryptoFrame, initialPacket } from './support/quicBuilders';
import { chromeHello } from './support/tlsBuilders';

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

describe('decryptQuicInitial', () => {
  const hello = chromeHello();
  const packet = initialPacket({
    side: 'client',
    dcid: DCID,
    scid: SCID,
    packetNumber: 7,
    frames: bytes(0, 1, cryptoFrame(0, hello)),
  });

  it('opens a protected Initial and returns its CRYPTO frames', () => {
    const opened = decryptQuicInitial(packet, 'client')!;
    expect(Buffer.from(opened.destinationCid).toString('hex')).toBe('8394c8f03e515708');
    expect(opened.crypto).toEqual([{ offset: 0, data: hello }]);
  });

  it.each([
    ['a tampered packet', () => { const p = packet.slice(); p[100]! ^= 1; return p; }],
    ['a short header', () => packet.subarray(0, 30)],
    ['an unknown version', () => { const p = packet.slice(); p[4] = 9; return p; }],
    ['the wrong side', () => packet],
    ['empty', () => new Uint8Array(0)],
  ])('rejects %s', (name, make) => {
    expect(decryptQuicInitial(make(), name === 'the wrong side' ? 'server' : 'client')).toBeUndefined();
  }); // prettier-ignore

  it('recognises long-header Initial packets only', () => {
    expect(looksLikeQuicInitial(packet)).toBe(true);
    expect(looksLikeQuicInitial(bytes(0x40, 1, 2, 3, 4, 5, 6, 7))).toBe(false);
  });
});
