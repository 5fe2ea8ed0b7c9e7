import {
  coalesce,
  groupBy,
  percentile,
  round,
  timeMs,
  timestampNs,
  topBy,
} from '../../../shared/cli/queryViews/viewFunctions';

describe('view functions (KQL semantics)', () => {
  it.each<[readonly number[], number, number | null]>([
    [[], 50, null],
    [[7], 99, 7],
    [[1, 2, 3, 4], 50, 2],
    [[4, 3, 2, 1], 95, 4],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90, 9],
    [[5, 1], 0, 1],
  ])('percentile(%j, %d) is %p (nearest rank)', (values, percent, expected) => {
    expect(percentile(values, percent)).toBe(expected);
  });

  it.each<[(string | undefined)[], string]>([
    [[], ''],
    [[undefined, '', 'b', 'c'], 'b'],
    [['', undefined], ''],
  ])('coalesce(%j) is %p, skipping empty strings like KQL', (values, expected) => {
    expect(coalesce(...values)).toBe(expected);
  });

  it.each<[string | undefined, number | undefined]>([
    [undefined, undefined],
    ['not a time', undefined],
    ['2026-12-01T10:00:00.123456789Z', Date.parse('2026-12-01T10:00:00.123Z')],
  ])('timeMs(%p) is %p', (text, expected) => {
    expect(timeMs(text)).toBe(expected);
  });

  it.each<[{ TimestampNs?: string; TimeGenerated?: string }, bigint | undefined]>([
    [{ TimestampNs: '1764583200123456789' }, 1764583200123456789n],
    [{ TimestampNs: 'x', TimeGenerated: '1970-01-01T00:00:01Z' }, 1_000_000_000n],
    [{}, undefined],
  ])('timestampNs(%j) is %p', (value, expected) => {
    expect(timestampNs(value)).toBe(expected);
  });

  it('round, groupBy (missing and empty in one group) and topBy (non-numbers last)', () => {
    expect(round(2 / 3, 2)).toBe(0.67);
    expect(
      [...groupBy([{ a: undefined }, { a: '' }, { a: 'x' }], (item) => [item.a]).values()].map(
        (g) => g.length,
      ),
    ).toEqual([2, 1]);
    expect(topBy([{ v: null }, { v: 1 }, { v: 3 }], 'v', 2)).toEqual([{ v: 3 }, { v: 1 }]);
  });
});
