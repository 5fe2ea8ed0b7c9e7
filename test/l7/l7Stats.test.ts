import { emptyL7Stats } from '../../shared/l7/l7Stats';

describe('emptyL7Stats', () => {
  it('starts every counter at zero, in a fresh object each time', () => {
    const a = emptyL7Stats();
    const { http2AbortReasons, ...counters } = a;
    expect(Object.values(counters).every((v) => v === 0)).toBe(true);
    expect(http2AbortReasons).toEqual({});
    a.http++;
    expect(emptyL7Stats().http).toBe(0);
  });
});
