import { MemoryIdentityStore } from '../../shared/enrich/memoryIdentityStore';
import { parseIp } from '../../shared/net/ipAddress';

describe('MemoryIdentityStore', () => {
  it('keeps one table per cluster and expires entries when a lookup is taken', async () => {
    let now = 0;
    const store = new MemoryIdentityStore({ ttlInMs: 1000, now: () => now });
    await store.apply({
      cluster: 'c1',
      generatedAt: '2024-01-01T00:00:00Z',
      complete: true,
      endpoints: [{ ip: '10.0.0.1', kind: 'pod', name: 'a' }],
    });
    await store.apply({
      cluster: 'c2',
      generatedAt: '2024-01-01T00:00:00Z',
      complete: true,
      endpoints: [{ ip: '10.0.0.1', kind: 'pod', name: 'b' }],
    });
    const ip = parseIp('10.0.0.1')!;
    expect((await store.lookupFor('c1')).lookup(ip)?.name).toBe('a');
    expect((await store.lookupFor('c2')).lookup(ip)?.name).toBe('b');
    expect((await store.lookupFor('unknown')).lookup(ip)).toBeUndefined();
    expect(store.tableFor('c1')?.size).toBe(1);
    now = 2000;
    expect((await store.lookupFor('c1')).lookup(ip)).toBeUndefined();
  });
});
