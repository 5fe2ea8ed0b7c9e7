import { randomUUID } from 'node:crypto';
import { earliestEventPosition } from '@azure/event-hubs';
import type {
  Checkpoint,
  CheckpointStore,
  EventHubConsumerClient,
  PartitionOwnership,
  ReceivedEventData,
  SubscribeOptions,
  SubscriptionEventHandlers,
} from '@azure/event-hubs';

/** A received event with the partition it came from. */
export type Received = ReceivedEventData & { partitionId: string };

/** Resolves when `condition` holds; fails naming `what` after `timeoutMs` (a liveness bound, not a speed check). */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A running subscription and what it has seen so far. */
export interface Collector {
  events: Received[];
  errors: Error[];
  /** Partitions whose processEvents ran at least once (their receiver link is attached). */
  ready: Set<string>;
  close(): Promise<void>;
}

/** Subscribes `client` (one partition or all) and collects events and errors. */
export function collect(
  client: EventHubConsumerClient,
  options: SubscribeOptions & { partitionId?: string; checkpoint?: boolean },
): Collector {
  const collector: Collector = { events: [], errors: [], ready: new Set(), close: async () => {} };
  const handlers: SubscriptionEventHandlers = {
    processEvents: async (events, context) => {
      collector.ready.add(context.partitionId);
      for (const event of events) collector.events.push({ ...event, partitionId: context.partitionId });
      const last = events[events.length - 1];
      if (options.checkpoint && last) await context.updateCheckpoint(last);
    },
    processError: async (error) => {
      collector.errors.push(error);
    },
  };
  const subscribeOptions: SubscribeOptions = {
    maxWaitTimeInSeconds: 0.2,
    maxBatchSize: 100,
    startPosition: earliestEventPosition,
    ...options,
  };
  const subscription =
    options.partitionId === undefined
      ? client.subscribe(handlers, subscribeOptions)
      : client.subscribe(options.partitionId, handlers, subscribeOptions);
  collector.close = () => subscription.close();
  return collector;
}

/** A checkpoint store in memory, as the Functions host's blob store behaves for one process. */
export class MemoryCheckpointStore implements CheckpointStore {
  private readonly ownerships = new Map<string, PartitionOwnership>();
  private readonly checkpoints = new Map<string, Checkpoint>();

  async listOwnership(namespace: string, hub: string, group: string): Promise<PartitionOwnership[]> {
    return [...this.ownerships.values()].filter(
      (o) => o.fullyQualifiedNamespace === namespace && o.eventHubName === hub && o.consumerGroup === group,
    );
  }

  async claimOwnership(claims: PartitionOwnership[]): Promise<PartitionOwnership[]> {
    return claims.map((claim) => {
      const owned = { ...claim, lastModifiedTimeInMs: Date.now(), etag: randomUUID() };
      this.ownerships.set(`${claim.eventHubName}/${claim.consumerGroup}/${claim.partitionId}`, owned);
      return owned;
    });
  }

  async updateCheckpoint(checkpoint: Checkpoint): Promise<void> {
    this.checkpoints.set(`${checkpoint.eventHubName}/${checkpoint.consumerGroup}/${checkpoint.partitionId}`, {
      ...checkpoint,
    });
  }

  async listCheckpoints(namespace: string, hub: string, group: string): Promise<Checkpoint[]> {
    return [...this.checkpoints.values()].filter(
      (c) => c.fullyQualifiedNamespace === namespace && c.eventHubName === hub && c.consumerGroup === group,
    );
  }
}
