import { readCapture } from '../../shared/capture/readCapture';
import { pcapMagic } from '../../shared/capture/pcapParser';
import { writePcap } from '../../shared/capture/pcapWriter';

const frameA = Uint8Array.from({ length: 60 }, (_, i) => i);
const frameB = Uint8Array.from({ length: 33 }, (_, i) => 255 - i);
const records = [
  { timestampSec: 1700000000, timestampNsec: 123456789, data: frameA },
  { timestampSec: 1700000001, timestampNsec: 5000, data: frameB, originalLength: 1500 },
];

describe('classic pcap reading', () => {
  it.each([
    ['little-endian µs', true, false, 123456000],
    ['big-endian µs', false, false, 123456000],
    ['little-endian ns', true, true, 123456789],
    ['big-endian ns', false, true, 123456789],
  ])('%s', (_name, littleEndian, nanosecond, firstNsec) => {
    const bytes = writePcap({ linkType: 113, littleEndian, nanosecond }, records);
    const result = readCapture(bytes);
    expect(result.format).toBe('pcap');
    expect(result.problems).toEqual([]);
    expect(result.interfaces).toEqual([
      {
        index: 0,
        section: 0,
        linkType: 113,
        snapLength: 262144,
        tsResolution: nanosecond ? 9 : 6,
        tsOffsetSec: 0,
      },
    ]);
    expect(
      result.packets.map((p) => [
        p.frame,
        p.timestampSec,
        p.timestampNsec,
        p.originalLength,
        p.data.length,
        p.offset,
      ]),
    ).toEqual([
      [1, 1700000000, firstNsec, 60, 60, 24],
      [2, 1700000001, nanosecond ? 5000 : 5000, 1500, 33, 24 + 16 + 60],
    ]);
    expect(Array.from(result.packets[1]!.data)).toEqual(Array.from(frameB));
  });

  it('keeps packets as views into the input (no copies)', () => {
    const bytes = writePcap({ linkType: 1 }, records);
    const packet = readCapture(bytes).packets[0]!;
    expect(packet.data.buffer).toBe(bytes.buffer);
  });

  it('masks the FCS bits out of the link-type field', () => {
    const bytes = writePcap({ linkType: 0x10000001 }, records);
    expect(readCapture(bytes).interfaces[0]!.linkType).toBe(1);
  });

  it.each([
    ['truncated file header', 10, 'CAPTURE_TRUNCATED', 0, 'file header at byte 0'],
    ['truncated first record header', 24 + 8, 'CAPTURE_TRUNCATED', 0, 'record header at byte 24'],
    [
      'truncated second record body',
      24 + 16 + 60 + 16 + 10,
      'CAPTURE_TRUNCATED',
      1,
      'record at byte 100 (after frame 1)',
    ],
  ])('%s is reported with offset and frame, keeping earlier packets', (_name, cut, code, kept, where) => {
    const bytes = writePcap({ linkType: 1 }, records).subarray(0, cut);
    const result = readCapture(bytes);
    expect(result.packets).toHaveLength(kept);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ code, fatal: true, frame: kept });
    expect(result.problems[0]!.message).toContain(where);
  });

  it('stops at an absurd captured length instead of reading garbage', () => {
    const bytes = Buffer.from(writePcap({ linkType: 1 }, records));
    bytes.writeUInt32LE(0x7fffffff, 24 + 16 + 60 + 8);
    const result = readCapture(bytes);
    expect(result.packets).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({
      code: 'CAPTURE_RECORD_MALFORMED',
      offset: 100,
      frame: 1,
      fatal: true,
    });
  });

  it('carries microsecond overflow into seconds', () => {
    const bytes = Buffer.from(writePcap({ linkType: 1 }, [records[0]!]));
    bytes.writeUInt32LE(1_500_000, 28);
    expect(readCapture(bytes).packets[0]).toMatchObject({
      timestampSec: 1700000001,
      timestampNsec: 500000000,
    });
  });

  it.each([
    [Uint8Array.of(0xd4, 0xc3, 0xb2, 0xa1), { littleEndian: true, nanosecond: false }],
    [Uint8Array.of(0xa1, 0xb2, 0x3c, 0x4d), { littleEndian: false, nanosecond: true }],
    [Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a), undefined],
    [Uint8Array.of(0xd4, 0xc3), undefined],
    [new Uint8Array(0), undefined],
  ])('pcapMagic(%s)', (bytes, expected) => {
    expect(pcapMagic(bytes)).toEqual(expected);
  });
});
