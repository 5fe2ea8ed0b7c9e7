import { DnsNameCache } from '../../shared/enrich/dnsNameCache';
import { ipKeyOfText } from '../../shared/enrich/ipKey';
import { parseIp } from '../../shared/net/ipAddress';

const ip = (text: string): Uint8Array => parseIp(text)!;
const key = (text: string): number | string => ipKeyOfText(text)!;

const CLIENT = '10.244.1.5';
const OTHER = '10.244.1.9';
const SERVER = '203.0.113.10';

describe('DnsNameCache', () => {
  it('is empty at first: no name for any address', () => {
    const cache = new DnsNameCache();
    expect(cache.nameFor(ip(CLIENT), ip(SERVER), 0)).toBeUndefined();
    expect(cache.stats()).toEqual({ addresses: 0, learned: 0, evicted: 0 });
  });

  it.each([
    // [ttl seconds, still known at ms, gone at ms]
    ['TTL below the floor is raised to it', 5, 59_999, 60_000],
    ['TTL 0 is raised to the floor', 0, 59_999, 60_000],
    ['TTL between floor and cap is kept', 300, 299_999, 300_000],
    ['TTL above the cap is lowered to it', 86_400, 3_599_999, 3_600_000],
  ])('%s', (_, ttl, knownAt, goneAt) => {
    const cache = new DnsNameCache();
    cache.learn(key(SERVER), 'api.example.com', key(CLIENT), ttl, 0);
    expect(cache.nameFor(ip(CLIENT), ip(SERVER), knownAt)).toBe('api.example.com');
    expect(cache.nameFor(ip(CLIENT), ip(SERVER), goneAt)).toBeUndefined();
  });

  it('honours configured floor and cap', () => {
    const cache = new DnsNameCache({ minTtlInMs: 1_000, maxTtlInMs: 10_000 });
    cache.learn(key(SERVER), 'a.example', key(CLIENT), 0, 0);
    cache.learn(key('203.0.113.11'), 'b.example', key(CLIENT), 100, 0);
    expect(cache.nameFor(ip(CLIENT), ip(SERVER), 999)).toBe('a.example');
    expect(cache.nameFor(ip(CLIENT), ip(SERVER), 1_000)).toBeUndefined();
    expect(cache.nameFor(ip(CLIENT), ip('203.0.113.11'), 9_999)).toBe('b.example');
    expect(cache.nameFor(ip(CLIENT), ip('203.0.113.11'), 10_000)).toBeUndefined();
  });

  it('prefers the most recent lookup by the same client, else the most recent by anyone', () => {
    const cache = new DnsNameCache();
    cache.learn(key(SERVER), 'shop.example', key(CLIENT), 300, 1_000);
    cache.learn(key(SERVER), 'blog.example', key(OTHER), 300, 2_000);
    expect(cache.nameFor(ip(CLIENT), ip(SERVER), 3_000)).toBe('shop.example');
    expect(cache.nameFor(ip(OTHER), ip(SERVER), 3_000)).toBe('blog.example');
    // A third pod never resolved it: the node's most recent lookup.
    expect(cache.nameFor(ip('10.244.1.77'), ip(SERVER), 3_000)).toBe('blog.example');
    // The client resolves another name for the same address later: that one wins for it.
    cache.learn(key(SERVER), 'cdn.example', key(CLIENT), 300, 4_000);
    expect(cache.nameFor(ip(CLIENT), ip(SERVER), 5_000)).toBe('cdn.example');
    // Its own lookups expired: the node's most recent valid one.
    cache.learn(key(SERVER), 'late.example', key(OTHER), 3_600, 200_000);
    expect(cache.nameFor(ip(CLIENT), ip(SERVER), 400_000)).toBe('late.example');
  });

  it('keeps at most maxNamesPerAddress names per address, counting the replaced one', () => {
    const cache = new DnsNameCache({ maxNamesPerAddress: 2 });
    cache.learn(key(SERVER), 'one.example', key('10.0.0.1'), 300, 1);
    cache.learn(key(SERVER), 'two.example', key('10.0.0.2'), 300, 2);
    cache.learn(key(SERVER), 'three.example', key('10.0.0.3'), 300, 3);
    // one.example (least recently learned) was replaced: its client falls back to the newest.
    expect(cache.nameFor(ip('10.0.0.1'), ip(SERVER), 4)).toBe('three.example');
    expect(cache.nameFor(ip('10.0.0.2'), ip(SERVER), 4)).toBe('two.example');
    expect(cache.stats()).toEqual({ addresses: 1, learned: 3, evicted: 1 });
  });

  it('refreshing the same name for the same client neither grows nor evicts', () => {
    const cache = new DnsNameCache({ maxNamesPerAddress: 1 });
    for (let t = 0; t < 100; t++) cache.learn(key(SERVER), 'same.example', key(CLIENT), 60, t * 1000);
    expect(cache.stats()).toEqual({ addresses: 1, learned: 100, evicted: 0 });
    expect(cache.nameFor(ip(CLIENT), ip(SERVER), 99_000 + 59_999)).toBe('same.example');
  });

  it('expired names make room without counting as evictions', () => {
    const cache = new DnsNameCache({ maxNamesPerAddress: 1 });
    cache.learn(key(SERVER), 'old.example', key(CLIENT), 60, 0);
    cache.learn(key(SERVER), 'new.example', key(OTHER), 60, 120_000);
    expect(cache.stats().evicted).toBe(0);
    expect(cache.nameFor(ip(CLIENT), ip(SERVER), 120_001)).toBe('new.example');
  });

  it('evicts the least recently learned or used address beyond maxAddresses, counting valid names', () => {
    const cache = new DnsNameCache({ maxAddresses: 2 });
    cache.learn(key('198.51.100.1'), 'a.example', key(CLIENT), 300, 0);
    cache.learn(key('198.51.100.2'), 'b.example', key(CLIENT), 300, 1);
    // A lookup (at least a second later) makes a.example the most recently used.
    expect(cache.nameFor(ip(CLIENT), ip('198.51.100.1'), 2_000)).toBe('a.example');
    cache.learn(key('198.51.100.3'), 'c.example', key(CLIENT), 300, 3_000);
    expect(cache.nameFor(ip(CLIENT), ip('198.51.100.2'), 3_000)).toBeUndefined();
    expect(cache.nameFor(ip(CLIENT), ip('198.51.100.1'), 3_000)).toBe('a.example');
    expect(cache.stats()).toEqual({ addresses: 2, learned: 3, evicted: 1 });
    // An expired entry leaving for room is not an eviction.
    cache.learn(key('198.51.100.4'), 'd.example', key(CLIENT), 300, 1_000_000);
    cache.learn(key('198.51.100.5'), 'e.example', key(CLIENT), 300, 1_000_001);
    expect(cache.stats()).toEqual({ addresses: 2, learned: 5, evicted: 1 });
  });

  it('stays bounded under a flood of distinct addresses and names', () => {
    const cache = new DnsNameCache({ maxAddresses: 100, maxNamesPerAddress: 3 });
    for (let i = 0; i < 10_000; i++) {
      cache.learn(i, `n${i}.example`, key(CLIENT), 300, i);
      cache.learn(7, `shared${i}.example`, i, 300, i);
    }
    const stats = cache.stats();
    expect(stats.addresses).toBe(100);
    expect(stats.learned).toBe(20_000);
    // Every learned name beyond the bounds was counted: 9 900 addresses, and all but 3 names of address 7.
    expect(stats.evicted).toBeGreaterThanOrEqual(9_900 + 10_000 - 3 - 100);
  });

  it('addresses sharing a filter bucket (the same XOR of their 16-bit words) stay apart', () => {
    const cache = new DnsNameCache({ maxAddresses: 2 });
    cache.learn(key('192.0.2.7'), 'a.example', key(CLIENT), 300, 0);
    cache.learn(key('2.7.192.0'), 'b.example', key(CLIENT), 300, 0);
    expect(cache.nameFor(ip(CLIENT), ip('192.0.2.7'), 1)).toBe('a.example');
    expect(cache.nameFor(ip(CLIENT), ip('2.7.192.0'), 1)).toBe('b.example');
    // Evicting one leaves the other findable, and the evicted one unknown.
    cache.learn(key('198.51.100.9'), 'c.example', key(CLIENT), 300, 2);
    expect(cache.nameFor(ip(CLIENT), ip('192.0.2.7'), 3)).toBeUndefined();
    expect(cache.nameFor(ip(CLIENT), ip('2.7.192.0'), 3)).toBe('b.example');
    // IPv6 keys fold the same way: ::c000:207 shares the bucket, yet is not known.
    expect(cache.nameFor(ip(CLIENT), ip('::c000:207'), 3)).toBeUndefined();
    cache.learn(key('2001:db8::1'), 'v6.example', key(CLIENT), 300, 4);
    expect(cache.nameFor(ip(CLIENT), ip('2001:db8::1'), 5)).toBe('v6.example');
  });

  it('keys IPv6 addresses too', () => {
    const cache = new DnsNameCache();
    cache.learn(key('2001:db8::10'), 'v6.example', key('fd00::5'), 300, 0);
    expect(cache.nameFor(ip('fd00::5'), ip('2001:db8::10'), 1)).toBe('v6.example');
    expect(cache.nameFor(ip('fd00::5'), ip('2001:db8::11'), 1)).toBeUndefined();
  });
});
