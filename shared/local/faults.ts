/**
 * Fault injection for the local test services: answer the next requests (or all of them, while a
 * standing fault is set) with an error status, optionally with Retry-After, or hang past the
 * client's timeout. Lets tests drive real SDK clients through throttling, outages and timeouts.
 */

/** One injected fault. */
export type Fault =
  | { kind: 'status'; status: number; retryAfterSeconds?: number; message?: string }
  | { kind: 'hang'; ms: number };

/** Queue of one-shot faults plus an optional standing fault. */
export class FaultPlan {
  private readonly queue: Fault[] = [];
  private standing: Fault | undefined;

  /** The next requests get these faults, one each, in order. */
  enqueue(...faults: Fault[]): void {
    this.queue.push(...faults);
  }

  /** Every request gets `fault` until cleared with `undefined` (a destination that is down). */
  setStanding(fault: Fault | undefined): void {
    this.standing = fault;
  }

  /** Clears everything. */
  clear(): void {
    this.queue.length = 0;
    this.standing = undefined;
  }

  /** The fault for the request being handled, if any. */
  take(): Fault | undefined {
    return this.queue.shift() ?? this.standing;
  }
}
