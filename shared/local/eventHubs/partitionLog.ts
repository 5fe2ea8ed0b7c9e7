import type { MessageSections } from './messageSections';

/** One event as stored in a partition. */
export interface StoredEvent {
  /** Position in the partition, from 0, never reused. */
  sequenceNumber: number;
  /** Byte position in the partition (sum of the sizes of the events before it), as Event Hubs offsets are. */
  offset: number;
  /** When the endpoint accepted it, in ms since the epoch; never decreases within a partition. */
  enqueuedTimeMs: number;
  /** The partition key it was published with, if any. */
  partitionKey: string | undefined;
  /** The message as published, kept byte for byte except for message annotations. */
  message: MessageSections;
  /** Size of the published message in bytes. */
  sizeInBytes: number;
}

/** What {@link PartitionLog.append} needs for each event. */
export interface AppendedEvent {
  partitionKey: string | undefined;
  message: MessageSections;
  sizeInBytes: number;
}

/** Bounds of a {@link PartitionLog}. */
export interface PartitionLogLimits {
  /** Oldest events are dropped beyond this many. */
  maxEvents: number;
  /** Oldest events are dropped beyond this many bytes (the newest event is always kept). */
  maxBytes: number;
}

/**
 * The events of one partition, in memory and bounded: appending beyond the limits drops the oldest events
 * and advances {@link beginSequenceNumber}, like retention does on Event Hubs.
 */
export class PartitionLog {
  private readonly events: StoredEvent[] = [];
  private head = 0;
  private retainedBytes = 0;
  private nextOffset = 0;
  private lastTimeMs = 0;
  private droppedSequenceNumber = 0;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly limits: PartitionLogLimits) {}

  /** Sequence number of the oldest retained event (the next one to be assigned when none is retained). */
  get beginSequenceNumber(): number {
    return this.events[this.head]?.sequenceNumber ?? this.nextSequenceNumber;
  }

  /** The sequence number the next appended event gets. */
  get nextSequenceNumber(): number {
    const last = this.events[this.events.length - 1];
    return last === undefined ? this.droppedSequenceNumber : last.sequenceNumber + 1;
  }

  /** The newest event, if any was ever appended and retained. */
  get last(): StoredEvent | undefined {
    return this.head < this.events.length ? this.events[this.events.length - 1] : undefined;
  }

  /** Number of retained events. */
  get size(): number {
    return this.events.length - this.head;
  }

  /** Bytes held by retained events. */
  get sizeInBytes(): number {
    return this.retainedBytes;
  }

  /** The retained event with this sequence number. */
  at(sequenceNumber: number): StoredEvent | undefined {
    const first = this.events[this.head];
    if (first === undefined || sequenceNumber < first.sequenceNumber) return undefined;
    return this.events[this.head + sequenceNumber - first.sequenceNumber];
  }

  /**
   * The sequence number of the first retained event satisfying `matches`, which must be monotonic
   * (false then true along the partition); {@link nextSequenceNumber} when none does.
   */
  firstWhere(matches: (event: StoredEvent) => boolean): number {
    let low = this.head;
    let high = this.events.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (matches(this.events[middle] as StoredEvent)) high = middle;
      else low = middle + 1;
    }
    return this.events[low]?.sequenceNumber ?? this.nextSequenceNumber;
  }

  /** Stores events in order, stamping sequence number, offset and enqueued time; notifies listeners once. */
  append(items: readonly AppendedEvent[], nowMs: number): StoredEvent[] {
    const enqueuedTimeMs = Math.max(nowMs, this.lastTimeMs);
    this.lastTimeMs = enqueuedTimeMs;
    const stored = items.map((item) => {
      const event: StoredEvent = {
        sequenceNumber: this.nextSequenceNumber,
        offset: this.nextOffset,
        enqueuedTimeMs,
        partitionKey: item.partitionKey,
        message: item.message,
        sizeInBytes: item.sizeInBytes,
      };
      this.events.push(event);
      this.nextOffset += item.sizeInBytes;
      this.retainedBytes += item.sizeInBytes;
      return event;
    });
    this.trim();
    for (const listener of [...this.listeners]) listener();
    return stored;
  }

  /** Calls `listener` after every append; returns the function that unsubscribes it. */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private trim(): void {
    while (
      this.size > this.limits.maxEvents ||
      (this.retainedBytes > this.limits.maxBytes && this.size > 1)
    ) {
      const dropped = this.events[this.head] as StoredEvent;
      this.retainedBytes -= dropped.sizeInBytes;
      this.droppedSequenceNumber = dropped.sequenceNumber + 1;
      this.head++;
    }
    // Compact occasionally so dropping stays O(1) amortised without holding dropped events.
    if (this.head > 1024 && this.head * 2 > this.events.length) {
      this.events.splice(0, this.head);
      this.head = 0;
    }
  }
}
