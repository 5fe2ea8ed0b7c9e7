import fc from 'fast-check';
import { formatIp, ipEquals, parseIp } from '../../shared/net/ipAddress';

describe('parseIp / formatIp', () => {
  it.each([
    ['10.0.0.1', '10.0.0.1'],
    ['0.0.0.0', '0.0.0.0'],
    ['::', '::'],
    ['::1', '::1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['fe80:0:0:0:0:0:0:0', 'fe80::'],
    ['::ffff:10.1.2.3', '::ffff:10.1.2.3'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2:3:4:5:6'],
  ])('%s round-trips to %s', (input, expected) => {
    const bytes = parseIp(input);
    expect(bytes).toBeDefined();
    expect(formatIp(bytes!)).toBe(expected);
  });

  it.each([
    '',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '01.2.3.4',
    '1::2::3',
    'gggg::',
    '1.2.3.4/32',
    ' 1.2.3.4',
    ':::',
  ])('rejects %j', (input) => {
    expect(parseIp(input)).toBeUndefined();
  });

  it('formats any IPv6 address as RFC 5952 text (the WHATWG URL serialiser agrees) that parses back', () => {
    // Groups drawn mostly from 0 so runs of zero groups (and ties between runs) are common.
    const group = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), fc.nat(8), (groups, offset) => {
        const bytes = new Uint8Array(offset + 16);
        groups.forEach((g, i) => {
          bytes[offset + i * 2] = g >> 8;
          bytes[offset + i * 2 + 1] = g & 0xff;
        });
        const text = formatIp(bytes, offset, 16);
        expect(parseIp(text)).toEqual(bytes.subarray(offset));
        const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
        if (!mapped) expect(text).toBe(new URL(`http://[${text}]/`).hostname.slice(1, -1));
      }),
      { numRuns: 2000 },
    );
  });

  it('compares addresses byte-wise', () => {
    expect(ipEquals(parseIp('10.0.0.1')!, parseIp('10.0.0.1')!)).toBe(true);
    expect(ipEquals(parseIp('10.0.0.1')!, parseIp('10.0.0.2')!)).toBe(false);
    expect(ipEquals(parseIp('::')!, parseIp('0.0.0.0')!)).toBe(false);
  });
});
