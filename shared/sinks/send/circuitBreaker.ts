/**
 * A per-destination circuit breaker: after `failureThreshold` consecutive retryable failures
 * (timeouts, refused connections, 5xx, 429) the destination is considered sick and the circuit
 * opens; while open, `deliver` dead-letters at once (code `CIRCUIT_OPEN`) instead of spending the
 * invocation's time on it. After `openMs` one probe attempt is let through (half-open): success
 * closes the circuit, failure opens it again for another `openMs`. State lives as long as the sink
 * (one per destination connection per Functions instance), so it spans invocations.
 */
import type { Sink } from '../sink';

/** Settings of a {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive retryable failures that open the circuit. Default 5. */
  failureThreshold?: number;
  /** How long the circuit stays open before a probe, in ms. Default 30,000. */
  openMs?: number;
  /** Clock in epoch ms, injectable for tests. */
  now?: () => number;
}

/** `closed`: normal; `open`: dead-letter at once; `half-open`: one probe in flight. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** What {@link CircuitBreaker.admit} decided for one attempt. */
export type Admission = { admitted: true; probe: boolean } | { admitted: false; retryInMs: number };

/** See the module comment. */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | undefined;
  private probing = false;
  private readonly failureThreshold: number;
  private readonly openMs: number;
  private readonly now: () => number;

  constructor(options: CircuitBreakerOptions = {}) {
    this.failureThreshold = Math.max(1, options.failureThreshold ?? 5);
    this.openMs = Math.max(0, options.openMs ?? 30_000);
    this.now = options.now ?? Date.now;
  }

  /** The current state. */
  get state(): CircuitState {
    if (this.openedAt === undefined) return 'closed';
    return this.probing || this.now() - this.openedAt < this.openMs ? 'open' : 'half-open';
  }

  /** Whether an attempt may start now; a half-open circuit admits exactly one probe at a time. */
  admit(): Admission {
    if (this.openedAt === undefined) return { admitted: true, probe: false };
    const waited = this.now() - this.openedAt;
    if (this.probing || waited < this.openMs)
      return { admitted: false, retryInMs: Math.max(0, this.openMs - waited) };
    this.probing = true;
    return { admitted: true, probe: true };
  }

  /** An attempt reached the service and was answered (success or a permanent, record-level error). */
  recordSuccess(): void {
    this.failures = 0;
    this.openedAt = undefined;
    this.probing = false;
  }

  /** An attempt failed in a way that says the destination is unwell (retryable failure). */
  recordFailure(): void {
    this.failures += 1;
    if (this.probing || this.failures >= this.failureThreshold) {
      this.openedAt = this.now();
      this.probing = false;
    }
  }
}

const breakers = new WeakMap<Sink, CircuitBreaker>();

/** The breaker of `sink`, created with `options` on first use (sinks are cached per connection). */
export function circuitBreakerFor(sink: Sink, options: CircuitBreakerOptions = {}): CircuitBreaker {
  let breaker = breakers.get(sink);
  if (breaker === undefined) {
    breaker = new CircuitBreaker(options);
    breakers.set(sink, breaker);
  }
  return breaker;
}
