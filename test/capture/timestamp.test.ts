import fc from 'fast-check';
import { splitTimestamp } from '../../shared/capture/timestamp';

function reference(
  high: number,
  low: number,
  resolution: number,
  offset: number,
): { sec: number; nsec: number } {
  const units = (BigInt(high) << 32n) | BigInt(low);
  const exponent = BigInt(resolution & 0x7f);
  const perSecond = (resolution & 0x80) === 0 ? 10n ** exponent : 1n << exponent;
  return {
    sec: Number(units / perSecond) + offset,
    nsec: Number(((units % perSecond) * 1_000_000_000n) / perSecond),
  };
}

describe('splitTimestamp', () => {
  it.each([
    ['zero', 0, 0, 6, 0, 0, 0],
    ['microseconds', 0x000619c2, 0x3237ad80, 6, 0, 1717171717, 123456000],
    ['nanoseconds beyond 2^53', 0x17d49e94, 0x297dbf15, 9, 0, 1717171717, 123456789],
    ['seconds resolution', 0, 1700000000, 0, 0, 1700000000, 0],
    ['milliseconds with offset', 0, 1500, 3, 100, 101, 500000000],
    ['2^-1 (half seconds)', 0, 3, 0x81, 0, 1, 500000000],
    ['2^-20 power-of-two resolution', 0, 1 << 20, 0x94, 0, 1, 0],
    ['picoseconds (10^-12)', 0, 1500, 12, 0, 0, 1],
    ['negative offset', 0, 10, 0, -5, 5, 0],
  ])('%s', (_name, high, low, resolution, offset, sec, nsec) => {
    const got = splitTimestamp(high, low, resolution, offset);
    expect(got).toEqual(reference(high, low, resolution, offset));
    expect(got).toEqual({ sec, nsec });
  });

  it.each([
    [0xffffffff, 0xffffffff, 9],
    [0x12345678, 0x9abcdef0, 6],
    [0x00000001, 0x00000000, 9],
    [0x7fffffff, 0x00000001, 3],
  ])('matches BigInt division for %s:%s at 10^-%s', (high, low, resolution) => {
    expect(splitTimestamp(high, low, resolution, 0)).toEqual(reference(high, low, resolution, 0));
  });

  it('matches BigInt division at decimal resolutions 3–9 for every count whose seconds fit 2^53', () => {
    const arbitrary = fc
      .integer({ min: 3, max: 9 })
      .chain((resolution) =>
        fc.tuple(
          fc.integer({ min: 0, max: Math.min(0xffffffff, 2 ** 21 * 10 ** resolution - 1) }),
          fc.integer({ min: 0, max: 0xffffffff }),
          fc.constant(resolution),
        ),
      );
    fc.assert(
      fc.property(arbitrary, ([high, low, resolution]) => {
        expect(splitTimestamp(high, low, resolution, 0)).toEqual(reference(high, low, resolution, 0));
      }),
      { numRuns: 5000 },
    );
  });

  it('matches BigInt division at resolutions 0–2 while the seconds stay below 2^53', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0x1fffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 2 }),
        (high, low, resolution) => {
          expect(splitTimestamp(high, low, resolution, 0)).toEqual(reference(high, low, resolution, 0));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
