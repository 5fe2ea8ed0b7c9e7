import { EventHubConsumerClient, EventHubProducerClient } from '@azure/event-hubs';
import { IdentityTable } from '../../../shared/enrich/identityTable';
import { parseIdentitySnapshot } from '../../../shared/enrich/identitySchema';
import type { IdentitySnapshot } from '../../../shared/enrich/identity';
import { IdentityPublisher } from '../../../shared/kubernetes/identity/identityPublisher';
import { eventHubSnapshotSink } from '../../../shared/kubernetes/identity/snapshotSink';
import { demoKubernetesObjects } from '../../../shared/local/demo/demoKubernetesObjects';
import { startLocalEventHubs, type LocalEventHubs } from '../../../shared/local/eventHubs/localEventHubs';
import { classifyEvent } from '../../../shared/pipeline/traceEvent';
import { collect, type Collector } from '../../local/eventHubs/sdkHelpers';
import { eventually, pod, useFakeApiServer } from '../support';

const HUBS = ['hub-1', 'hub-2', 'hub-3', 'hub-4'];
let hubIndex = 0;

describe('identity publisher → Event Hubs', () => {
  const { server, config } = useFakeApiServer();
  let hubs: LocalEventHubs;
  let producer: EventHubProducerClient;
  let consumer: EventHubConsumerClient;
  let received: Collector;
  let publisher: IdentityPublisher | undefined;

  beforeAll(async () => {
    hubs = await startLocalEventHubs({ hubs: HUBS.map((name) => ({ name, partitionCount: 4 })) });
  });
  afterAll(async () => {
    await hubs.close();
  });
  beforeEach(() => {
    // A hub per test, so each test reads only what it published.
    const hub = HUBS[hubIndex++]!;
    producer = new EventHubProducerClient(hubs.connectionString(hub));
    consumer = new EventHubConsumerClient('$Default', hubs.connectionString(hub));
    received = collect(consumer, {});
  });
  afterEach(async () => {
    await publisher?.stop();
    publisher = undefined;
    await received.close();
    await consumer.close();
    await producer.close();
  });

  /** What arrived, decoded the way the ingest function decodes it. */
  function snapshots(): {
    snapshot: IdentitySnapshot;
    partitionKey: string | undefined;
    partitionId: string;
    sequence: number;
  }[] {
    return received.events.map((event, index) => {
      const classified = classifyEvent(
        event.body,
        { properties: event.properties ?? {}, partitionKey: event.partitionKey ?? undefined },
        index,
      );
      if (classified.kind !== 'identities')
        throw new Error(
          `event ${index} is ${classified.kind}: ${'reason' in classified ? classified.reason : ''}`,
        );
      const parsed = parseIdentitySnapshot(classified.body);
      if (!parsed.ok) throw new Error(parsed.issues.join('; '));
      return {
        snapshot: parsed.snapshot,
        partitionKey: event.partitionKey ?? undefined,
        partitionId: event.partitionId,
        sequence: event.sequenceNumber,
      };
    });
  }

  /** The backend's identity table after applying everything received (per partition in order; across partitions by time). */
  function table(): IdentityTable {
    const t = new IdentityTable();
    const ordered = snapshots().sort(
      (a, b) =>
        a.snapshot.generatedAt.localeCompare(b.snapshot.generatedAt) ||
        a.partitionId.localeCompare(b.partitionId) ||
        a.sequence - b.sequence,
    );
    for (const { snapshot } of ordered) t.apply(snapshot);
    return t;
  }

  function start(extra: { minCompleteIntervalInMs?: number } = {}): IdentityPublisher {
    publisher = new IdentityPublisher(config(), {
      cluster: 'aks-prod',
      sink: eventHubSnapshotSink(producer),
      tickInMs: 50,
      minCompleteIntervalInMs: extra.minCompleteIntervalInMs ?? 60_000,
      reflector: { backoff: { initialInMs: 20, maxInMs: 100 } },
    });
    void publisher.start();
    return publisher;
  }

  it('publishes a complete snapshot of the cluster once everything is listed', async () => {
    for (const object of demoKubernetesObjects()) server().apply(object);
    const p = start();
    await eventually('the complete snapshot', () => received.events.length >= 1);
    const [first] = snapshots();
    expect(first?.snapshot).toMatchObject({ cluster: 'aks-prod', complete: true });
    expect(first?.partitionKey).toBe('aks-prod');
    expect(received.events[0]?.properties).toMatchObject({
      'trace-schema': 'retina.sh/identities/v1',
      'content-encoding': 'gzip',
      cluster: 'aks-prod',
    });
    expect(table().lookupText('10.244.1.10')).toMatchObject({
      name: 'frontend-7d9f8b6c5-x2x4q',
      workload: { kind: 'Deployment', name: 'frontend' },
      serviceNames: ['frontend'],
      namespaceLabels: { team: 'shop' },
    });
    expect(p.stats.completeSnapshots).toBe(1);
  });

  it('sends changes as deltas keyed by node, and brings removals forward as a complete snapshot', async () => {
    for (const object of demoKubernetesObjects()) server().apply(object);
    const p = start({ minCompleteIntervalInMs: 0 });
    await eventually(
      'the complete snapshot',
      () => p.stats.completeSnapshots === 1 && received.events.length === 1,
    );
    server().apply(pod('shop', 'new-pod', { ip: '10.244.2.99', node: 'aks-node-2', labels: { app: 'new' } }));
    await eventually('the delta', () => p.stats.deltaSnapshots === 1 && received.events.length === 2);
    const delta = snapshots()[1]!;
    expect(delta).toMatchObject({
      partitionKey: 'aks-node-2',
      snapshot: { complete: false, node: 'aks-node-2' },
    });
    expect(delta.snapshot.endpoints.map((e) => e.name)).toEqual(['new-pod']);
    server().remove('Pod', 'shop', 'checkout-5c8b7f9d4-k8m2n');
    await eventually(
      'the complete snapshot after a removal',
      () => p.stats.completeSnapshots === 2 && received.events.length === 3,
    );
    expect(table().lookupText('10.244.2.20')).toBeUndefined();
    expect(table().lookupText('10.244.2.99')?.name).toBe('new-pod');
  });

  it('after a 410 relist the published table equals the cluster: nothing lost, nothing stale', async () => {
    for (const object of demoKubernetesObjects()) server().apply(object);
    const p = start();
    await eventually(
      'the complete snapshot',
      () => p.stats.completeSnapshots === 1 && received.events.length === 1,
    );
    await eventually('all watches open', () => server().watchCount === 7);
    server().closeWatches();
    server().remove('Pod', 'shop', 'frontend-7d9f8b6c5-x2x4q');
    server().apply(pod('shop', 'late', { ip: '10.244.1.77', node: 'aks-node-1' }));
    server().apply({
      ...(demoKubernetesObjects().find(
        (o) => (o as { metadata: { name: string } }).metadata.name === 'checkout',
      ) as object),
      spec: { clusterIP: '10.0.12.35', clusterIPs: ['10.0.12.35'] },
    });
    server().store.compact();
    // Each kind's watch relists on its own schedule (one complete snapshot each time), so wait for
    // the published table to converge rather than for a count of snapshots.
    await eventually(
      'the published table after the relists',
      () =>
        p.stats.completeSnapshots >= 2 &&
        received.events.length === p.stats.events &&
        table().lookupText('10.0.12.34') === undefined &&
        table().lookupText('10.244.1.77') !== undefined,
    );
    expect(p.watches.reduce((n, w) => n + w.stats.relists, 0)).toBeGreaterThan(0);
    const t = table();
    expect(t.lookupText('10.244.1.10')).toBeUndefined();
    expect(t.lookupText('10.244.1.77')?.name).toBe('late');
    expect(t.lookupText('10.0.12.34')).toBeUndefined();
    expect(t.lookupText('10.0.12.35')?.name).toBe('checkout');
    expect(t.size).toBe(7);
  });
});
