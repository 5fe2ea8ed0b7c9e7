/**
 * The shared send stack around any sink, for one set of records: encode, batch to the service's
 * limits, push with a per-attempt timeout, retry retryable failures with backoff (honouring
 * Retry-After, capped) until the attempt budget or the deadline runs out, and dead-letter whatever
 * is left. Nothing is dropped: a record is either delivered or dead-lettered, and if
 * dead-lettering fails this throws.
 *
 * Time is bounded: no attempt runs past `deadlineMs` (its timeout is cut to what is left), no
 * retry waits longer than `maxRetryAfterMs` whatever the service asks, and with a `breaker` a
 * destination that keeps failing is not tried at all while its circuit is open (its records are
 * dead-lettered at once, code `CIRCUIT_OPEN`). The dead-letter write has its own timeout.
 *
 * It is one {@link DeliveryQueue} given every record at once; the ingest function keeps one queue
 * per destination for a whole invocation instead, so an invocation's records share full pushes.
 */
import type { TraceRecord } from '../../record/traceRecord';
import type { Sink } from '../sink';
import type { DeliverOptions, DeliveryReport } from './deliveryOptions';
import { DeliveryQueue } from './deliveryQueue';

export { deadLetterTimeoutMs } from './deliveryOptions';
export type { DeliverOptions, DeliveryReport, FailureCount } from './deliveryOptions';

/** Delivers `records` through `sink`; see the module comment. */
export async function deliver<P>(
  sink: Sink<P>,
  records: readonly TraceRecord[],
  options: DeliverOptions,
): Promise<DeliveryReport> {
  const { batchRef, ...queueOptions } = options;
  const queue = new DeliveryQueue(sink, {
    ...queueOptions,
    maxPendingRecords: Infinity,
    maxPendingBytes: Infinity,
  });
  queue.add(records, batchRef);
  return queue.finish();
}
