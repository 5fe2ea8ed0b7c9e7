/** Exponential backoff settings. */
export interface BackoffOptions {
  /** Delay before the first retry, in ms. Default 200. */
  baseDelayMs?: number;
  /** Upper bound of any computed delay, in ms. Default 10,000. */
  maxDelayMs?: number;
}

/**
 * Delay before retry number `retry` (1 for the first retry): exponential with "equal jitter"
 * (half fixed, half random) so that many failing instances do not retry in lockstep. A service's
 * Retry-After wins when it is longer. `random` returns [0, 1).
 */
export function backoffDelay(
  retry: number,
  options: BackoffOptions = {},
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const base = options.baseDelayMs ?? 200;
  const max = options.maxDelayMs ?? 10_000;
  const exponential = Math.min(max, base * 2 ** Math.max(0, retry - 1));
  const jittered = exponential / 2 + (random() * exponential) / 2;
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}

/** Resolves after `ms`, or rejects with the signal's reason when aborted first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
