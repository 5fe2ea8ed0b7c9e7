import { crc32c, internetChecksum } from '../../shared/packet/checksum';

describe('checksums', () => {
  it.each([
    ['RFC 1071 example', Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7), 0x220d],
    ['empty', new Uint8Array(0), 0xffff],
    ['odd length pads with zero', Uint8Array.of(0xff), 0x00ff],
    [
      'IPv4 header from RFC 1071 errata style example',
      Uint8Array.from(Buffer.from('450000730000400040110000c0a80001c0a800c7', 'hex')),
      0xb861,
    ],
  ])('internetChecksum: %s', (_name, bytes, expected) => {
    expect(internetChecksum(bytes)).toBe(expected);
  });

  it.each([
    ['"123456789" check value', new TextEncoder().encode('123456789'), 0xe3069283],
    ['empty', new Uint8Array(0), 0],
    ['32 zero bytes (RFC 3720 B.4)', new Uint8Array(32), 0x8a9136aa],
  ])('crc32c: %s', (_name, bytes, expected) => {
    expect(crc32c(bytes)).toBe(expected);
  });
});
