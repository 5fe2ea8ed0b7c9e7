import { types } from 'rhea';
import type { Sender } from 'rhea';
import type { PartitionLog, StoredEvent } from './partitionLog';
import { assembleMessage } from './messageSections';
import { PARTITION_KEY_ANNOTATION } from './incomingEvents';

/** The rhea sender fields the consumer needs that rhea's typings leave out. */
interface SenderCounters {
  credit: number;
  delivery_count: number;
}

/** How a {@link PartitionConsumer} delivers. */
export interface PartitionConsumerOptions {
  /** Sequence number of the first event to deliver. */
  firstSequenceNumber: number;
  /** Owner level (epoch) the receiver attached with, if any. */
  ownerLevel: number | undefined;
  /** Whether to add `last_enqueued_*` delivery annotations (`trackLastEnqueuedEventProperties`). */
  trackLastEnqueued: boolean;
}

/** The message annotations Event Hubs stamps on every delivered event. */
export function eventAnnotations(event: StoredEvent): Record<string, unknown> {
  return {
    'x-opt-sequence-number': types.wrap_long(event.sequenceNumber),
    'x-opt-offset': String(event.offset),
    'x-opt-enqueued-time': new Date(event.enqueuedTimeMs),
    ...(event.partitionKey === undefined ? {} : { [PARTITION_KEY_ANNOTATION]: event.partitionKey }),
  };
}

/**
 * Streams one partition to one receiver link, within the credit the receiver grants: pumps on attach,
 * on new credit and after every append. Events dropped by the bounds while the receiver lagged are
 * skipped (it continues at the oldest retained event), as with retention on Event Hubs.
 */
export class PartitionConsumer {
  /** Owner level (epoch) the receiver attached with, if any. */
  readonly ownerLevel: number | undefined;
  private nextSequenceNumber: number;
  private sent = 0;
  private baseline = 0;
  private unsubscribe: (() => void) | undefined;

  constructor(
    readonly sender: Sender,
    private readonly log: PartitionLog,
    private readonly options: PartitionConsumerOptions,
  ) {
    this.ownerLevel = options.ownerLevel;
    this.nextSequenceNumber = options.firstSequenceNumber;
  }

  /** Starts following the partition. */
  start(): void {
    this.baseline = (this.sender as unknown as SenderCounters).delivery_count - this.sent;
    this.unsubscribe ??= this.log.onAppend(() => this.pump());
    this.pump();
  }

  /** Stops following the partition (the link is closing or closed). */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** Closes the link with an AMQP error, e.g. `amqp:link:stolen` when a higher owner level attaches. */
  disconnect(condition: string, description: string): void {
    this.stop();
    this.sender.close({ condition, description });
  }

  /** Sends as many available events as the receiver has credit for. */
  pump(): void {
    if (!this.unsubscribe || !this.sender.is_open()) return;
    const counters = this.sender as unknown as SenderCounters;
    // rhea takes credit only when it writes a transfer: count what is queued but not yet written.
    let pending = this.sent - (counters.delivery_count - this.baseline);
    if (pending < 0) {
      // A drain advanced delivery-count without transfers.
      this.baseline = counters.delivery_count - this.sent;
      pending = 0;
    }
    while (counters.credit - pending > 0 && this.nextSequenceNumber < this.log.nextSequenceNumber) {
      const sequenceNumber = Math.max(this.nextSequenceNumber, this.log.beginSequenceNumber);
      const event = this.log.at(sequenceNumber);
      if (!event) break;
      this.sender.send(this.encode(event), undefined, 0);
      this.sent++;
      pending++;
      this.nextSequenceNumber = sequenceNumber + 1;
    }
  }

  private encode(event: StoredEvent): Buffer {
    if (!this.options.trackLastEnqueued) return assembleMessage(event.message, eventAnnotations(event));
    const last = this.log.last ?? event;
    return assembleMessage(event.message, eventAnnotations(event), {
      last_enqueued_sequence_number: types.wrap_long(last.sequenceNumber),
      last_enqueued_offset: String(last.offset),
      last_enqueued_time_utc: new Date(last.enqueuedTimeMs),
      runtime_info_retrieval_time_utc: new Date(),
    });
  }
}
