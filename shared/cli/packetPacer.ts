/** Clock and sleep, injected so pacing is testable without waiting. */
export interface PacerClock {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

const systemClock: PacerClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Paces packets at `rate` per second, packet by packet (not a burst per batch followed by a long
 * sleep): `beforePacket()` waits until the next packet is due, and `shouldFlush()` says when the
 * packets held back have waited `flushIntervalInMs`, so small batches go out at the rate.
 */
export class PacketPacer {
  private readonly started: number;
  private sent = 0;
  private lastFlush: number;

  constructor(
    private readonly rate: number,
    private readonly flushIntervalInMs = 100,
    private readonly clock: PacerClock = systemClock,
  ) {
    this.started = clock.now();
    this.lastFlush = this.started;
  }

  /** Waits until the next packet is due; resolves at once when publishing is behind. */
  async beforePacket(): Promise<void> {
    const due = this.started + (this.sent / this.rate) * 1000;
    this.sent += 1;
    const wait = due - this.clock.now();
    if (wait > 0) await this.clock.sleep(wait);
  }

  /** True when the held-back packets should be published now (and restarts the interval). */
  shouldFlush(): boolean {
    const now = this.clock.now();
    if (now - this.lastFlush < this.flushIntervalInMs) return false;
    this.lastFlush = now;
    return true;
  }
}
