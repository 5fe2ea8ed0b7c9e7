import { PrefixIndex } from '../../shared/match/prefixIndex';
import { parseIp } from '../../shared/net/ipAddress';

describe('PrefixIndex', () => {
  const index = new PrefixIndex<string>();
  for (const [cidr, value] of [
    ['10.0.0.0/8', 'ten'],
    ['10.1.0.0/16', 'ten-one'],
    ['10.1.2.3', 'host'],
    ['0.0.0.0/0', 'all4'],
    ['2001:db8::/32', 'doc'],
    ['2001:db8:0:1::/64', 'doc-64'],
    ['2001:db8::/33', 'doc-33'],
    ['::/0', 'all6'],
  ] as const) {
    expect(index.add(cidr, value)).toBe(true);
  }

  const lookup = (ip: string) => {
    const out: (readonly string[])[] = [];
    const count = index.collect(parseIp(ip)!, out);
    expect(count).toBe(out.length);
    return out.flat().sort();
  };

  it.each([
    ['10.1.2.3', ['all4', 'host', 'ten', 'ten-one']],
    ['10.2.0.1', ['all4', 'ten']],
    ['11.0.0.1', ['all4']],
    ['2001:db8:0:1::5', ['all6', 'doc', 'doc-33', 'doc-64']],
    ['2001:db8:8000::1', ['all6', 'doc']],
    ['2001:db9::1', ['all6']],
  ])('%s → %j', (ip, expected) => {
    expect(lookup(ip)).toEqual(expected);
  });

  it('rejects unparseable CIDRs, reports emptiness, ignores odd address lengths', () => {
    const empty = new PrefixIndex<number>();
    expect(empty.empty).toBe(true);
    expect(empty.add('nope', 1)).toBe(false);
    expect(empty.empty).toBe(true);
    const out: (readonly number[])[] = [];
    expect(index.collect(new Uint8Array(5), out as never)).toBe(0);
    expect(out).toEqual([]);
  });

  it('writes after the given count and leaves stale entries past the returned count alone', () => {
    const out: (readonly string[])[] = [['stale-0'], ['stale-1'], ['stale-2'], ['stale-3'], ['stale-4']];
    expect(index.collect(parseIp('10.2.0.1')!, out, 1)).toBe(3);
    expect(out.slice(0, 3).flat().sort()).toEqual(['all4', 'stale-0', 'ten']);
    expect(out[3]).toEqual(['stale-3']);
    expect(index.collect(parseIp('2001:db9::1')!, out, 3)).toBe(4);
    expect(out[3]).toEqual(['all6']);
  });

  it('keeps one entry per value and block', () => {
    const i = new PrefixIndex<string>();
    i.add('10.0.0.0/8', 'a');
    i.add('10.0.0.0/8', 'a');
    const out: (readonly string[])[] = [];
    i.collect(parseIp('10.0.0.1')!, out);
    expect(out).toEqual([['a']]);
  });
});
