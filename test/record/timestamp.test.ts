import { isoTime, timestampNs } from '../../shared/record/timestamp';

describe('timestampNs', () => {
  it.each([
    [0, 0, '0'],
    [0, 5, '5'],
    [1, 0, '1000000000'],
    [1_700_000_000, 123_456_789, '1700000000123456789'],
    [1_700_000_000, 1, '1700000000000000001'],
    [4_294_967_295, 999_999_999, '4294967295999999999'],
  ])('%i s + %i ns → %s', (sec, nsec, expected) => {
    expect(timestampNs(sec, nsec)).toBe(expected);
    expect(BigInt(timestampNs(sec, nsec))).toBe(BigInt(sec) * 1_000_000_000n + BigInt(nsec));
  });
});

describe('isoTime', () => {
  it.each([
    [0, 0, '1970-01-01T00:00:00.000000Z'],
    [1_700_000_000, 123_456_789, '2023-11-14T22:13:20.123456Z'],
    [1_700_000_000, 999, '2023-11-14T22:13:20.000000Z'],
    [1_700_000_000, 999_999_999, '2023-11-14T22:13:20.999999Z'],
  ])('%i s + %i ns → %s', (sec, nsec, expected) => {
    expect(isoTime(sec, nsec)).toBe(expected);
  });
});
