import { PcapngWriter } from '../../shared/capture/pcapngWriter';
import { readCapture } from '../../shared/capture/readCapture';

describe('PcapngWriter', () => {
  it('writes the section header exactly (little-endian, shb_userappl, custom option)', () => {
    const bytes = Buffer.from(
      new PcapngWriter({ userApplication: 'ab', customOptions: [{ pen: 311, value: 'x' }] }).toBytes(),
    );
    expect(bytes.toString('hex')).toBe(
      [
        '0a0d0d0a',
        '34000000',
        '4d3c2b1a',
        '0100',
        '0000',
        'ffffffffffffffff',
        '0400',
        '0200',
        '61620000',
        'ac0b',
        '0500',
        '37010000',
        '78000000',
        '00000000',
        '34000000',
      ].join(''),
    );
  });

  it.each([
    ['nanoseconds (default)', undefined, 1700000000, 123456789, 123456789],
    ['microseconds', 6, 1700000000, 123456789, 123456000],
    ['2^-30', 0x80 | 30, 1, 500000000, 500000000],
    ['seconds', 0, 42, 999999999, 0],
  ])('timestamps at %s resolution read back', (_name, tsResolution, sec, nsec, expectedNsec) => {
    const writer = new PcapngWriter();
    writer.addInterface({ linkType: 1, tsResolution });
    writer.addPacket({ interfaceIndex: 0, timestampSec: sec, timestampNsec: nsec, data: new Uint8Array(1) });
    expect(readCapture(writer.toBytes()).packets[0]).toMatchObject({
      timestampSec: sec,
      timestampNsec: expectedNsec,
    });
  });

  it('pads packet data and options to 32-bit boundaries', () => {
    const writer = new PcapngWriter();
    writer.addInterface({ linkType: 1 });
    for (const length of [0, 1, 2, 3, 4, 5])
      writer.addPacket({
        interfaceIndex: 0,
        timestampSec: 0,
        timestampNsec: 0,
        data: new Uint8Array(length),
        comment: 'c'.repeat(length),
      });
    const bytes = writer.toBytes();
    expect(bytes.length % 4).toBe(0);
    const result = readCapture(bytes);
    expect(result.problems).toEqual([]);
    expect(result.packets.map((p) => [p.data.length, p.comments?.[0]?.length])).toEqual(
      [0, 1, 2, 3, 4, 5].map((n) => [n, n]),
    );
  });

  it('writes if_tsoffset and restarts interface indexes in a new section', () => {
    const writer = new PcapngWriter();
    expect(writer.addInterface({ linkType: 1, tsOffsetSec: -3 })).toBe(0);
    expect(writer.addInterface({ linkType: 1 })).toBe(1);
    writer.addSection();
    expect(writer.addInterface({ linkType: 113 })).toBe(0);
    const interfaces = readCapture(writer.toBytes()).interfaces;
    expect(interfaces.map((i) => [i.section, i.index, i.tsOffsetSec])).toEqual([
      [0, 0, -3],
      [0, 1, 0],
      [1, 0, 0],
    ]);
  });
});
