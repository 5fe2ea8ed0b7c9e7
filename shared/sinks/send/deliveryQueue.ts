/**
 * The send stage of one destination for one invocation (STYLE.md rule 11, the OpenTelemetry
 * Collector's batch processor + queue + retry senders as the model): records of every event of
 * the invocation are encoded as they come and packed into pushes that respect the sink's limits and
 * groups, so pushes are full (one Logs Ingestion call per invocation up to 1 MB, 100-entity Table
 * transactions) instead of one small push per event. A push is sent as soon as it is full, while
 * the next events are still being decoded; at most `inFlightLimit` requests run at once per
 * destination, shared with every other invocation writing there. `finish` sends what is left and
 * resolves once every record is delivered or dead-lettered.
 *
 * Memory is bounded: records waiting for their push to fill are at most `maxPendingRecords` /
 * `maxPendingBytes` (beyond, every open push is sent early, partial), and dead-lettered records are
 * written out once `maxPendingRecords` of them have gathered (a long outage makes several blobs).
 *
 * Each push is tried with a per-attempt timeout, retried on retryable failures with backoff
 * (honouring Retry-After, capped) until the attempts or the deadline run out, refused at once while
 * the destination's circuit is open, and whatever is left is dead-lettered. Nothing is dropped: if
 * the dead-letter store cannot be written `finish` throws, and records added after that are not
 * sent (the invocation fails and the host delivers its events again).
 *
 * Order: records keep their arrival order (events in order, records in pipeline order) within a
 * push; pushes start in the order they fill and up to the in-flight limit run at once, so pushes
 * may complete (and land) in another order. No destination promises more: rows are keyed by
 * RecordId and ordered by TimeGenerated at query time.
 */
import type { TraceRecord } from '../../record/traceRecord';
import type { EncodedRecord, Sink } from '../sink';
import { backoffDelay, sleep } from './backoff';
import type { DeadLetterRecordEntry } from './deadLetter';
import {
  deadLetterTimeoutMs,
  type DeliverOptions,
  type DeliveryReport,
  type FailureCount,
} from './deliveryOptions';
import { classifyError, type SendFailure } from './failure';
import { InFlightLimit } from './inFlightLimit';

/** Default of {@link DeliveryQueueOptions.maxPendingRecords}. */
export const DEFAULT_MAX_PENDING_RECORDS = 10_000;
/** Default of {@link DeliveryQueueOptions.maxPendingBytes}: 16 MiB. */
export const DEFAULT_MAX_PENDING_BYTES = 16 * 1024 * 1024;

/** Options of a {@link DeliveryQueue}: those of `deliver` but the batch reference, plus its memory bounds. */
export interface DeliveryQueueOptions extends Omit<DeliverOptions, 'batchRef'> {
  /**
   * Most encoded records waiting for their push to fill; beyond, every open push is sent at once.
   * Also the number of dead-lettered records gathered before they are written. Default 10,000.
   */
  maxPendingRecords?: number;
  /** Most encoded bytes waiting for their push to fill (as the sink counts them). Default 16 MiB. */
  maxPendingBytes?: number;
}

interface OpenPush<P> {
  items: Array<EncodedRecord<P>>;
  bytes: number;
  /** References of the input batches its records came from. */
  refs: Set<string>;
}

const ABORTED: SendFailure = { kind: 'permanent', code: 'ABORTED', reason: 'delivery was cancelled' };
const PAST_DEADLINE: SendFailure = {
  kind: 'permanent',
  code: 'DEADLINE_EXCEEDED',
  reason: 'the invocation deadline was reached before delivery succeeded',
};
/** Most input references named in one dead-letter blob's `batchRef`. */
const MAX_REFS_NAMED = 32;

/**
 * The `batchRef` of a blob holding records of several input batches: `eventhub:3:1200,1201,1205`
 * when they share a partition, else the references joined by spaces; long lists end in `+N`.
 */
export function combinedBatchRef(refs: Iterable<string>): string {
  const all = [...new Set(refs)];
  const named = all.slice(0, MAX_REFS_NAMED);
  const more = all.length > named.length ? `+${all.length - named.length}` : '';
  const prefixOf = (ref: string) => ref.slice(0, ref.lastIndexOf(':') + 1);
  const prefix = prefixOf(named[0] ?? '');
  const joined =
    prefix !== '' && named.every((ref) => prefixOf(ref) === prefix)
      ? prefix + named.map((ref) => ref.slice(prefix.length)).join(',')
      : named.join(' ');
  return more === '' ? joined : `${joined} ${more}`;
}

