/**
 * Subscribes an `EventHubConsumerClient` the way the Functions host drives an Event Hubs trigger
 * with cardinality `many`: host-shaped input (hostEventBatch.ts), one invocation at a time per
 * partition, a checkpoint after each successful invocation, and the trigger's retry policy for a
 * failed one (the same events again after the policy's delay, `retryContext` set). The checkpoint
 * never moves past a failed invocation unless a bounded policy gives up, which is logged as an
 * error naming the skipped sequence numbers. Used by the local system and the consumer process.
 */
import { earliestEventPosition, type EventHubConsumerClient, type Subscription } from '@azure/event-hubs';
import { InvocationContext, type RetryOptions } from '@azure/functions';
import { mayRetry, retryDelayMs } from '../../functions/ingestRetryPolicy';
import { errorMessage } from '../errors';
import type { IngestSummary } from '../pipeline/ingestEvents';
import { sleep } from '../sinks/send/backoff';
import { hostEventBatch } from './hostEventBatch';

/** What happened to one invocation. */
export interface InvocationOutcome {
  partitionId: string;
  events: number;
  /** Sequence number of the last event of the invocation. */
  lastSequenceNumber: number;
  elapsedMs: number;
  /** `ok`: checkpointed; `failed`: will be retried; `abandoned`: the policy gave up, checkpointed past. */
  result: 'ok' | 'failed' | 'abandoned';
  summary?: IngestSummary;
}

/** Options of {@link subscribeLikeHost}. */
export interface HostLikeSubscriptionOptions {
  consumer: EventHubConsumerClient;
  /** The trigger handler. */
  ingest: (messages: unknown, context: InvocationContext) => Promise<IngestSummary>;
  retryPolicy: RetryOptions;
  log: (line: string) => void;
  /** Called after every invocation (after the checkpoint when there is one). */
  onInvocation: (outcome: InvocationOutcome) => void;
  /**
   * Called when this consumer stops owning a partition (ownership lost or the consumer closing),
   * as the host releases a partition's state: e.g. to write the partition's open flows.
   */
  onPartitionClose?: (partitionId: string) => Promise<void>;
}

/** A running subscription; `close` interrupts a retry wait and leaves its events uncheckpointed. */
export interface HostLikeSubscription {
  close(): Promise<void>;
}

/** Starts the subscription; see the module comment. */
export function subscribeLikeHost(options: HostLikeSubscriptionOptions): HostLikeSubscription {
  const { consumer, ingest, retryPolicy, log, onInvocation, onPartitionClose } = options;
  const stopping = new AbortController();
  const subscription: Subscription = consumer.subscribe(
    {
      processEvents: async (events, context) => {
        if (events.length === 0) return;
        const partitionId = context.partitionId;
        const batch = hostEventBatch(events, {
          fullyQualifiedNamespace: context.fullyQualifiedNamespace,
          eventHubName: context.eventHubName,
          consumerGroup: context.consumerGroup,
          partitionId,
        });
        const first = events[0]!.sequenceNumber;
        const last = events[events.length - 1]!;
        const outcome = (result: InvocationOutcome['result'], elapsedMs: number, summary?: IngestSummary) =>
          onInvocation({
            partitionId,
            events: events.length,
            lastSequenceNumber: last.sequenceNumber,
            elapsedMs,
            result,
            ...(summary === undefined ? {} : { summary }),
          });
        for (let retryCount = 0; ; retryCount++) {
          const invocation = new InvocationContext({
            functionName: 'ingestTraces',
            triggerMetadata: batch.triggerMetadata,
            ...(retryCount > 0
              ? { retryContext: { retryCount, maxRetryCount: retryPolicy.maxRetryCount } }
              : {}),
            logHandler: (level, ...args) =>
              log(`ingestTraces[${partitionId}] ${level}: ${args.map(String).join(' ')}`),
          });
          const started = Date.now();
          let summary: IngestSummary;
          try {
            summary = await ingest(batch.messages, invocation);
          } catch (caught) {
            const elapsed = Date.now() - started;
            const next = retryCount + 1;
            if (!mayRetry(retryPolicy, next)) {
              log(
                `ingestTraces[${partitionId}] error: events ${first}..${last.sequenceNumber} failed ${next} times and the retry policy (maxRetryCount ${retryPolicy.maxRetryCount}) gives up: checkpointing past them as the host would; they are lost unless re-published: ${errorMessage(caught)}`,
              );
              await context.updateCheckpoint(last);
              outcome('abandoned', elapsed);
              return;
            }
            outcome('failed', elapsed);
            const delay = retryDelayMs(retryPolicy, next);
            log(
              `ingestTraces[${partitionId}] failed (events ${first}..${last.sequenceNumber}, retry ${next} in ${delay} ms): ${errorMessage(caught)}`,
            );
            try {
              await sleep(delay, stopping.signal);
            } catch {
              // Stopped while waiting: not checkpointed, so the next owner delivers the events again.
              return;
            }
            continue;
          }
          const elapsed = Date.now() - started;
          // Checkpoint before reporting, so whoever waits for the count finds the checkpoint written.
          await context.updateCheckpoint(last);
          outcome('ok', elapsed, summary);
          return;
        }
      },
      processClose: async (_reason, context) => {
        if (onPartitionClose === undefined) return;
        try {
          await onPartitionClose(context.partitionId);
        } catch (caught) {
          log(`releasing partition ${context.partitionId} failed: ${errorMessage(caught)}`);
        }
      },
      processError: async (error, context) => {
        log(`consumer error on partition ${context.partitionId}: ${errorMessage(error)}`);
      },
    },
    // Without a checkpoint, start at the beginning (the Functions host's initialOffsetOptions fromStart).
    {
      startPosition: earliestEventPosition,
      maxBatchSize: 16,
      maxWaitTimeInSeconds: 1,
      skipParsingBodyAsJson: true,
    },
  );
  return {
    async close() {
      stopping.abort();
      await subscription.close();
    },
  };
}
