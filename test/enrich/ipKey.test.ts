import { ipKey, ipKeyOfText } from '../../shared/enrich/ipKey';
import { parseIp } from '../../shared/net/ipAddress';

describe('ipKey', () => {
  it.each([
    ['0.0.0.0', 0],
    ['10.0.0.1', 0x0a000001],
    ['255.255.255.255', 0xffffffff],
  ])('IPv4 %s → number %i', (text, expected) => {
    expect(ipKey(parseIp(text)!)).toBe(expected);
    expect(ipKeyOfText(text)).toBe(expected);
  });

  it.each([
    ['2001:db8::1', '2001:0db8:0:0:0:0:0:1'],
    ['::', '::0'],
  ])('IPv6 %s is the same key as its other spelling %s', (a, b) => {
    expect(typeof ipKeyOfText(a)).toBe('string');
    expect(ipKeyOfText(a)).toBe(ipKeyOfText(b));
  });

  it('reads an address inside a larger buffer', () => {
    const frame = new Uint8Array([9, 9, 10, 0, 0, 1, 9]);
    expect(ipKey(frame, 2, 4)).toBe(0x0a000001);
    expect(ipKey(frame.subarray(2, 6))).toBe(0x0a000001);
  });

  it.each(['', 'nonsense', '10.0.0.256', '1::2::3'])('unparseable %j has no key', (text) => {
    expect(ipKeyOfText(text)).toBeUndefined();
  });

  it('distinct IPv6 addresses get distinct keys, including surrogate-range groups', () => {
    const keys = new Set(
      ['d800::1', 'dc00::1', 'fffd::1', '2001:db8::1', '::1', '::ffff:10.0.0.1'].map((t) => ipKeyOfText(t)),
    );
    expect(keys.size).toBe(6);
  });
});
