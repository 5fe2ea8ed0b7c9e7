import { readCapture } from '../../shared/capture/readCapture';
import { PcapngWriter } from '../../shared/capture/pcapngWriter';

const data = (n: number, seed = 0): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i + seed) & 0xff);

function twoSectionCapture(littleEndian: boolean): Uint8Array {
  const writer = new PcapngWriter({ userApplication: 'test', comments: ['hello'] }, littleEndian);
  const a = writer.addInterface({ linkType: 1, name: 'NodeToPod/eth0', tsResolution: 9 });
  const b = writer.addInterface({ linkType: 113, name: 'plain0', tsResolution: 6, tsOffsetSec: 100 });
  writer.addPacket({
    interfaceIndex: a,
    timestampSec: 1700000000,
    timestampNsec: 123456789,
    data: data(61),
    direction: 'inbound',
  });
  writer.addRawBlock(0x00000bad, data(10));
  writer.addRawBlock(0x40000bad, data(12));
  writer.addRawBlock(0x00000005, data(16));
  writer.addPacket({
    interfaceIndex: b,
    timestampSec: 10,
    timestampNsec: 999999999,
    data: data(20),
    direction: 'outbound',
    comment: 'second',
  });
  writer.addSection({ hardware: 'x86', os: 'linux' });
  const c = writer.addInterface({ linkType: 0, tsResolution: 0x94, snapLength: 8 });
  writer.addPacket({
    interfaceIndex: c,
    timestampSec: 5,
    timestampNsec: 500000000,
    data: data(8),
    originalLength: 100,
    block: 'obsolete',
  });
  writer.addPacket({
    interfaceIndex: c,
    timestampSec: 0,
    timestampNsec: 0,
    data: data(8),
    originalLength: 100,
    block: 'simple',
  });
  return writer.toBytes();
}

describe('pcapng reading', () => {
  it.each([
    ['little-endian', true],
    ['big-endian', false],
  ])('%s: sections, interfaces, resolutions, offsets, directions and block kinds', (_name, littleEndian) => {
    const result = readCapture(twoSectionCapture(littleEndian));
    expect(result.format).toBe('pcapng');
    expect(result.problems).toEqual([]);
    expect(
      result.interfaces.map((i) => [
        i.section,
        i.index,
        i.linkType,
        i.name,
        i.tracePoint,
        i.ifName,
        i.tsResolution,
        i.tsOffsetSec,
      ]),
    ).toEqual([
      [0, 0, 1, 'NodeToPod/eth0', 'NodeToPod', 'eth0', 9, 0],
      [0, 1, 113, 'plain0', undefined, undefined, 6, 100],
      [1, 0, 0, undefined, undefined, undefined, 0x94, 0],
    ]);
    expect(
      result.packets.map((p) => [
        p.frame,
        p.interface.section,
        p.timestampSec,
        p.timestampNsec,
        p.hasTimestamp,
        p.direction,
        p.originalLength,
        p.data.length,
        p.comments,
      ]),
    ).toEqual([
      [1, 0, 1700000000, 123456789, true, 'inbound', 61, 61, undefined],
      [2, 0, 110, 999999000, true, 'outbound', 20, 20, ['second']],
      [3, 1, 5, 500000000, true, 'unknown', 100, 8, undefined],
      [4, 1, 0, 0, false, 'unknown', 100, 8, undefined],
    ]);
    expect(Array.from(result.packets[0]!.data)).toEqual(Array.from(data(61)));
  });

  it('clips a Simple Packet Block to the snap length', () => {
    const writer = new PcapngWriter();
    writer.addInterface({ linkType: 1, snapLength: 4 });
    writer.addPacket({
      interfaceIndex: 0,
      timestampSec: 0,
      timestampNsec: 0,
      data: data(12),
      block: 'simple',
    });
    expect(readCapture(writer.toBytes()).packets[0]!.data.length).toBe(4);
  });

  function damaged(mutate: (bytes: Buffer, firstPacketAt: number) => void): ReturnType<typeof readCapture> {
    const writer = new PcapngWriter();
    writer.addInterface({ linkType: 1 });
    const before = writer.toBytes().length;
    for (let i = 0; i < 3; i++)
      writer.addPacket({ interfaceIndex: 0, timestampSec: i, timestampNsec: 0, data: data(16, i) });
    const bytes = Buffer.from(writer.toBytes());
    mutate(bytes, before);
    return readCapture(bytes);
  }
  const epbLength = 12 + 20 + 16;

  it.each([
    [
      'bad trailing length stops reading',
      (b: Buffer, at: number) => b.writeUInt32LE(999, at + epbLength * 2 - 4),
      1,
      'CAPTURE_BLOCK_MALFORMED',
      true,
      'trailing length 999',
    ],
    [
      'total length not a multiple of 4 stops reading',
      (b: Buffer, at: number) => b.writeUInt32LE(13, at + epbLength + 4),
      1,
      'CAPTURE_BLOCK_MALFORMED',
      true,
      'invalid total length 13',
    ],
    [
      'unknown interface id skips one block',
      (b: Buffer, at: number) => b.writeUInt32LE(7, at + epbLength + 8),
      2,
      'CAPTURE_BLOCK_MALFORMED',
      false,
      'names interface 7',
    ],
    [
      'captured length beyond the block skips one block',
      (b: Buffer, at: number) => b.writeUInt32LE(400, at + 20),
      2,
      'CAPTURE_BLOCK_MALFORMED',
      false,
      'captured length 400 exceeds',
    ],
  ])('%s', (_name, mutate, kept, code, fatal, detail) => {
    const result = damaged(mutate);
    expect(result.packets).toHaveLength(kept);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ code, fatal });
    expect(result.problems[0]!.message).toContain(detail);
    expect(result.problems[0]!.message).toMatch(/pcapng block at byte \d+ \(after frame \d\)/);
  });

  it('reports a capture cut inside a block, keeping what came before', () => {
    const writer = new PcapngWriter();
    writer.addInterface({ linkType: 1 });
    writer.addPacket({ interfaceIndex: 0, timestampSec: 1, timestampNsec: 0, data: data(16) });
    writer.addPacket({ interfaceIndex: 0, timestampSec: 2, timestampNsec: 0, data: data(16) });
    const bytes = writer.toBytes();
    const result = readCapture(bytes.subarray(0, bytes.length - 5));
    expect(result.packets).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ code: 'CAPTURE_TRUNCATED', frame: 1, fatal: true });
  });

  it('rejects a block before the section header', () => {
    const result = readCapture(Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a, 1, 2, 3, 4, 0xff, 0xff, 0xff, 0xff));
    expect(result.problems[0]).toMatchObject({ code: 'CAPTURE_BLOCK_MALFORMED' });
    expect(result.problems[0]!.message).toContain('byte-order magic');
  });

  it('ignores an option list that overruns its block, keeping the packet', () => {
    const writer = new PcapngWriter();
    writer.addInterface({ linkType: 1, name: 'NodeToPod/eth0' });
    const bytes = Buffer.from(writer.toBytes());
    // The IDB's first option (if_name) claims far more bytes than the block holds.
    const idbAt = bytes.readUInt32LE(4);
    bytes.writeUInt16LE(200, idbAt + 16 + 2);
    const result = readCapture(bytes);
    expect(result.interfaces).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ code: 'CAPTURE_BLOCK_MALFORMED', fatal: false });
  });
});
