import { partitionForKey } from '../../../shared/local/eventHubs/partitionForKey';

describe('partitionForKey', () => {
  it.each([
    // FNV-1a 32-bit reference values: "" → 0x811c9dc5, "a" → 0xe40c292c, "foobar" → 0xbf9cf968.
    ['', 1000, 0x811c9dc5 % 1000],
    ['a', 1000, 0xe40c292c % 1000],
    ['foobar', 1000, 0xbf9cf968 % 1000],
    ['anything', 1, 0],
    ['anything', 0, 0],
  ])('maps %j over %i partitions to %i', (key, count, expected) => {
    expect(partitionForKey(key, count)).toBe(expected);
  });

  it('is stable and stays within range', () => {
    for (const key of ['node-a', 'node-b', 'aks-nodepool1-0', 'ü']) {
      const first = partitionForKey(key, 32);
      expect(partitionForKey(key, 32)).toBe(first);
      expect(first).toBeGreaterThanOrEqual(0);
      expect(first).toBeLessThan(32);
    }
  });

  it('spreads many keys over every partition', () => {
    const used = new Set(Array.from({ length: 200 }, (_, index) => partitionForKey(`node-${index}`, 4)));
    expect([...used].sort()).toEqual([0, 1, 2, 3]);
  });
});
