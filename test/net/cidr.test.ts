import { cidrContains, cidrContainsCidr, formatCidr, parseCidr } from '../../shared/net/cidr';
import { parseIp } from '../../shared/net/ipAddress';

function cidr(text: string) {
  const result = parseCidr(text);
  if (!result.ok) throw new Error(result.reason);
  return result.cidr;
}

describe('parseCidr', () => {
  it.each([
    ['10.0.0.0/8', '10.0.0.0/8', false],
    ['10.1.2.3', '10.1.2.3/32', false],
    ['10.1.2.3/8', '10.0.0.0/8', true],
    ['2001:db8::/32', '2001:db8::/32', false],
    ['2001:db8::1', '2001:db8::1/128', false],
    ['0.0.0.0/0', '0.0.0.0/0', false],
  ])('%s parses to %s (host bits set: %s)', (input, expected, hostBitsSet) => {
    const result = parseCidr(input);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(formatCidr(result.cidr)).toBe(expected);
      expect(result.hostBitsSet).toBe(hostBitsSet);
    }
  });

  it.each(['', '10.0.0.0/33', '10.0.0.0/-1', '10.0.0.0/', 'abc/8', '::/129', '10.0.0.0/8/8', '10.0.0.0/08x'])(
    'rejects %j with a reason',
    (input) => {
      const result = parseCidr(input);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason.length).toBeGreaterThan(0);
    },
  );
});

describe('cidrContains', () => {
  it.each([
    ['10.0.0.0/8', '10.255.1.1', true],
    ['10.0.0.0/8', '11.0.0.1', false],
    ['10.0.0.0/8', '::1', false],
    ['0.0.0.0/0', '1.2.3.4', true],
    ['2001:db8::/32', '2001:db8:ffff::1', true],
    ['2001:db8::/32', '2001:db9::1', false],
    ['10.1.2.3/32', '10.1.2.3', true],
  ])('%s contains %s: %s', (block, ip, expected) => {
    expect(cidrContains(cidr(block), parseIp(ip)!)).toBe(expected);
  });

  it('works on a view at an offset', () => {
    const frame = new Uint8Array([0, 0, 10, 1, 2, 3, 0]);
    expect(cidrContains(cidr('10.0.0.0/8'), frame, 2, 4)).toBe(true);
  });

  it.each([
    ['10.0.0.0/8', '10.1.0.0/16', true],
    ['10.0.0.0/16', '10.0.0.0/8', false],
    ['10.0.0.0/8', '2001:db8::/32', false],
  ])('%s contains block %s: %s', (outer, inner, expected) => {
    expect(cidrContainsCidr(cidr(outer), cidr(inner))).toBe(expected);
  });
});