/** See the module comment. */
export class DeliveryQueue<P = unknown> {
  private readonly open = new Map<string, OpenPush<P>>();
  private pendingRecords = 0;
  private pendingBytes = 0;
  private readonly running = new Set<Promise<void>>();
  private dead: DeadLetterRecordEntry[] = [];
  private deadRefs = new Set<string>();
  private readonly failureCounts = new Map<string, FailureCount>();
  private readonly blobs: string[] = [];
  private readonly limit: InFlightLimit;
  private readonly maxPendingRecords: number;
  private readonly maxPendingBytes: number;
  private readonly now: () => number;
  private records = 0;
  private delivered = 0;
  private deadLettered = 0;
  private attempts = 0;
  private pushes = 0;
  private failed = false;
  private error: unknown;

  constructor(
    private readonly sink: Sink<P>,
    private readonly options: DeliveryQueueOptions,
  ) {
    this.limit = options.inFlightLimit ?? new InFlightLimit(options.concurrency ?? 4);
    this.maxPendingRecords = Math.max(1, options.maxPendingRecords ?? DEFAULT_MAX_PENDING_RECORDS);
    this.maxPendingBytes = Math.max(1, options.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES);
    this.now = options.now ?? Date.now;
  }

  /** Whether a dead-letter write failed: the queue no longer sends, and `finish` throws. */
  get hasFailed(): boolean {
    return this.failed;
  }

  /** Encodes `records` of the input batch `batchRef` and queues them; full pushes start at once. */
  add(records: readonly TraceRecord[], batchRef: string): void {
    if (this.failed) return;
    const { sink } = this;
    const { maxRecords, maxBytes } = sink.limits;
    this.records += records.length;
    for (const record of records) {
      const result = sink.encode(record);
      if (!result.ok) {
        this.bury([{ record }], { kind: 'permanent', code: result.code, reason: result.reason }, 0, [
          batchRef,
        ]);
        continue;
      }
      const item = result.value;
      if (item.bytes > maxBytes) {
        this.bury(
          [item],
          {
            kind: 'permanent',
            code: 'RECORD_TOO_LARGE',
            reason: `encoded record exceeds the ${maxBytes}-byte request limit of ${sink.destination}`,
          },
          0,
          [batchRef],
        );
        continue;
      }
      const group = item.group ?? '';
      let push = this.open.get(group);
      if (push !== undefined && push.bytes + item.bytes > maxBytes) {
        this.dispatch(group, push);
        push = undefined;
      }
      if (push === undefined) {
        push = { items: [], bytes: 0, refs: new Set() };
        this.open.set(group, push);
      }
      push.items.push(item);
      push.bytes += item.bytes;
      push.refs.add(batchRef);
      this.pendingRecords += 1;
      this.pendingBytes += item.bytes;
      if (push.items.length >= maxRecords) this.dispatch(group, push);
      if (this.pendingRecords > this.maxPendingRecords || this.pendingBytes > this.maxPendingBytes)
        this.flushOpen();
    }
  }

  /**
   * Sends every open push, waits for every push and dead-letter write, and reports. Throws the
   * dead-letter store's error when it could not be written.
   */
  async finish(): Promise<DeliveryReport> {
    this.flushOpen();
    while (this.running.size > 0) await Promise.all([...this.running]);
    if (this.dead.length > 0) this.writeDead();
    while (this.running.size > 0) await Promise.all([...this.running]);
    if (this.failed) throw this.error;
    const report: DeliveryReport = {
      destination: this.sink.destination,
      connection: this.sink.connection,
      records: this.records,
      delivered: this.delivered,
      deadLettered: this.deadLettered,
      attempts: this.attempts,
      batches: this.pushes,
      failures: [...this.failureCounts.values()],
    };
    if (this.blobs.length > 0) report.deadLetterBlob = this.blobs[0];
    if (this.blobs.length > 1) report.deadLetterBlobs = [...this.blobs];
    return report;
  }

  private flushOpen(): void {
    for (const [group, push] of [...this.open]) this.dispatch(group, push);
  }

  private dispatch(group: string, push: OpenPush<P>): void {
    this.open.delete(group);
    this.pendingRecords -= push.items.length;
    this.pendingBytes -= push.bytes;
    if (this.failed) return;
    this.pushes += 1;
    this.track(this.send(push));
  }

  private track(task: Promise<void>): void {
    const tracked: Promise<void> = task.finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }

  private bury(
    items: ReadonlyArray<Pick<EncodedRecord<P>, 'record'>>,
    failure: SendFailure,
    attempts: number,
    refs: Iterable<string>,
  ): void {
    if (items.length === 0) return;
    for (const item of items)
      this.dead.push({
        kind: 'record',
        code: failure.code,
        reason: failure.reason,
        attempts,
        record: item.record,
      });
    for (const ref of refs) this.deadRefs.add(ref);
    this.deadLettered += items.length;
    const count = this.failureCounts.get(failure.code);
    if (count === undefined)
      this.failureCounts.set(failure.code, {
        code: failure.code,
        reason: failure.reason,
        count: items.length,
      });
    else count.count += items.length;
    if (this.dead.length >= this.maxPendingRecords) this.writeDead();
  }

