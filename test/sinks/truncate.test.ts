import { TRUNCATION_MARKER, truncateText } from '../../shared/sinks/truncate';

describe('truncateText', () => {
  const m = TRUNCATION_MARKER.length;
  it.each([
    ['empty', '', 20, ''],
    ['fits exactly', 'a'.repeat(20), 20, 'a'.repeat(20)],
    ['one over', 'a'.repeat(21), 20, 'a'.repeat(20 - m) + TRUNCATION_MARKER],
    ['limit smaller than marker', 'abcdef', 3, TRUNCATION_MARKER],
  ])('%s', (_name, text, max, expected) => {
    expect(truncateText(text, max)).toBe(expected);
  });

  it('never splits a surrogate pair', () => {
    const text = 'a'.repeat(20 - m - 1) + '😀'.repeat(10);
    const cut = truncateText(text, 20);
    expect(cut.length).toBeLessThanOrEqual(20);
    expect(cut).toBe('a'.repeat(20 - m - 1) + TRUNCATION_MARKER);
  });
});
