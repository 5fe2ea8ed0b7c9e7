import { emptyL7Stats } from '../../shared/l7/l7Stats';

describe('emptyL7Stats', () => {
  it('starts every counter at zero, in a fresh object each time', () => {
    const a = emptyL7Stats();
    expect(Object.values(a).every((v) => v === 0)).toBe(true);
    a.http++;
    expect(emptyL7Stats().http).toBe(0);
  });
});
