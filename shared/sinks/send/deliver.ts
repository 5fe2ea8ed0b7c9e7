/**
 * The shared send stack around any sink: encode, batch to the service's limits, push with a
 * per-attempt timeout, retry retryable failures with backoff (honouring Retry-After, capped) until
 * the attempt budget or the deadline runs out, and dead-letter whatever is left. Nothing is dropped:
 * a record is either delivered or dead-lettered, and if dead-lettering fails this throws.
 *
 * Time is bounded: no attempt runs past `deadlineMs` (its timeout is cut to what is left), no
 * retry waits longer than `maxRetryAfterMs` whatever the service asks, and with a `breaker` a
 * destination that keeps failing is not tried at all while its circuit is open (its records are
 * dead-lettered at once, code `CIRCUIT_OPEN`). The dead-letter write has its own timeout.
 */
import type { TraceRecord } from '../../record/traceRecord';
import type { EncodedRecord, Sink } from '../sink';
import { splitIntoBatches } from './batching';
import { backoffDelay, sleep, type BackoffOptions } from './backoff';
import type { CircuitBreaker } from './circuitBreaker';
import type { DeadLetterRecordEntry, DeadLetterWriter } from './deadLetter';
import { classifyError, type SendFailure } from './failure';

/** Options of {@link deliver}. */
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
  /** Batches pushed at once. Default 4. */
  concurrency?: number;
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
  /** Dead-letter blob name when anything was dead-lettered. */
  deadLetterBlob?: string;
}