  /** Starts writing the dead-lettered records gathered so far as one blob. */
  private writeDead(): void {
    const entries = this.dead;
    const refs = this.deadRefs;
    this.dead = [];
    this.deadRefs = new Set();
    if (this.failed) return;
    const { sink, options } = this;
    this.track(
      options.deadLetter
        .write(
          {
            destination: sink.destination,
            connection: sink.connection,
            batchRef: combinedBatchRef(refs),
            entries,
          },
          { abortSignal: AbortSignal.timeout(deadLetterTimeoutMs(options, this.now())) },
        )
        .then(
          (blob) => void this.blobs.push(blob),
          (caught: unknown) => {
            if (!this.failed) this.error = caught;
            this.failed = true;
          },
        ),
    );
  }

  private classify(error: unknown): SendFailure {
    return this.sink.classify !== undefined ? this.sink.classify(error) : classifyError(error, this.now());
  }

  /** Sends one push until it is delivered, or dead-letters what is left. Never rejects. */
  private async send(push: OpenPush<P>): Promise<void> {
    const { sink, options, now } = this;
    const maxAttempts = options.maxAttempts ?? 4;
    const attemptTimeoutMs = options.attemptTimeoutMs ?? 10_000;
    const maxRetryAfterMs = options.maxRetryAfterMs ?? 10_000;
    const { deadlineMs, breaker } = options;
    const cancelled = (): boolean => options.abortSignal?.aborted === true;
    const refs = push.refs;
    let pending: ReadonlyArray<EncodedRecord<P>> = push.items;
    for (let attempt = 1; ; attempt++) {
      if (cancelled()) return this.bury(pending, ABORTED, attempt - 1, refs);
      if (deadlineMs !== undefined && deadlineMs - now() <= 0)
        return this.bury(pending, PAST_DEADLINE, attempt - 1, refs);
      const release = await this.limit.acquire();
      let failure: SendFailure;
      let cutAtDeadline: boolean;
      try {
        // Waiting for a slot took time: the deadline and the circuit are judged now.
        const left = deadlineMs === undefined ? Infinity : deadlineMs - now();
        if (cancelled()) return this.bury(pending, ABORTED, attempt - 1, refs);
        if (left <= 0) return this.bury(pending, PAST_DEADLINE, attempt - 1, refs);
        const admission = breaker?.admit() ?? { admitted: true, probe: false };
        if (!admission.admitted) {
          const reason = `${sink.destination}/${sink.connection} kept failing; circuit open for another ${admission.retryInMs} ms`;
          return this.bury(pending, { kind: 'permanent', code: 'CIRCUIT_OPEN', reason }, attempt - 1, refs);
        }
        this.attempts += 1;
        cutAtDeadline = left < attemptTimeoutMs;
        const signals = [AbortSignal.timeout(Math.max(1, Math.min(attemptTimeoutMs, left)))];
        if (options.abortSignal !== undefined) signals.push(options.abortSignal);
        try {
          const result = await sink.push(pending, { abortSignal: AbortSignal.any(signals) });
          if (result.ok) {
            breaker?.recordSuccess();
            this.delivered += pending.length;
            return;
          }
          this.delivered += pending.length - result.failed.length;
          pending = result.failed;
          failure = result.failure;
        } catch (caught) {
          failure = cancelled() ? ABORTED : this.classify(caught);
        }
      } finally {
        release();
      }
      // Only failures that say "the service is unwell" count against the circuit; a permanent
      // answer (400, 403, 413) came from a service that is up.
      if (failure.kind === 'retryable' || failure.code === 'ABORTED') breaker?.recordFailure();
      else breaker?.recordSuccess();
      if (failure.kind === 'retryable' && cutAtDeadline && deadlineMs !== undefined && now() >= deadlineMs)
        return this.bury(
          pending,
          { ...PAST_DEADLINE, reason: `${PAST_DEADLINE.reason} (last: ${failure.reason})` },
          attempt,
          refs,
        );
      if (failure.kind === 'permanent' || attempt >= maxAttempts)
        return this.bury(pending, failure, attempt, refs);
      const retryAfterMs =
        failure.retryAfterMs === undefined ? undefined : Math.min(failure.retryAfterMs, maxRetryAfterMs);
      const delay = backoffDelay(attempt, options, retryAfterMs, options.random);
      if (deadlineMs !== undefined && now() + delay >= deadlineMs)
        return this.bury(
          pending,
          { ...failure, reason: `${failure.reason} (retry would pass the invocation deadline)` },
          attempt,
          refs,
        );
      try {
        await sleep(delay, options.abortSignal);
      } catch {
        return this.bury(pending, ABORTED, attempt, refs);
      }
    }
  }
}
