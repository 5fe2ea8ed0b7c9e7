import type { RetryOptions } from '@azure/functions';
import { durationMs, INGEST_RETRY_POLICY, mayRetry, retryDelayMs } from '../../functions/ingestRetryPolicy';

describe('ingest retry policy', () => {
  it.each<[number, number]>([
    [1, 5000],
    [2, 10_000],
    [3, 20_000],
    [7, 300_000],
    [50, 300_000],
  ])('retry %d of the production policy waits %d ms', (retry, ms) => {
    expect(retryDelayMs(INGEST_RETRY_POLICY, retry)).toBe(ms);
  });

  it('never gives up in production (maxRetryCount -1)', () => {
    expect(mayRetry(INGEST_RETRY_POLICY, 1_000_000)).toBe(true);
  });

  it.each<[RetryOptions, number, boolean]>([
    [{ strategy: 'fixedDelay', maxRetryCount: 2, delayInterval: 10 }, 2, true],
    [{ strategy: 'fixedDelay', maxRetryCount: 2, delayInterval: 10 }, 3, false],
    [{ strategy: 'fixedDelay', maxRetryCount: 0, delayInterval: 10 }, 1, false],
  ])('bounded policy %j: retry %d allowed = %s', (policy, retry, allowed) => {
    expect(mayRetry(policy, retry)).toBe(allowed);
    expect(retryDelayMs(policy, retry)).toBe(10);
  });

  it.each<[Parameters<typeof durationMs>[0], number]>([
    [250, 250],
    [{ seconds: 5 }, 5000],
    [{ hours: 1, minutes: 1, seconds: 1, milliseconds: 1 }, 3_661_001],
    [{}, 0],
  ])('durationMs(%j) = %d', (value, ms) => {
    expect(durationMs(value)).toBe(ms);
  });
});
