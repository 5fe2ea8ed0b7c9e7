import { writePcap } from '../../shared/capture/pcapWriter';

describe('writePcap', () => {
  it.each([
    ['little-endian µs', true, false, 'd4c3b2a1' + '0200' + '0400'],
    ['big-endian ns', false, true, 'a1b23c4d' + '0002' + '0004'],
  ])('%s file header', (_name, littleEndian, nanosecond, head) => {
    const bytes = Buffer.from(writePcap({ linkType: 1, littleEndian, nanosecond }, []));
    expect(bytes.length).toBe(24);
    expect(bytes.subarray(0, 8).toString('hex')).toBe(head);
  });

  it('writes each record header and data', () => {
    const bytes = Buffer.from(
      writePcap({ linkType: 228, snapLength: 100 }, [
        { timestampSec: 7, timestampNsec: 8999, data: Uint8Array.of(0x45, 0), originalLength: 60 },
      ]),
    );
    expect([bytes.readUInt32LE(16), bytes.readUInt32LE(20)]).toEqual([100, 228]);
    expect([
      bytes.readUInt32LE(24),
      bytes.readUInt32LE(28),
      bytes.readUInt32LE(32),
      bytes.readUInt32LE(36),
    ]).toEqual([7, 8, 2, 60]);
    expect(bytes.subarray(40).toString('hex')).toBe('4500');
  });
});
