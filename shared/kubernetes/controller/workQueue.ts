/**
 * A work queue of object keys as client-go's workqueue: a key waiting is queued once however
 * often it is added, a key being processed is not processed twice at once (an add during
 * processing runs it again afterwards), and failures come back after a per-key backoff.
 */
import { Backoff } from '../backoff';
import { errorMessage } from '../../errors';

/** Options of {@link WorkQueue}. */
export interface WorkQueueOptions {
  /** Processes one key; a throw retries it after a backoff. */
  process: (key: string) => Promise<void>;
  initialRetryInMs?: number;
  maxRetryInMs?: number;
  log?: (line: string) => void;
}

/** Keys to reconcile, one at a time. */
export class WorkQueue {
  private readonly pending = new Set<string>();
  private readonly retries = new Map<string, { backoff: Backoff; timer?: NodeJS.Timeout }>();
  private active: string | undefined;
  private running = false;
  private draining: Promise<void> = Promise.resolve();
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: WorkQueueOptions) {}

  start(): void {
    this.running = true;
    this.kick();
  }

  /** Stops after the key being processed; forgets pending keys and retries. */
  async stop(): Promise<void> {
    this.running = false;
    this.pending.clear();
    for (const retry of this.retries.values()) clearTimeout(retry.timer);
    this.retries.clear();
    await this.draining;
  }

  add(key: string): void {
    this.pending.add(key);
    this.kick();
  }

  /** Resolves when nothing is queued, processing, or waiting to be retried. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return (
      this.pending.size === 0 &&
      this.active === undefined &&
      [...this.retries.values()].every((r) => r.timer === undefined)
    );
  }

  private kick(): void {
    if (!this.running || this.active !== undefined) return;
    const next = this.pending.values().next();
    if (next.done === true) {
      if (this.isIdle()) for (const resolve of this.idleWaiters.splice(0)) resolve();
      return;
    }
    const key = next.value;
    this.pending.delete(key);
    this.active = key;
    this.draining = this.options
      .process(key)
      .then(
        () => {
          this.retries.delete(key);
        },
        (caught: unknown) => {
          if (!this.running) return;
          const retry = this.retries.get(key) ?? {
            backoff: new Backoff({
              initialInMs: this.options.initialRetryInMs ?? 500,
              maxInMs: this.options.maxRetryInMs ?? 60_000,
            }),
          };
          const delay = retry.backoff.next();
          this.options.log?.(`${key}: ${errorMessage(caught)}; retrying in ${delay} ms`);
          retry.timer = setTimeout(() => {
            retry.timer = undefined;
            this.add(key);
          }, delay);
          this.retries.set(key, retry);
        },
      )
      .finally(() => {
        this.active = undefined;
        this.kick();
      });
  }
}
