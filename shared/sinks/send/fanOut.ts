/**
 * Fan-out: delivers to every destination at once and independently, so one slow or failing
 * destination never blocks or hides another's result. Dead-letter store failures (the only
 * errors `deliver` throws) are re-thrown after every destination finished, so the invocation
 * fails and the batch is redelivered, without cutting the other deliveries short.
 */
import { errorMessage } from '../../errors';
import type { TraceRecord } from '../../record/traceRecord';
import type { Sink } from '../sink';
import { deliver, type DeliverOptions, type DeliveryReport } from './deliver';

/** Records bound for one sink. */
export interface FanOutTarget {
  sink: Sink;
  records: readonly TraceRecord[];
}

/** Error thrown when at least one destination could neither deliver nor dead-letter. */
export class FanOutError extends AggregateError {
  override readonly name = 'FanOutError';
  /** Stable code. */
  readonly code = 'DEADLETTER_WRITE_FAILED';
  constructor(
    errors: unknown[],
    /** Reports of the destinations that finished. */
    readonly reports: DeliveryReport[],
  ) {
    super(
      errors,
      `${errors.length} destination(s) could not deliver or dead-letter their records: ${errors.map(errorMessage).join('; ')}`,
    );
  }
}

/** Delivers every target concurrently; resolves to one report per target, in input order. */
export async function fanOut(
  targets: readonly FanOutTarget[],
  options: DeliverOptions,
): Promise<DeliveryReport[]> {
  const settled = await Promise.allSettled(targets.map((t) => deliver(t.sink, t.records, options)));
  const reports = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const errors = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
  if (errors.length > 0) throw new FanOutError(errors, reports);
  return reports;
}
