import type { Connection, Sender } from 'rhea';
import { PartitionConsumer } from './partitionConsumer';
import type { PartitionLog } from './partitionLog';
import { decideOwnership } from './receiverOwnership';

/** A receiver link asking to read one partition of one consumer group. */
export interface ConsumerAttach {
  /** `hub/group/partition`, lower case: receivers with the same key compete under the owner-level rule. */
  key: string;
  sender: Sender;
  log: PartitionLog;
  firstSequenceNumber: number;
  ownerLevel: number | undefined;
  trackLastEnqueued: boolean;
}

/** The attached consumer and how many receivers it displaced, or why it was refused. */
export type ConsumerAttachResult =
  { ok: true; consumer: PartitionConsumer; displaced: number } | { ok: false; description: string };

/** The partition consumers attached to the endpoint, by link and by partition. */
export class ConsumerRegistry {
  private readonly bySender = new Map<Sender, { consumer: PartitionConsumer; key: string }>();
  private readonly byPartition = new Map<string, Set<PartitionConsumer>>();

  /** Number of attached consumers. */
  get size(): number {
    return this.bySender.size;
  }

  /** The consumer feeding this link, if any. */
  get(sender: Sender): PartitionConsumer | undefined {
    return this.bySender.get(sender)?.consumer;
  }

  /**
   * Applies the owner-level rule ({@link decideOwnership}); when admitted, disconnects the displaced
   * receivers with `amqp:link:stolen`, then registers and starts the new consumer.
   */
  attach(request: ConsumerAttach): ConsumerAttachResult {
    const existing = [...(this.byPartition.get(request.key) ?? [])];
    const decision = decideOwnership(
      existing.map((consumer) => consumer.ownerLevel),
      request.ownerLevel,
    );
    if (!decision.admit) return { ok: false, description: decision.description };
    for (const index of decision.displaced) {
      const displaced = existing[index];
      if (!displaced) continue;
      this.forget(displaced.sender);
      displaced.disconnect(
        'amqp:link:stolen',
        `New receiver with owner level ${request.ownerLevel ?? 'none'} was created on ${request.key}; ` +
          `this receiver (owner level ${displaced.ownerLevel ?? 'none'}) is disconnected.`,
      );
    }
    const consumer = new PartitionConsumer(request.sender, request.log, request);
    const peers = this.byPartition.get(request.key) ?? new Set<PartitionConsumer>();
    peers.add(consumer);
    this.byPartition.set(request.key, peers);
    this.bySender.set(request.sender, { consumer, key: request.key });
    consumer.start();
    return { ok: true, consumer, displaced: decision.displaced.length };
  }

  /** Stops and drops the consumer of a closed link. */
  forget(sender: Sender): void {
    const entry = this.bySender.get(sender);
    if (!entry) return;
    entry.consumer.stop();
    this.bySender.delete(sender);
    const peers = this.byPartition.get(entry.key);
    peers?.delete(entry.consumer);
    if (peers?.size === 0) this.byPartition.delete(entry.key);
  }

  /** Drops every consumer of a closed connection. */
  forgetConnection(connection: Connection): void {
    for (const sender of [...this.bySender.keys()]) {
      if (sender.connection === connection) this.forget(sender);
    }
  }
}
