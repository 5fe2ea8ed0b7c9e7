import { byteHex, concatBytes, hex, indexOfByte, latin1, u16, u24, u32 } from '../../shared/l7/bytes';

const data = Uint8Array.from([0x01, 0x02, 0x03, 0x04, 0xff]);

describe('byte helpers', () => {
  it.each([
    ['u16', u16(data, 0), 0x0102],
    ['u24', u24(data, 1), 0x020304],
    ['u32', u32(data, 1), 0x020304ff],
    ['u32 high bit stays unsigned', u32(Uint8Array.from([0xff, 0xff, 0xff, 0xff]), 0), 0xffffffff],
    ['u16 past the end reads zeros', u16(data, 4), 0xff00],
    ['u16 of empty', u16(new Uint8Array(0), 0), 0],
  ])('%s', (_name, actual, expected) => expect(actual).toBe(expected));

  it.each([
    ['short', Uint8Array.from([0x47, 0x45, 0x54]), 'GET'],
    ['high bytes map one to one', Uint8Array.from([0xe9, 0x80]), '\u00e9\u0080'],
    ['long', new Uint8Array(100).fill(0x61), 'a'.repeat(100)],
    ['empty', new Uint8Array(0), ''],
  ])('latin1: %s', (_name, input, expected) => expect(latin1(input, 0, input.length)).toBe(expected));

  it('latin1 of a view honours its offset', () => {
    const view = new Uint8Array(Uint8Array.from([0x78, ...new Array<number>(40).fill(0x62)]).buffer, 1);
    expect(latin1(view, 0, 40)).toBe('b'.repeat(40));
  });

  it('hex and concat', () => {
    expect(hex(data)).toBe('01020304ff');
    expect(hex(data, 1, 2)).toBe('02');
    expect(Array.from(concatBytes(data.subarray(0, 2), data.subarray(4)))).toEqual([1, 2, 0xff]);
  });

  it.each([
    ['first match', 0, 5, 1],
    ['from skips earlier matches', 2, 5, 3],
    ['end is exclusive', 2, 3, -1],
    ['end past the array is clamped', 4, 99, -1],
    ['empty range', 3, 3, -1],
  ])('indexOfByte: %s', (_name, from, end, expected) => {
    expect(indexOfByte(Uint8Array.from([9, 0x0a, 9, 0x0a, 9]), 0x0a, from, end)).toBe(expected);
  });

  it('hex of every byte value, and past the end', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const expected = Array.from(all, (b) => b.toString(16).padStart(2, '0')).join('');
    expect(hex(all)).toBe(expected);
    expect(hex(all, 254, 258)).toBe('feff0000');
    expect(byteHex(0x0a)).toBe('0a');
    expect(byteHex(0x1ff)).toBe('ff');
  });
});
