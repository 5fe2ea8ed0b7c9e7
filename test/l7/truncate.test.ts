import { TRUNCATION_MARKER, truncateField } from '../../shared/l7/truncate';

describe('truncateField', () => {
  it.each([
    ['empty', '', 5, ''],
    ['fits', 'abc', 3, 'abc'],
    ['cut', 'a'.repeat(30), 20, 'a'.repeat(20 - TRUNCATION_MARKER.length) + TRUNCATION_MARKER],
    ['limit below marker', 'abcdef', 2, TRUNCATION_MARKER],
  ])('%s', (_name, value, limit, expected) => {
    expect(truncateField(value, limit)).toBe(expected);
  });
});
