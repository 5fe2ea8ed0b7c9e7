import fc from 'fast-check';
import { resultKey } from '../../shared/match/configurationMatcher';

/** Every ascending set of 1..maxSize ids below `ruleCount`. */
function sortedSets(ruleCount: number, maxSize: number): number[][] {
  const out: number[][] = [];
  const grow = (set: number[]) => {
    if (set.length > 0) out.push(set);
    if (set.length === maxSize) return;
    for (let id = (set.at(-1) ?? -1) + 1; id < ruleCount; id++) grow([...set, id]);
  };
  grow([]);
  return out;
}

describe('resultKey', () => {
  it.each([
    [1, 1],
    [7, 7],
    [40, 3],
    [300, 2],
  ])('gives every set of up to %i rules (sizes ≤ %i) its own numeric key', (ruleCount, maxSize) => {
    const seen = new Map<number | string, string>();
    for (const ids of sortedSets(ruleCount, maxSize)) {
      const key = resultKey(ids, ruleCount);
      expect(typeof key).toBe('number');
      const previous = seen.get(key);
      if (previous !== undefined) throw new Error(`[${ids.join(',')}] and [${previous}] share key ${key}`);
      seen.set(key, ids.join(','));
    }
  });

  it('never gives two different id lists the same key (property)', () => {
    const ids = (ruleCount: number) =>
      fc.array(fc.nat({ max: ruleCount - 1 }), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 100_000 })
          .chain((ruleCount) => fc.tuple(fc.constant(ruleCount), ids(ruleCount), ids(ruleCount))),
        ([ruleCount, a, b]) => {
          const same = a.length === b.length && a.every((id, i) => id === b[i]);
          expect(resultKey(a, ruleCount) === resultKey(b, ruleCount)).toBe(same);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('falls back to the listed ids when the number would not be exact', () => {
    const many = Array.from({ length: 8 }, (_, i) => i * 1000);
    expect(resultKey(many, 100_000)).toBe(many.join(','));
    const key = resultKey([1, 2, 3], 100_000);
    expect(Number.isSafeInteger(key)).toBe(true);
  });

  it('reads only the first `count` ids of a reused scratch array', () => {
    expect(resultKey([3, 5, 9], 10, 2)).toBe(resultKey([3, 5], 10));
    expect(resultKey([3, 5, 9], 10, 1)).toBe(resultKey([3], 10));
    expect(resultKey([1, 4, 7, 9], 10_000_000, 3)).toBe(resultKey([1, 4, 7], 10_000_000));
    expect(
      resultKey(
        Array.from({ length: 9 }, (_, i) => i * 1000),
        10_000,
        8,
      ),
    ).toBe(Array.from({ length: 8 }, (_, i) => i * 1000).join(','));
  });
});
