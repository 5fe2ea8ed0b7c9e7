import { parseRetryAfter } from '../../../shared/sinks/send/retryAfter';

const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('parseRetryAfter', () => {
  it.each([
    [undefined, 1000, undefined],
    ['', 1000, undefined],
    ['  ', 1000, undefined],
    ['0', 1000, 0],
    ['3', 1000, 3000],
    ['1.5', 1000, 1500],
    ['250', 1, 250],
    ['-1', 1000, undefined],
    ['abc', 1000, undefined],
    ['Thu, 01 Jan 2026 00:00:10 GMT', 1000, 10_000],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 1000, 0],
    ['Thu, 01 Jan 2026 00:00:10 GMT', 1, undefined],
  ])('%j (unit %i ms) → %j', (value, unit, expected) => {
    expect(parseRetryAfter(value, NOW, unit)).toBe(expected);
  });
});
