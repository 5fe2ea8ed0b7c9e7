import { readI64, readU16, readU32 } from '../../shared/capture/byteOrder';

describe('byte order reads', () => {
  const bytes = Uint8Array.of(0x01, 0x02, 0x03, 0xf4, 0xff, 0xff, 0xff, 0xff);
  it.each([
    ['u16 LE', readU16(bytes, 0, true), 0x0201],
    ['u16 BE', readU16(bytes, 0, false), 0x0102],
    ['u32 LE high bit', readU32(bytes, 0, true), 0xf4030201],
    ['u32 BE', readU32(bytes, 0, false), 0x010203f4],
    ['i64 LE negative', readI64(Uint8Array.of(0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), 0, true), -2],
    ['i64 BE', readI64(Uint8Array.of(0, 0, 0, 1, 0, 0, 0, 2), 0, false), 4294967298],
    ['i64 zero', readI64(new Uint8Array(8), 0, true), 0],
  ])('%s', (_name, got, expected) => {
    expect(got).toBe(expected);
  });
});
