import { resultKey } from '../../shared/match/configurationMatcher';

describe('resultKey', () => {
  it('gives every set of one or two rules its own numeric key', () => {
    const ruleCount = 300;
    const seen = new Map<number | string, string>();
    for (let a = 0; a < ruleCount; a++) {
      for (const ids of [[a], ...Array.from({ length: ruleCount - a - 1 }, (_, k) => [a, a + k + 1])]) {
        const key = resultKey(ids, ruleCount);
        expect(typeof key).toBe('number');
        const previous = seen.get(key);
        if (previous !== undefined) throw new Error(`[${ids.join(',')}] and [${previous}] share key ${key}`);
        seen.set(key, ids.join(','));
      }
    }
    expect(seen.size).toBe(ruleCount + (ruleCount * (ruleCount - 1)) / 2);
  });

  it('keeps the largest pair below the next single-rule range and lists three or more rules', () => {
    expect(resultKey([0xfffe, 0xffff], 0x10000)).toBe(0x10000 * 0xffff + 0xffff);
    expect(Number.isSafeInteger(resultKey([0xfffe, 0xffff], 0x10000))).toBe(true);
    expect(resultKey([1, 4, 7], 10)).toBe('1,4,7');
    // Too many rules for the numeric pair: falls back to the list rather than colliding.
    expect(resultKey([1, 2], 0x10001)).toBe('1,2');
  });

  it('reads only the first `count` ids of a reused scratch array', () => {
    expect(resultKey([3, 5, 9], 10, 2)).toBe(resultKey([3, 5], 10));
    expect(resultKey([3, 5, 9], 10, 1)).toBe(3);
    expect(resultKey([1, 4, 7, 9], 10, 3)).toBe('1,4,7');
  });
});
