/**
 * Options and reports shared by `deliver` and the per-invocation delivery queues: what a
 * delivery may spend (attempts, timeouts, deadline) and what it reports.
 */
import type { BackoffOptions } from './backoff';
import type { CircuitBreaker } from './circuitBreaker';
import type { DeadLetterWriter } from './deadLetter';
import type { InFlightLimit } from './inFlightLimit';

/** Options of `deliver` (and, but for `batchRef`, of a `DeliveryQueue`). */
export interface DeliverOptions extends BackoffOptions {
  /** Where undeliverable records go. */
  deadLetter: DeadLetterWriter;
  /** Reference to the input batch, written into dead-letter blobs. Example: `eventhub:3:1200`. */
  batchRef: string;
  /** Timeout of one push attempt, in ms. Default 10,000. */
  attemptTimeoutMs?: number;
  /** Attempts per batch, first included. Default 4. */
  maxAttempts?: number;
  /**
   * Epoch ms by which delivery must be over (the invocation deadline minus a margin): no attempt
   * or retry starts after it and a running attempt is cut at it; what is left is dead-lettered
   * with code `DEADLINE_EXCEEDED`.
   */
  deadlineMs?: number;
  /** Longest wait a Retry-After header can impose, in ms. Default 10,000. */
  maxRetryAfterMs?: number;
  /** Circuit breaker of the destination; without one every batch is tried. */
  breaker?: CircuitBreaker;
  /** Timeout of the dead-letter write, in ms. Default 30,000. */
  deadLetterTimeoutMs?: number;
  /** Batches pushed at once when no `inFlightLimit` is given. Default 4. */
  concurrency?: number;
  /**
   * The destination's shared bound on requests in flight (`inFlightLimitFor(sink)`), spanning
   * every delivery to it; without one each delivery has its own bound of `concurrency`.
   */
  inFlightLimit?: InFlightLimit;
  /** Cancels the delivery: pending records are dead-lettered (code `ABORTED`). */
  abortSignal?: AbortSignal;
  /** Clock, injectable for tests. */
  now?: () => number;
  /** Random source in [0, 1) for jitter. */
  random?: () => number;
}

/** Counts of one failure code. */
export interface FailureCount {
  code: string;
  reason: string;
  count: number;
}

/** What happened to a delivery; `delivered + deadLettered === records` always. */
export interface DeliveryReport {
  destination: string;
  connection: string;
  records: number;
  delivered: number;
  deadLettered: number;
  /** Push attempts made, retries included. */
  attempts: number;
  /** Pushes the records were split into. */
  batches: number;
  failures: FailureCount[];
  /** Dead-letter blob name when anything was dead-lettered (the first, when there were several). */
  deadLetterBlob?: string;
  /** Every dead-letter blob written, when there was more than one (a long outage is written in parts). */
  deadLetterBlobs?: string[];
}

/**
 * Time a dead-letter write may take: `deadLetterTimeoutMs`, and with a deadline never past
 * `deadlineMs + deadLetterTimeoutMs`, so however many writes a lane makes after its deadline the
 * invocation still ends in time (a write cut short fails the invocation, which is retried).
 */
export function deadLetterTimeoutMs(
  options: Pick<DeliverOptions, 'deadlineMs' | 'deadLetterTimeoutMs'>,
  nowMs: number,
): number {
  const timeout = options.deadLetterTimeoutMs ?? 30_000;
  if (options.deadlineMs === undefined) return timeout;
  return Math.max(1, Math.min(timeout, options.deadlineMs + timeout - nowMs));
}
