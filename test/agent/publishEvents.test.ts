import { EventHubConsumerClient, EventHubProducerClient } from '@azure/event-hubs';
import { identitiesEvent, publishEvents, type PublishableEvent } from '../../shared/agent/publishEvents';
import { startLocalEventHubs, type LocalEventHubs } from '../../shared/local/eventHubs/localEventHubs';
import { demoIdentities } from '../../shared/local/demo/demoCluster';
import { IDENTITIES_SCHEMA } from '../../shared/pipeline/traceEvent';
import { collect, waitFor, type Collector } from '../local/eventHubs/sdkHelpers';

const HUB = 'traces';
let hubs: LocalEventHubs;
let producer: EventHubProducerClient;
let consumer: EventHubConsumerClient;
let collector: Collector;

beforeAll(async () => {
  // A small message limit so a few kilobytes already fill an Event Hubs batch.
  hubs = await startLocalEventHubs({
    hubs: [{ name: HUB, partitionCount: 2 }],
    maxMessageSizeInBytes: 64 * 1024,
  });
  producer = new EventHubProducerClient(hubs.connectionString(HUB));
  consumer = new EventHubConsumerClient('$Default', hubs.connectionString(HUB));
  collector = collect(consumer, {});
});

afterAll(async () => {
  await collector?.close();
  await consumer?.close();
  await producer?.close();
  await hubs?.close();
});

function events(count: number, size: number, tag: string): PublishableEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    body: Buffer.alloc(size, i),
    properties: { tag, index: String(i) },
  }));
}

function received(tag: string) {
  return collector.events.filter((e) => e.properties?.tag === tag);
}

describe('publishEvents against the local Event Hubs endpoint', () => {
  it('sends every event in order, across several Event Hubs batches, to the partition of the key', async () => {
    const sent = events(40, 5_000, 'many');
    const sendBatch = jest.spyOn(producer, 'sendBatch');
    expect(await publishEvents(producer, sent, { partitionKey: 'aks-node-1' })).toBe(40);
    expect(sendBatch.mock.calls.length).toBeGreaterThan(2);
    sendBatch.mockRestore();
    await waitFor(() => received('many').length === 40, '40 events');
    const got = received('many');
    expect(got.map((e) => String(e.properties?.index))).toEqual(sent.map((e) => e.properties.index));
    expect(new Set(got.map((e) => e.partitionId)).size).toBe(1);
    expect(got.every((e) => e.partitionKey === 'aks-node-1')).toBe(true);
    for (const [i, event] of got.entries())
      expect(Buffer.from(event.body as Uint8Array).equals(sent[i]!.body)).toBe(true);
  });

  it('resolves 0 and sends nothing for no events', async () => {
    const sendBatch = jest.spyOn(producer, 'sendBatch');
    expect(await publishEvents(producer, [], { partitionKey: 'k' })).toBe(0);
    expect(sendBatch).not.toHaveBeenCalled();
    sendBatch.mockRestore();
  });

  it('sends what precedes an event too large for any batch, then fails with EVENT_TOO_LARGE naming it', async () => {
    const sent = [
      ...events(2, 1_000, 'large'),
      { body: Buffer.alloc(70 * 1024), properties: { tag: 'large', index: '2' } },
      ...events(1, 1_000, 'large'),
    ];
    const publishing = publishEvents(producer, sent, { partitionKey: 'aks-node-2' });
    await expect(publishing).rejects.toMatchObject({ code: 'EVENT_TOO_LARGE' });
    await expect(publishing).rejects.toThrow(
      /^event 2 is 71680 bytes, more than the hub accepts in one batch \(\d+ bytes\)$/,
    );
    await waitFor(() => received('large').length === 2, 'the 2 events before the large one');
    expect(received('large').map((e) => String(e.properties?.index))).toEqual(['0', '1']);
  });

  it('builds identity snapshot events with the schema, cluster and node properties', async () => {
    const snapshot = { ...demoIdentities('2026-11-25T10:00:00Z'), node: 'aks-node-1' };
    const event = identitiesEvent(snapshot);
    expect(event.properties).toEqual({
      'trace-schema': IDENTITIES_SCHEMA,
      cluster: 'demo-cluster',
      node: 'aks-node-1',
    });
    expect(JSON.parse(event.body.toString('utf8'))).toEqual(snapshot);
    const { node: _node, ...clusterWide } = snapshot;
    expect(identitiesEvent(clusterWide).properties).toEqual({
      'trace-schema': IDENTITIES_SCHEMA,
      cluster: 'demo-cluster',
    });
  });
});
