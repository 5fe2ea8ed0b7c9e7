/**
 * The retry policy of the `ingestTraces` trigger, shared by the Functions registration and the local
 * consumer so local runs predict production. The handler throws only when the dead-letter store
 * cannot be written (nothing else could keep the records), so the host must never checkpoint past a
 * failed invocation: retries are unbounded (`maxRetryCount: -1`), backing off from 5 s to 5 min.
 */
import type { Duration, RetryOptions } from '@azure/functions';

/** Retry policy of the Event Hubs trigger (the host's function-level retry). */
export const INGEST_RETRY_POLICY: RetryOptions = {
  strategy: 'exponentialBackoff',
  maxRetryCount: -1,
  minimumInterval: { seconds: 5 },
  maximumInterval: { minutes: 5 },
};

/** A host Duration (or ms number) in ms. */
export function durationMs(value: Duration | number): number {
  if (typeof value === 'number') return value;
  return (
    (value.hours ?? 0) * 3_600_000 +
    (value.minutes ?? 0) * 60_000 +
    (value.seconds ?? 0) * 1000 +
    (value.milliseconds ?? 0)
  );
}

/**
 * Delay before retry number `retryCount` (1 for the first retry) as the host computes it: fixed,
 * or the minimum doubled per retry up to the maximum (the host's small randomisation left out).
 */
export function retryDelayMs(policy: RetryOptions, retryCount: number): number {
  if (policy.strategy === 'fixedDelay') return durationMs(policy.delayInterval);
  const minimum = durationMs(policy.minimumInterval);
  const maximum = durationMs(policy.maximumInterval);
  return Math.min(maximum, minimum * 2 ** Math.max(0, retryCount - 1));
}

/** True when a failed invocation gets retry number `retryCount` under `policy` (-1: always). */
export function mayRetry(policy: RetryOptions, retryCount: number): boolean {
  return policy.maxRetryCount < 0 || retryCount <= policy.maxRetryCount;
}
