/**
 * Publishes trace batches and identity snapshots with `@azure/event-hubs`, using the node as the
 * partition key so all of a node's packets (and so each flow's) reach one consumer, which the
 * `FirstPacket` state and TCP reassembly rely on. The SDK retries transient failures; whatever
 * still fails is thrown with the number of events that did get through.
 */
import type { EventData, EventHubProducerClient } from '@azure/event-hubs';
import type { IdentitySnapshot } from '../enrich/identity';
import { IDENTITIES_SCHEMA } from '../pipeline/traceEvent';
import { TraceError, errorMessage } from '../errors';

/** An event to publish. */
export interface PublishableEvent {
  body: Buffer;
  properties: Record<string, string>;
}

/** The identity snapshot event of docs/wire-format.md. */
export function identitiesEvent(snapshot: IdentitySnapshot): PublishableEvent {
  return {
    body: Buffer.from(JSON.stringify(snapshot)),
    properties: { 'trace-schema': IDENTITIES_SCHEMA, cluster: snapshot.cluster, ...(snapshot.node !== undefined ? { node: snapshot.node } : {}) },
  };
}

/**
 * Sends events in order, packing as many as fit into each Event Hubs batch (1 MB on Standard).
 * Resolves to the number of events sent.
 */
export async function publishEvents(
  producer: EventHubProducerClient,
  events: readonly PublishableEvent[],
  options: { partitionKey: string; abortSignal?: AbortSignal },
): Promise<number> {
  let sent = 0;
  let index = 0;
  while (index < events.length) {
    const batch = await producer.createBatch({ partitionKey: options.partitionKey, abortSignal: options.abortSignal });
    const first = index;
    while (index < events.length) {
      const event = events[index]!;
      const data: EventData = { body: event.body, properties: event.properties };
      if (!batch.tryAdd(data)) break;
      index += 1;
    }
    if (index === first) {
      throw new TraceError('EVENT_TOO_LARGE', `event ${index} is ${events[index]!.body.length} bytes, more than the hub accepts in one batch (${batch.maxSizeInBytes} bytes)`);
    }
    try {
      await producer.sendBatch(batch, { abortSignal: options.abortSignal });
    } catch (caught) {
      throw new TraceError('PUBLISH_FAILED', `publishing failed after ${sent} of ${events.length} events were sent: ${errorMessage(caught)}`, { cause: caught });
    }
    sent = index;
  }
  return sent;
}
