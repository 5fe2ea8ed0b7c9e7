/**
 * Local Event Hubs benchmark (`npx tsx bench/localEventHubs.ts`): end-to-end throughput of the
 * in-process endpoint with the real SDK clients — an `EventHubProducerClient` publishing batches keyed
 * by node (as `tracectl replay` does) and an `EventHubConsumerClient` reading every partition from the
 * start. Reports events/s and MB/s for small and trace-batch-sized events.
 */
import { EventHubConsumerClient, EventHubProducerClient, earliestEventPosition } from '@azure/event-hubs';
import { startLocalEventHubs } from '../shared/local/eventHubs/localEventHubs';

interface Scenario {
  name: string;
  eventBytes: number;
  events: number;
}

const SCENARIOS: Scenario[] = [
  { name: '1 KiB events', eventBytes: 1024, events: 20_000 },
  { name: '64 KiB events (trace batches)', eventBytes: 64 * 1024, events: 2_000 },
];

async function run(scenario: Scenario): Promise<void> {
  const hubs = await startLocalEventHubs({
    hubs: [{ name: 'bench', partitionCount: 4 }],
    maxEventsPerPartition: scenario.events,
    maxBytesPerPartition: 2 * scenario.events * scenario.eventBytes,
  });
  const producer = new EventHubProducerClient(hubs.connectionString('bench'));
  const consumer = new EventHubConsumerClient('$Default', hubs.connectionString('bench'));
  const body = Buffer.alloc(scenario.eventBytes, 0x5a);
  let received = 0;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const started = process.hrtime.bigint();
  const subscription = consumer.subscribe(
    {
      processEvents: async (events) => {
        received += events.length;
        if (received >= scenario.events) resolveDone();
      },
      processError: async (error) => console.error(`consumer error: ${error.message}`),
    },
    {
      startPosition: earliestEventPosition,
      maxBatchSize: 500,
      maxWaitTimeInSeconds: 0.05,
      skipParsingBodyAsJson: true,
    },
  );
  let sent = 0;
  let node = 0;
  while (sent < scenario.events) {
    const batch = await producer.createBatch({ partitionKey: `node-${node++ % 8}` });
    while (sent < scenario.events && batch.tryAdd({ body })) sent++;
    await producer.sendBatch(batch);
  }
  const published = process.hrtime.bigint();
  await done;
  const finished = process.hrtime.bigint();
  const seconds = Number(finished - started) / 1e9;
  const megabytes = (scenario.events * scenario.eventBytes) / (1024 * 1024);
  console.log(
    `${scenario.name}: ${scenario.events} events, ${megabytes.toFixed(0)} MiB — published in ` +
      `${(Number(published - started) / 1e9).toFixed(2)} s, all received in ${seconds.toFixed(2)} s ` +
      `(${Math.round(scenario.events / seconds)} events/s, ${(megabytes / seconds).toFixed(1)} MiB/s end to end)`,
  );
  await subscription.close();
  await consumer.close();
  await producer.close();
  await hubs.close();
}

async function main(): Promise<void> {
  for (const scenario of SCENARIOS) await run(scenario);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
