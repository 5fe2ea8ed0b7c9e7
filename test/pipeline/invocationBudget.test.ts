import { invocationBudget, parseFunctionTimeout } from '../../shared/pipeline/invocationBudget';

describe('parseFunctionTimeout', () => {
  it.each<[string | undefined, number | undefined]>([
    ['00:10:00', 600_000],
    ['00:05:00', 300_000],
    ['1.02:00:00', 26 * 3_600_000],
    ['00:00:04.5', 4500],
    ['-1', -1],
    [' 00:00:10 ', 10_000],
    ['', undefined],
    ['10 minutes', undefined],
    ['00:10', undefined],
    [undefined, undefined],
  ])('%j → %j', (text, expected) => {
    expect(parseFunctionTimeout(text)).toBe(expected);
  });
});

describe('invocationBudget', () => {
  it('gives the production figures for host.json 00:10:00', () => {
    expect(invocationBudget(600_000, 1000)).toEqual({
      deliverOptions: {
        deadlineMs: 1000 + 210_000,
        attemptTimeoutMs: 10_000,
        deadLetterTimeoutMs: 30_000,
        maxRetryAfterMs: 10_000,
        maxDelayMs: 10_000,
        baseDelayMs: 200,
      },
      circuitBreaker: { failureThreshold: 5, openMs: 30_000 },
    });
  });

  it.each([4000, 10_000, 60_000, 600_000])(
    'keeps delivery plus one dead-letter write within 40%% of a %d ms timeout',
    (timeout) => {
      const { deliverOptions } = invocationBudget(timeout, 0);
      expect(deliverOptions.deadlineMs! + deliverOptions.deadLetterTimeoutMs!).toBeLessThanOrEqual(
        timeout * 0.45,
      );
      expect(deliverOptions.attemptTimeoutMs!).toBeLessThanOrEqual(deliverOptions.deadlineMs!);
    },
  );

  it.each([-1, 0])('treats %d (no limit) as the 30-minute default', (timeout) => {
    expect(invocationBudget(timeout, 0).deliverOptions.deadlineMs).toBe(630_000);
  });
});
