/**
 * A bound on the requests in flight to one destination: every push attempt holds a slot while it
 * runs (never while it waits to retry), and waits first-come first-served for one when all are
 * taken. One limit per sink (so per destination connection and instance), spanning the events
 * and invocations that write there at once: latency is hidden by overlapping requests, and a
 * destination never sees more than its share of them however many partitions an instance owns.
 */
import type { Sink } from '../sink';

/** Default of {@link InFlightLimit}'s size: requests in flight per destination. */
export const DEFAULT_MAX_IN_FLIGHT = 32;

/** See the module comment. */
export class InFlightLimit {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  /** Most requests seen in flight at once (for tests and benches). */
  peak = 0;
  /** Most requests in flight at once (at least 1). */
  readonly max: number;

  constructor(max: number = DEFAULT_MAX_IN_FLIGHT) {
    this.max = Math.max(1, Math.floor(max));
  }

  /** Requests in flight now. */
  get inFlight(): number {
    return this.active;
  }

  /** Resolves once a slot is held; call the returned function exactly once to give it back. */
  async acquire(): Promise<() => void> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active += 1;
    this.peak = Math.max(this.peak, this.active);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so `active` stays as it is.
      if (next !== undefined) next();
      else this.active -= 1;
    };
  }
}

const limits = new WeakMap<Sink, InFlightLimit>();

/** The in-flight limit of `sink`, created with `max` on first use (sinks are cached per connection). */
export function inFlightLimitFor(sink: Sink, max: number = DEFAULT_MAX_IN_FLIGHT): InFlightLimit {
  let limit = limits.get(sink);
  if (limit === undefined) {
    limit = new InFlightLimit(max);
    limits.set(sink, limit);
  }
  return limit;
}