/** Delivers `records` through `sink`; see the module comment. */
export async function deliver<P>(
  sink: Sink<P>,
  records: readonly TraceRecord[],
  options: DeliverOptions,
): Promise<DeliveryReport> {
  const now = options.now ?? Date.now;
  const maxAttempts = options.maxAttempts ?? 4;
  const attemptTimeoutMs = options.attemptTimeoutMs ?? 10_000;
  const classify = (error: unknown): SendFailure =>
    sink.classify !== undefined ? sink.classify(error) : classifyError(error, now());
  const dead: DeadLetterRecordEntry[] = [];
  const bury = (items: ReadonlyArray<EncodedRecord<P>>, failure: SendFailure, attempts: number): void => {
    for (const item of items) {
      dead.push({
        kind: 'record',
        code: failure.code,
        reason: failure.reason,
        attempts,
        record: item.record,
      });
    }
  };

  const encoded: Array<EncodedRecord<P>> = [];
  for (const record of records) {
    const result = sink.encode(record);
    if (result.ok) encoded.push(result.value);
    else dead.push({ kind: 'record', code: result.code, reason: result.reason, attempts: 0, record });
  }
  const { batches, oversized } = splitIntoBatches(encoded, sink.limits);
  bury(
    oversized,
    {
      kind: 'permanent',
      code: 'RECORD_TOO_LARGE',
      reason: `encoded record exceeds the ${sink.limits.maxBytes}-byte request limit of ${sink.destination}`,
    },
    0,
  );

  let delivered = 0;
  let attempts = 0;
  const deadlineMs = options.deadlineMs;
  const breaker = options.breaker;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 10_000;
  const cancelled = (): boolean => options.abortSignal?.aborted === true;
  const pastDeadline: SendFailure = {
    kind: 'permanent',
    code: 'DEADLINE_EXCEEDED',
    reason: 'the invocation deadline was reached before delivery succeeded',
  };
  const sendBatch = async (batch: Array<EncodedRecord<P>>): Promise<void> => {
    let pending: ReadonlyArray<EncodedRecord<P>> = batch;
    for (let attempt = 1; ; attempt++) {
      if (cancelled()) {
        bury(pending, { kind: 'permanent', code: 'ABORTED', reason: 'delivery was cancelled' }, attempt - 1);
        return;
      }
      const left = deadlineMs === undefined ? Infinity : deadlineMs - now();
      if (left <= 0) {
        bury(pending, pastDeadline, attempt - 1);
        return;
      }
      const admission = breaker?.admit() ?? { admitted: true, probe: false };
      if (!admission.admitted) {
        bury(
          pending,
          {
            kind: 'permanent',
            code: 'CIRCUIT_OPEN',
            reason: `${sink.destination}/${sink.connection} kept failing; circuit open for another ${admission.retryInMs} ms`,
          },
          attempt - 1,
        );
        return;
      }
      attempts++;
      const cutAtDeadline = left < attemptTimeoutMs;
      const signals = [AbortSignal.timeout(Math.max(1, Math.min(attemptTimeoutMs, left)))];
      if (options.abortSignal !== undefined) signals.push(options.abortSignal);
      let failure: SendFailure;
      try {
        const result = await sink.push(pending, { abortSignal: AbortSignal.any(signals) });
        if (result.ok) {
          breaker?.recordSuccess();
          delivered += pending.length;
          return;
        }
        delivered += pending.length - result.failed.length;
        pending = result.failed;
        failure = result.failure;
      } catch (caught) {
        failure = cancelled()
          ? { kind: 'permanent', code: 'ABORTED', reason: 'delivery was cancelled' }
          : classify(caught);
      }
      // Only failures that say "the service is unwell" count against the circuit; a permanent
      // answer (400, 403, 413) came from a service that is up.
      if (failure.kind === 'retryable' || failure.code === 'ABORTED') breaker?.recordFailure();
      else breaker?.recordSuccess();
      if (failure.kind === 'retryable' && cutAtDeadline && deadlineMs !== undefined && now() >= deadlineMs) {
        bury(
          pending,
          { ...pastDeadline, reason: `${pastDeadline.reason} (last: ${failure.reason})` },
          attempt,
        );
        return;
      }
      if (failure.kind === 'permanent' || attempt >= maxAttempts) {
        bury(pending, failure, attempt);
        return;
      }
      const retryAfterMs =
        failure.retryAfterMs === undefined ? undefined : Math.min(failure.retryAfterMs, maxRetryAfterMs);
      const delay = backoffDelay(attempt, options, retryAfterMs, options.random);
      if (deadlineMs !== undefined && now() + delay >= deadlineMs) {
        bury(
          pending,
          { ...failure, reason: `${failure.reason} (retry would pass the invocation deadline)` },
          attempt,
        );
        return;
      }
      try {
        await sleep(delay, options.abortSignal);
      } catch {
        bury(pending, { kind: 'permanent', code: 'ABORTED', reason: 'delivery was cancelled' }, attempt);
        return;
      }
    }
  };

  const queue = [...batches];
  const workers = Array.from(
    { length: Math.max(1, Math.min(options.concurrency ?? 4, queue.length)) },
    async () => {
      for (let batch = queue.shift(); batch !== undefined; batch = queue.shift()) await sendBatch(batch);
    },
  );
  await Promise.all(workers);

  const report: DeliveryReport = {
    destination: sink.destination,
    connection: sink.connection,
    records: records.length,
    delivered,
    deadLettered: dead.length,
    attempts,
    batches: batches.length,
    failures: countFailures(dead),
  };
  if (dead.length > 0) {
    report.deadLetterBlob = await options.deadLetter.write(
      {
        destination: sink.destination,
        connection: sink.connection,
        batchRef: options.batchRef,
        entries: dead,
      },
      { abortSignal: AbortSignal.timeout(deadLetterTimeoutMs(options, now())) },
    );
  }
  return report;
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

function countFailures(dead: readonly DeadLetterRecordEntry[]): FailureCount[] {
  const byCode = new Map<string, FailureCount>();
  for (const entry of dead) {
    const existing = byCode.get(entry.code);
    if (existing === undefined) byCode.set(entry.code, { code: entry.code, reason: entry.reason, count: 1 });
    else existing.count++;
  }
  return [...byCode.values()];
}
