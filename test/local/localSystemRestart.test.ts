/**
 * The local consumer checkpoints like the Functions host: stopped and started again (as an instance
 * going away), it resumes after the last processed event, losing nothing and writing nothing twice.
 */
import { TRACE_CONSUMER_GROUP } from '../../shared/local/eventHubs/settings';
import { gzipSync } from 'node:zlib';
import { TableClient } from '@azure/data-tables';
import { EventHubProducerClient } from '@azure/event-hubs';
import { identitiesEvent, publishEvents, type PublishableEvent } from '../../shared/agent/publishEvents';
import { callBackend } from '../../shared/cli/backendClient';
import { demoBatches, demoIdentities, DEMO_CLUSTER } from '../../shared/local/demo/demoCluster';
import { startLocalSystem, type LocalSystem } from '../../shared/local/localSystem';
import { TRACE_BATCH_SCHEMA } from '../../shared/pipeline/traceEvent';

const ALL_8080 = `apiVersion: retina.sh/v1alpha1
kind: TraceConfiguration
metadata: { name: all-8080, namespace: shop }
spec:
  traceConfigurations: [{ captureLevel: AllPackets, ports: [{ port: 8080, protocol: TCP }] }]
  outputConfiguration: { destination: azuretable }
`;
const NODE = 'aks-node-2';
const START = Date.UTC(2026, 10, 25, 10, 0, 0);
/** Packets of node 2's demo batch, all HTTP on port 8080. */
const PACKETS_PER_BATCH = demoBatches(START)[1]!.packets;

let system: LocalSystem;
let producer: EventHubProducerClient;

beforeAll(async () => {
  system = await startLocalSystem();
  producer = new EventHubProducerClient(system.eventHubsConnectionString);
  const put = await callBackend({ server: system.httpUrl }, 'PUT', 'traceconfigurations/shop/all-8080', {
    body: ALL_8080,
    contentType: 'application/yaml',
  });
  expect(put.status).toBe(201);
}, 40_000);

afterAll(async () => {
  await producer?.close();
  await system?.stop();
});

/** Node 2's demo batch, `minute` minutes after START: same traffic, distinct packets. */
function batch(minute: number): PublishableEvent {
  const node2 = demoBatches(START + minute * 60_000)[1]!;
  return {
    body: gzipSync(node2.capture),
    properties: {
      'trace-schema': TRACE_BATCH_SCHEMA,
      cluster: DEMO_CLUSTER,
      node: NODE,
      'content-encoding': 'gzip',
    },
  };
}

async function rows(): Promise<Record<string, unknown>[]> {
  const client = TableClient.fromConnectionString(system.azurite.connectionString, 'RetinaTraces', {
    allowInsecureConnection: true,
  });
  const out: Record<string, unknown>[] = [];
  for await (const entity of client.listEntities()) out.push(entity);
  return out;
}

/** Rows per batch minute, from the records' times. */
function rowsPerMinute(all: Record<string, unknown>[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const row of all) {
    const minute = Math.floor((Number(BigInt(String(row.TimestampNs)) / 1_000_000n) - START) / 60_000);
    counts[minute] = (counts[minute] ?? 0) + 1;
  }
  return counts;
}

describe('local consumer restart', () => {
  it('resumes after its checkpoint: events published while it was stopped arrive, earlier ones are not processed again', async () => {
    expect(PACKETS_PER_BATCH).toBe(34);
    // One partition key, so every event lands in one partition, in order.
    await publishEvents(
      producer,
      [identitiesEvent(demoIdentities('2026-11-25T09:59:00Z')), batch(0), batch(1), batch(2)],
      { partitionKey: NODE },
    );
    await system.waitForEvents(4, 20_000);
    const checkpoints = await system.checkpointStore.listCheckpoints(
      producer.fullyQualifiedNamespace,
      system.hubName,
      TRACE_CONSUMER_GROUP,
    );
    expect(checkpoints.map((c) => c.sequenceNumber)).toEqual([3]);

    await system.stopConsumer();
    await publishEvents(producer, [batch(3), batch(4), batch(5)], { partitionKey: NODE });
    expect(system.stats.events).toBe(4);
    system.startConsumer();
    await system.waitForEvents(7, 20_000);
    const all = await rows();
    // Had the consumer started from the beginning again, it would have counted 4 old events first.
    expect(system.stats.events).toBe(7);
    expect(all).toHaveLength(6 * PACKETS_PER_BATCH);
    expect(new Set(all.map((r) => r.RecordId)).size).toBe(all.length);
    expect(rowsPerMinute(all)).toEqual({ 0: 34, 1: 34, 2: 34, 3: 34, 4: 34, 5: 34 });
    expect(all.every((r) => r.TraceConfiguration === 'shop/all-8080')).toBe(true);
  });

  it('loses nothing and duplicates no row when stopped in the middle of a stream', async () => {
    const before = system.stats.events;
    const stream = [6, 7, 8, 9, 10, 11, 12, 13].map(batch);
    const publishing = (async () => {
      for (const event of stream) await publishEvents(producer, [event], { partitionKey: NODE });
    })();
    await system.waitForEvents(before + 1, 20_000);
    await system.stopConsumer();
    await publishing;
    system.startConsumer();
    await system.waitForEvents(before + stream.length, 20_000);
    const all = await rows();
    expect(all).toHaveLength(14 * PACKETS_PER_BATCH);
    expect(new Set(all.map((r) => r.RecordId)).size).toBe(all.length);
    expect(Object.values(rowsPerMinute(all))).toEqual(Array(14).fill(34));
  });
});
