/**
 * Turns events received by an `EventHubConsumerClient` into exactly what the Functions host hands
 * an Event Hubs trigger with cardinality `many` and `dataType: 'binary'`: a `Buffer[]` and a
 * `triggerMetadata` with the host's first-letter-camel-cased keys (see
 * ../shared/notes/azure-platform.md §1.3). Null partition keys are dropped from
 * `partitionKeyArray`, as the host does, so consumers must not rely on its length.
 */
import type { ReceivedEventData } from '@azure/event-hubs';

/** Where the events came from. */
export interface PartitionOrigin {
  fullyQualifiedNamespace: string;
  eventHubName: string;
  consumerGroup: string;
  partitionId: string;
}

/** Host-shaped trigger input. */
export interface HostEventBatch {
  messages: Buffer[];
  triggerMetadata: Record<string, unknown>;
}

function hostTime(date: Date): string {
  // The host serialises DateTime without a zone designator.
  return date.toISOString().replace(/Z$/, '');
}

function bodyBuffer(body: unknown): Buffer {
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return Buffer.from(typeof body === 'string' ? body : JSON.stringify(body) ?? '');
}

/** Builds the host's trigger input for `events` of one partition. */
export function hostEventBatch(events: readonly ReceivedEventData[], origin: PartitionOrigin): HostEventBatch {
  return {
    messages: events.map((event) => bodyBuffer(event.body)),
    triggerMetadata: {
      partitionContext: { ...origin },
      propertiesArray: events.map((event) => ({ ...(event.properties ?? {}) })),
      partitionKeyArray: events.flatMap((event) => (event.partitionKey == null ? [] : [event.partitionKey])),
      offsetArray: events.map((event) => String(event.offset)),
      sequenceNumberArray: events.map((event) => event.sequenceNumber),
      enqueuedTimeUtcArray: events.map((event) => hostTime(event.enqueuedTimeUtc)),
      systemPropertiesArray: events.map((event) => ({
        'x-opt-sequence-number': event.sequenceNumber,
        'x-opt-offset': String(event.offset),
        'x-opt-enqueued-time': event.enqueuedTimeUtc.getTime(),
        sequenceNumber: event.sequenceNumber,
        offset: String(event.offset),
        partitionKey: event.partitionKey ?? null,
        enqueuedTimeUtc: hostTime(event.enqueuedTimeUtc),
      })),
    },
  };
}
