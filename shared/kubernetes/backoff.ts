/** Exponential backoff with full jitter, as client-go's wait.Backoff does for reflectors. */

/** Options of {@link Backoff}. */
export interface BackoffOptions {
  /** First delay, in ms. Default 200. */
  initialInMs?: number;
  /** Largest delay, in ms. Default 30 000. */
  maxInMs?: number;
  /** Random source in [0, 1); injected for tests. */
  random?: () => number;
}

/** Delays that double after each failure up to a cap, and reset after a success. */
export class Backoff {
  private attempt = 0;
  private readonly initial: number;
  private readonly max: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.initial = options.initialInMs ?? 200;
    this.max = options.maxInMs ?? 30_000;
    this.random = options.random ?? Math.random;
  }

  /** The delay before the next attempt, in ms: between half and all of min(max, initial·2^n). */
  next(): number {
    const ceiling = Math.min(this.max, this.initial * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  /** Failures since the last reset. */
  get failures(): number {
    return this.attempt;
  }

  reset(): void {
    this.attempt = 0;
  }
}
