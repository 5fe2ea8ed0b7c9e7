import { backoffDelay, sleep } from '../../../shared/sinks/send/backoff';

describe('backoffDelay', () => {
  it.each([
    // retry, random, retryAfter, expected (base 100, max 1000)
    [1, 0, undefined, 50],
    [1, 0.999999, undefined, 100],
    [2, 0, undefined, 100],
    [3, 0.5, undefined, 300],
    [10, 0, undefined, 500],
    [10, 0.999999, undefined, 1000],
    [1, 0, 2500, 2500],
    [3, 1, 10, 400],
    [0, 0, undefined, 50],
  ])('retry %i random %d retry-after %j → %i ms', (retry, random, retryAfter, expected) => {
    expect(backoffDelay(retry, { baseDelayMs: 100, maxDelayMs: 1000 }, retryAfter, () => random)).toBe(
      expected,
    );
  });
});

describe('sleep', () => {
  it('rejects at once with an already aborted signal', async () => {
    await expect(sleep(10_000, AbortSignal.abort(new Error('stop')))).rejects.toThrow('stop');
  });
  it('rejects when aborted while waiting', async () => {
    const controller = new AbortController();
    const waiting = sleep(10_000, controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
  });
  it('resolves after the delay', async () => {
    await expect(sleep(1)).resolves.toBeUndefined();
  });
});
