/**
 * How the time of one Event Hubs invocation is shared out, derived from the host's
 * `functionTimeout` so every invocation ends well inside it whatever the destinations do
 * (docs/reliability.md). Pure.
 */
import type { CircuitBreakerOptions } from '../sinks/send/circuitBreaker';
import type { DeliverOptions } from '../sinks/send/deliver';

/** `functionTimeout` when host.json sets none or sets -1 (unbounded): the Premium/Dedicated default. */
export const DEFAULT_FUNCTION_TIMEOUT_MS = 30 * 60_000;

/** Share of `functionTimeout` after which no destination is tried any more. */
export const DELIVERY_SHARE = 0.35;
/** Share of `functionTimeout` one dead-letter write may take (so delivery + dead-letter ≤ 40%). */
export const DEAD_LETTER_SHARE = 0.05;

/** Send settings of one invocation plus the circuit breaker settings of its destinations. */
export interface InvocationBudget {
  deliverOptions: Omit<DeliverOptions, 'deadLetter' | 'batchRef'>;
  circuitBreaker: CircuitBreakerOptions;
}

/**
 * The budget of an invocation started at `startedAtMs` under a host `functionTimeoutMs`:
 * delivery ends by 35% of the timeout, a dead-letter write takes at most 5% more (the other 10%
 * up to half the timeout are left for decoding and a busy machine), one attempt at
 * most 10 s (or 10%), a Retry-After or backoff wait at most 10 s (or 5%), and a destination whose
 * circuit opened is probed again after 30 s (or 5%). With 10 minutes that is 210 s / 30 s / 10 s.
 */
export function invocationBudget(functionTimeoutMs: number, startedAtMs: number): InvocationBudget {
  const timeout = functionTimeoutMs > 0 ? functionTimeoutMs : DEFAULT_FUNCTION_TIMEOUT_MS;
  const share = (fraction: number, max: number) => Math.max(1, Math.min(max, Math.floor(timeout * fraction)));
  return {
    deliverOptions: {
      deadlineMs: startedAtMs + Math.floor(timeout * DELIVERY_SHARE),
      attemptTimeoutMs: share(0.1, 10_000),
      deadLetterTimeoutMs: share(DEAD_LETTER_SHARE, 30_000),
      maxRetryAfterMs: share(0.05, 10_000),
      maxDelayMs: share(0.05, 10_000),
      baseDelayMs: share(0.01, 200),
    },
    circuitBreaker: { failureThreshold: 5, openMs: share(0.05, 30_000) },
  };
}

/**
 * Parses a host.json TimeSpan (`hh:mm:ss`, `d.hh:mm:ss`, optional fraction) into ms; `-1` (no
 * limit) gives -1; anything else undefined.
 */
export function parseFunctionTimeout(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = text.trim();
  if (value === '-1') return -1;
  const match = /^(?:(\d+)\.)?(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,7}))?$/.exec(value);
  if (match === null) return undefined;
  const [, days = '0', hours = '0', minutes = '0', seconds = '0', fraction = ''] = match;
  const ms =
    ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 +
    Number(seconds) * 1000 +
    Math.round(Number(`0.${fraction || '0'}`) * 1000);
  return ms;
}
