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

  it.each(['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1::2::3', 'gggg::', '1.2.3.4/32', ' 1.2.3.4', ':::'])(
    'rejects %j',
    (input) => {
      expect(parseIp(input)).toBeUndefined();
    },
  );

  it('compares addresses byte-wise', () => {
    expect(ipEquals(parseIp('10.0.0.1')!, parseIp('10.0.0.1')!)).toBe(true);
    expect(ipEquals(parseIp('10.0.0.1')!, parseIp('10.0.0.2')!)).toBe(false);
    expect(ipEquals(parseIp('::')!, parseIp('0.0.0.0')!)).toBe(false);
  });
});
