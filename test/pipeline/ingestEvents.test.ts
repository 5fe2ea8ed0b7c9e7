import type { ReceivedEventData } from '@azure/event-hubs';
import { gzipSync } from 'node:zlib';
import type { Destination } from '../../shared/config/model';
import { MemoryIdentityStore } from '../../shared/enrich/memoryIdentityStore';
import { hostEventBatch } from '../../shared/local/hostEventBatch';
import { demoBatches, demoIdentities, DEMO_CLUSTER } from '../../shared/local/demo/demoCluster';
import { compileConfigurations, type ConfigurationMatcher } from '../../shared/match/configurationMatcher';
import { ConfigurationCache } from '../../shared/pipeline/configurationCache';
import {
  ingestEvents,
  type IngestDependencies,
  type IngestSummary,
} from '../../shared/pipeline/ingestEvents';
import { createPartitionState, type PartitionState } from '../../shared/pipeline/partitionState';
import { IDENTITIES_SCHEMA, TRACE_BATCH_SCHEMA } from '../../shared/pipeline/traceEvent';
import type { TraceRecord } from '../../shared/record/traceRecord';
import { resolveConnection } from '../../shared/sinks/connection';
import { createSink } from '../../shared/sinks/createSink';
import type { DeadLetterBatch, DeadLetterWriter } from '../../shared/sinks/send/deadLetter';
import type { Sink } from '../../shared/sinks/sink';
import { MemoryConfigurationStore } from '../../shared/store/memoryConfigurationStore';
import { configurationWrite } from '../store/configurationStoreContract';
import { configurationsFromYaml, sampleConfigurations } from './support/pipelineFixtures';

/** Records every dead-letter batch; fails on demand (the store being down). */
class RecordingDeadLetter implements DeadLetterWriter {
  readonly batches: DeadLetterBatch[] = [];
  failWith: Error | undefined;

  write(batch: DeadLetterBatch): Promise<string> {
    if (this.failWith !== undefined) return Promise.reject(this.failWith);
    this.batches.push(batch);
    return Promise.resolve(`deadletter/${this.batches.length}.ndjson`);
  }
}

const SHOP_HTTP_STDOUT = `
apiVersion: retina.sh/v1alpha1
kind: TraceConfiguration
metadata: {name: shop-http-stdout, namespace: shop}
spec:
  traceConfigurations:
    - captureLevel: FirstPacket
      includeLayer7Data: true
      from: [{namespaceSelector: {matchLabels: {team: shop}}}]
      to: [{namespaceSelector: {matchLabels: {team: shop}}}]
      ports: [{port: 8080}]
  outputConfiguration: {destination: stdout}
`;

const START_MS = Date.UTC(2026, 2, 1, 12, 0, 0);
const [NODE_1, NODE_2] = demoBatches(START_MS);

interface Harness {
  deps: IngestDependencies;
  deadLetter: RecordingDeadLetter;
  stdout: string[];
  partitions: Map<string, PartitionState>;
}

async function harness(yamlFiles: string[], inline: string[] = []): Promise<Harness> {
  const store = new MemoryConfigurationStore();
  const inputs = [
    ...sampleConfigurations(...yamlFiles),
    ...inline.flatMap((text) => configurationsFromYaml(text)),
  ];
  for (const input of inputs) {
    const [namespace, name] = input.key.split('/') as [string, string];
    await store.put(configurationWrite(namespace, name, { spec: input.spec }));
  }
  const configurations = new ConfigurationCache<ConfigurationMatcher>({
    store,
    refreshIntervalInMs: 60_000,
    now: () => 0,
    compile: (stored) =>
      compileConfigurations(
        stored.flatMap((c) =>
          c.spec === undefined ? [] : [{ key: `${c.namespace}/${c.name}`, spec: c.spec }],
        ),
      ),
  });
  const stdout: string[] = [];
  const deadLetter = new RecordingDeadLetter();
  const partitions = new Map<string, PartitionState>();
  const sinks = new Map<string, Sink>();
  const deps: IngestDependencies = {
    configurations,
    identities: new MemoryIdentityStore({ now: () => START_MS }),
    partitionState: (id) => {
      let state = partitions.get(id);
      if (state === undefined) {
        state = createPartitionState();
        partitions.set(id, state);
      }
      return state;
    },
    sinkFor: (destination: Destination, connection: string) => {
      const key = `${destination}/${connection}`;
      let sink = sinks.get(key);
      if (sink === undefined) {
        // No app settings at all: only stdout resolves.
        sink = createSink(resolveConnection(destination, connection, {}), {
          stdoutWriter: (text) => {
            stdout.push(text);
            return Promise.resolve();
          },
        });
        sinks.set(key, sink);
      }
      return sink;
    },
    deadLetter,
    deliverOptions: { maxAttempts: 1, attemptTimeoutMs: 2000 },
    now: () => START_MS + 5000,
  };
  return { deps, deadLetter, stdout, partitions };
}

interface FakeEvent {
  body: unknown;
  properties?: Record<string, unknown>;
}

let sequence = 100;
function received(events: FakeEvent[]): ReceivedEventData[] {
  return events.map((event, i) => ({
    body: event.body,
    properties: event.properties ?? {},
    enqueuedTimeUtc: new Date(START_MS + i * 10),
    partitionKey: i % 2 === 0 ? 'aks-node-1' : null,
    offset: String(4096 + i),
    sequenceNumber: sequence++,
    getRawAmqpMessage: () => {
      throw new Error('not used by hostEventBatch');
    },
  }));
}

function host(events: FakeEvent[]) {
  return hostEventBatch(received(events), {
    fullyQualifiedNamespace: 'local.servicebus.windows.net',
    eventHubName: 'traces',
    consumerGroup: '$Default',
    partitionId: '3',
  });
}

const traceBatch = (
  capture: Uint8Array,
  node = 'aks-node-1',
  extra: Record<string, unknown> = {},
): FakeEvent => ({
  body: Buffer.from(capture),
  properties: { 'trace-schema': TRACE_BATCH_SCHEMA, cluster: DEMO_CLUSTER, node, ...extra },
});
const identities = (value: unknown = demoIdentities('2026-03-01T11:59:00Z'), gzip = false): FakeEvent => ({
  body: gzip ? gzipSync(JSON.stringify(value)) : Buffer.from(JSON.stringify(value)),
  properties: { 'trace-schema': IDENTITIES_SCHEMA, ...(gzip ? { 'content-encoding': 'gzip' } : {}) },
});

function stdoutRecords(h: Harness): TraceRecord[] {
  return h.stdout
    .join('')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as TraceRecord);
}

describe('ingestEvents', () => {
  it('applies an identity snapshot, then enriches the trace batches of the same invocation', async () => {
    const h = await harness([], [SHOP_HTTP_STDOUT]);
    const input = host([
      identities(),
      traceBatch(NODE_1!.capture),
      traceBatch(NODE_2!.capture, 'aks-node-2'),
    ]);
    expect(input.triggerMetadata.partitionKeyArray).toHaveLength(2);
    const summary = await ingestEvents(input.messages, input.triggerMetadata, h.deps);
    expect(summary).toMatchObject<Partial<IngestSummary>>({
      events: 3,
      traceBatches: 2,
      identitySnapshots: 1,
      rejectedEvents: 0,
      packets: 94,
      malformed: 0,
      matched: 68,
      records: 28,
      delivered: 28,
      deadLettered: 0,
      recordsByDestination: { 'stdout/TRACES_STDOUT': 28 },
      maxLagMs: 5000,
      problems: [],
      // Node 1's lookups of checkout.shop.svc.cluster.local and example.com, though no
      // configuration here traces DNS; nothing was evicted, so that counter is left out.
      dnsNamesLearned: 2,
    });
    expect(summary.dnsNameEvictions).toBeUndefined();
    // One queue per destination for the invocation: both events' records share its pushes.
    expect(summary.deliveries.map((d) => [d.destination, d.records, d.delivered, d.batches])).toEqual([
      ['stdout', 28, 28, 1],
    ]);
    const records = stdoutRecords(h);
    expect(records).toHaveLength(28);
    expect(new Set(records.map((r) => r.NodeName))).toEqual(new Set(['aks-node-1', 'aks-node-2']));
    // Node 1 sees the checkout service address the frontend resolved; node 2 the pod, unnamed.
    const viaService = records.filter(
      (r) =>
        r.NodeName === 'aks-node-1' &&
        r.DestinationServiceName === 'checkout' &&
        r.DestinationPodName === undefined,
    );
    expect(viaService.length).toBeGreaterThan(0);
    for (const r of viaService)
      expect(r.DestinationFqdn ?? r.SourceFqdn).toBe('checkout.shop.svc.cluster.local');
    expect(
      records
        .filter((r) => r.NodeName === 'aks-node-2')
        .some((r) => r.DestinationFqdn !== undefined || r.SourceFqdn !== undefined),
    ).toBe(false);
    const get = records.find((r) => r.NodeName === 'aks-node-2' && r.HttpMethod === 'GET');
    expect(get).toMatchObject({
      ClusterName: DEMO_CLUSTER,
      TraceConfiguration: 'shop/shop-http-stdout',
      SourcePodName: 'frontend-7d9f8b6c5-x2x4q',
      DestinationPodName: 'checkout-5c8b7f9d4-k8m2n',
      DestinationWorkload: 'Deployment/checkout',
      DestinationLabels: { app: 'checkout', tier: 'api' },
    });
    expect(h.deadLetter.batches).toEqual([]);
    expect([...h.partitions.keys()]).toEqual(['3']);
  });

  it('applies the valid endpoints of a snapshot with a broken one, and names what it skipped', async () => {
    const h = await harness([], [SHOP_HTTP_STDOUT]);
    const snapshot = demoIdentities('2026-03-01T11:59:00Z');
    const broken = {
      ...snapshot,
      endpoints: [...snapshot.endpoints, { ip: '10.244.9.300', kind: 'pod', name: 'ghost' }, { kind: 'pod' }],
    };
    const input = host([identities(broken), traceBatch(NODE_2!.capture, 'aks-node-2')]);
    const summary = await ingestEvents(input.messages, input.triggerMetadata, h.deps);
    const total = snapshot.endpoints.length + 2;
    expect(summary).toMatchObject<Partial<IngestSummary>>({
      identitySnapshots: 1,
      rejectedEvents: 0,
      identityEndpointsSkipped: 2,
      problems: [
        `event 0: identity snapshot: 2 of ${total} endpoints skipped, the rest applied: endpoints[${total - 2}].ip: not an IPv4 or IPv6 address; endpoints[${total - 1}].ip: is required`,
      ],
    });
    expect(stdoutRecords(h).find((r) => r.HttpMethod === 'GET')).toMatchObject({
      SourcePodName: 'frontend-7d9f8b6c5-x2x4q',
      DestinationPodName: 'checkout-5c8b7f9d4-k8m2n',
    });
    expect(h.deadLetter.batches).toEqual([]);
  });

  it('refuses a snapshot whose every endpoint is broken: applying it would empty the identity table', async () => {
    const h = await harness([], [SHOP_HTTP_STDOUT]);
    const snapshot = demoIdentities('2026-03-01T11:59:00Z');
    const input = host([
      identities(snapshot),
      identities({ ...snapshot, endpoints: [{ ip: 'nope', kind: 'pod', name: 'x' }] }),
      traceBatch(NODE_2!.capture, 'aks-node-2'),
    ]);
    const summary = await ingestEvents(input.messages, input.triggerMetadata, h.deps);
    expect(summary).toMatchObject({ identitySnapshots: 1, rejectedEvents: 1 });
    expect(summary.problems[0]).toMatch(
      /^event 1: identity snapshot is invalid: every endpoint is invalid; endpoints\[0\]\.ip: not an IPv4 or IPv6 address/,
    );
    // The first snapshot still names the pods.
    expect(stdoutRecords(h).find((r) => r.HttpMethod === 'GET')?.SourcePodName).toBe(
      'frontend-7d9f8b6c5-x2x4q',
    );
  });

  it('reads a gzip identity snapshot and a gzip trace batch', async () => {
    const h = await harness([], [SHOP_HTTP_STDOUT]);
    const input = host([
      identities(undefined, true),
      traceBatch(gzipSync(NODE_1!.capture), 'aks-node-1', { 'content-encoding': 'gzip' }),
    ]);
    const summary = await ingestEvents(input.messages, input.triggerMetadata, h.deps);
    expect(summary).toMatchObject({
      identitySnapshots: 1,
      traceBatches: 1,
      packets: 60,
      records: 14,
      delivered: 14,
    });
  });

  it('without identities, namespace selectors match nothing (no enrichment, no records)', async () => {
    const h = await harness([], [SHOP_HTTP_STDOUT]);
    const input = host([traceBatch(NODE_1!.capture)]);
    const summary = await ingestEvents(input.messages, input.triggerMetadata, h.deps);
    expect(summary).toMatchObject({ traceBatches: 1, packets: 60, matched: 0, records: 0, delivered: 0 });
    expect(h.stdout).toEqual([]);
  });

  it.each<[string, FakeEvent, string, RegExp]>([
    [
      'unknown trace-schema',
      {
        body: Buffer.from('x'),
        properties: { 'trace-schema': 'retina.sh/trace-batch/v9', cluster: 'c', node: 'n' },
      },
      'EVENT_SCHEMA_UNKNOWN',
      /^event 1: application property 'trace-schema' is 'retina.sh\/trace-batch\/v9'/,
    ],
    [
      'missing trace-schema',
      { body: Buffer.from('x'), properties: {} },
      'EVENT_SCHEMA_MISSING',
      /^event 1: application property 'trace-schema' is missing/,
    ],
    [
      'missing cluster',
      {
        body: Buffer.from(NODE_2!.capture),
        properties: { 'trace-schema': TRACE_BATCH_SCHEMA, node: 'aks-node-2' },
      },
      'EVENT_PROPERTY_MISSING',
      /^event 1: application property 'cluster' is missing or empty/,
    ],
    [
      'broken gzip',
      {
        body: Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xff, 0xff]),
        properties: {
          'trace-schema': TRACE_BATCH_SCHEMA,
          cluster: DEMO_CLUSTER,
          node: 'n',
          'content-encoding': 'gzip',
        },
      },
      'EVENT_BODY_UNDECODABLE',
      /^event 1: gzip body could not be inflated/,
    ],
    [
      'identity snapshot that is not JSON',
      { body: Buffer.from('{"cluster":'), properties: { 'trace-schema': IDENTITIES_SCHEMA } },
      'EVENT_BODY_UNDECODABLE',
      /^event 1: identity snapshot is not JSON/,
    ],
    [
      'identity snapshot that breaks the schema',
      identities({
        cluster: DEMO_CLUSTER,
        generatedAt: 'yesterday',
        complete: 'yes',
        endpoints: [{ ip: 1 }],
      }),
      'IDENTITIES_INVALID',
      /^event 1: identity snapshot is invalid: .*generatedAt/,
    ],
    [
      'gzip identity snapshot that breaks the schema (dead-lettered as received, still compressed)',
      identities({ cluster: DEMO_CLUSTER, generatedAt: 'yesterday', complete: true, endpoints: [] }, true),
      'IDENTITIES_INVALID',
      /^event 1: identity snapshot is invalid: generatedAt/,
    ],
  ])('dead-letters %s as an input event and still processes the others', async (_name, bad, code, reason) => {
    const h = await harness(['samples/local/uplink-debug-stdout.yaml']);
    const input = host([traceBatch(NODE_1!.capture), bad, traceBatch(NODE_1!.capture, 'aks-node-3')]);
    const summary = await ingestEvents(input.messages, input.triggerMetadata, h.deps);
    expect(summary).toMatchObject({
      events: 3,
      traceBatches: 2,
      rejectedEvents: 1,
      records: 20,
      delivered: 20,
      deadLettered: 0,
    });
    expect(stdoutRecords(h)).toHaveLength(20);
    expect(h.deadLetter.batches).toHaveLength(1);
    const [batch] = h.deadLetter.batches;
    expect(batch).toMatchObject({
      destination: 'input',
      connection: '',
      batchRef: `eventhub:3:${sequence - 2}`,
    });
    expect(batch!.entries).toHaveLength(1);
    const entry = batch!.entries[0]!;
    expect(entry.kind).toBe('event');
    expect(entry.code).toBe(code);
    expect(entry.reason).toMatch(reason);
    if (entry.kind === 'event') {
      expect(entry.properties).toEqual(bad.properties);
      // The original body is kept byte for byte, for replay.
      expect(Buffer.from(entry.body, 'base64').equals(Buffer.from(bad.body as Buffer))).toBe(true);
    }
    expect(summary.problems).toContainEqual(expect.stringMatching(reason));
  });

  it('dead-letters every rejected event of an invocation, one blob per event', async () => {
    const h = await harness(['samples/local/uplink-debug-stdout.yaml']);
    const input = host([
      { body: Buffer.from('a'), properties: {} },
      { body: Buffer.from('b'), properties: { 'trace-schema': 'nope' } },
      traceBatch(NODE_1!.capture),
    ]);
    const summary = await ingestEvents(input.messages, input.triggerMetadata, h.deps);
    expect(summary.rejectedEvents).toBe(2);
    expect(h.deadLetter.batches.map((b) => b.entries.map((e) => e.code))).toEqual([
      ['EVENT_SCHEMA_MISSING'],
      ['EVENT_SCHEMA_UNKNOWN'],
    ]);
    expect(summary.delivered).toBe(10);
  });

  it('dead-letters the records of a configuration whose connection cannot be resolved; others still deliver', async () => {
    const h = await harness([
      'samples/local/uplink-debug-stdout.yaml',
      'samples/local/cluster-dns-loganalytics.yaml',
    ]);
    const input = host([identities(), traceBatch(NODE_1!.capture)]);
    const summary = await ingestEvents(input.messages, input.triggerMetadata, h.deps);
    expect(summary).toMatchObject({
      traceBatches: 1,
      records: 16,
      delivered: 10,
      deadLettered: 6,
      recordsByDestination: { 'stdout/TRACES_STDOUT': 10, 'loganalytics/TRACES_LOGANALYTICS': 6 },
    });
    expect(stdoutRecords(h).map((r) => r.TraceConfiguration)).toEqual(Array(10).fill('default/uplink-debug'));
    expect(h.deadLetter.batches).toHaveLength(1);
    const [batch] = h.deadLetter.batches;
    expect(batch).toMatchObject({ destination: 'loganalytics', connection: 'TRACES_LOGANALYTICS' });
    expect(batch!.entries).toHaveLength(6);
    for (const entry of batch!.entries) {
      expect(entry).toMatchObject({ kind: 'record', code: 'CONNECTION_INVALID', attempts: 0 });
      expect(entry.reason).toContain('TRACES_LOGANALYTICS__endpoint: required app setting is missing');
    }
    expect(summary.problems).toContainEqual(expect.stringContaining('loganalytics/TRACES_LOGANALYTICS: '));
  });

  it.each<[string, (h: Harness) => unknown[]]>([
    ['an unresolvable connection', () => [identities(), traceBatch(NODE_1!.capture)]],
    ['a rejected event', () => [{ body: Buffer.from('x'), properties: {} }]],
  ])('rejects (so the host retries) when the dead-letter store fails for %s', async (_name, events) => {
    const h = await harness(['samples/local/cluster-dns-loganalytics.yaml']);
    h.deadLetter.failWith = new Error('blob store unavailable');
    const input = host(events(h) as FakeEvent[]);
    await expect(ingestEvents(input.messages, input.triggerMetadata, h.deps)).rejects.toThrow(
      'blob store unavailable',
    );
  });

  it('keeps FirstPacket state per partition across invocations', async () => {
    const h = await harness([], [SHOP_HTTP_STDOUT]);
    const [later] = demoBatches(START_MS + 1000);
    const first = host([identities(), traceBatch(NODE_1!.capture)]);
    expect((await ingestEvents(first.messages, first.triggerMetadata, h.deps)).records).toBe(14);
    const second = host([traceBatch(later!.capture)]);
    // Same flows again: only the HTTP and gRPC messages, no first packets.
    expect((await ingestEvents(second.messages, second.triggerMetadata, h.deps)).records).toBe(8);
    const otherPartition = hostEventBatch(received([traceBatch(later!.capture)]), {
      fullyQualifiedNamespace: 'x',
      eventHubName: 'traces',
      consumerGroup: '$Default',
      partitionId: '4',
    });
    expect(
      (await ingestEvents(otherPartition.messages, otherPartition.triggerMetadata, h.deps)).records,
    ).toBe(14);
  });

  it.each<[string, unknown, Record<string, unknown> | undefined, Partial<IngestSummary>]>([
    ['no events', [], undefined, { events: 0, traceBatches: 0, rejectedEvents: 0, records: 0 }],
    ['a single non-array body (cardinality one)', 'text body', {}, { events: 1, rejectedEvents: 1 }],
    [
      'a null body',
      [null],
      { propertiesArray: [{ 'trace-schema': TRACE_BATCH_SCHEMA }] },
      { events: 1, rejectedEvents: 1 },
    ],
  ])('handles %s', async (_name, messages, metadata, expected) => {
    const h = await harness(['samples/local/uplink-debug-stdout.yaml']);
    const summary = await ingestEvents(messages, metadata, h.deps);
    expect(summary).toMatchObject(expected);
    expect(h.deadLetter.batches).toHaveLength(expected.rejectedEvents ?? 0);
  });

  it('reports damaged packets of a batch with the event and its reference', async () => {
    const h = await harness(['samples/local/uplink-debug-stdout.yaml']);
    const truncated = NODE_1!.capture.subarray(0, NODE_1!.capture.length - 40);
    const input = host([traceBatch(truncated)]);
    const summary = await ingestEvents(input.messages, input.triggerMetadata, h.deps);
    expect(summary.packets).toBe(59);
    expect(summary.problems).toHaveLength(2);
    expect(summary.problems[0]).toMatch(
      new RegExp(`^event 0 \\(eventhub:3:${sequence - 1}\\): .*after frame 59`),
    );
    // The cut-off last packet is the h2c connection's final ACK, not one of the 10 at the uplink.
    expect(summary.delivered).toBe(10);
    // The body is kept whole for forensics and replay: the readable part was delivered anyway.
    expect(summary).toMatchObject({ unreadableEvents: 1, rejectedEvents: 0 });
    expect(summary.problems[1]).toMatch(
      /^event 0: capture is not wholly readable \(59 packets read\): CAPTURE_TRUNCATED/,
    );
    expect(h.deadLetter.batches).toHaveLength(1);
    const entry = h.deadLetter.batches[0]!.entries[0]!;
    expect(entry).toMatchObject({ kind: 'event', code: 'CAPTURE_UNREADABLE' });
    if (entry.kind === 'event')
      expect(Buffer.from(entry.body, 'base64').equals(Buffer.from(truncated))).toBe(true);
  });

  describe('unreadable input and inflation budgets', () => {
    const gzipBatch = (bytes: Uint8Array, node = 'aks-node-1'): FakeEvent => ({
      body: gzipSync(bytes),
      properties: {
        'trace-schema': TRACE_BATCH_SCHEMA,
        cluster: DEMO_CLUSTER,
        node,
        'content-encoding': 'gzip',
      },
    });
    /** pcapng section header whose block length claims 2 GiB. */
    const absurdBlockLength = Buffer.from([
      0x0a, 0x0d, 0x0d, 0x0a, 0x00, 0x00, 0x00, 0x80, 0x4d, 0x3c, 0x2b, 0x1a, 0x01, 0x00, 0x00, 0x00,
    ]);

    it.each<[string, FakeEvent, string]>([
      ['a gzip bomb', gzipBatch(Buffer.alloc(3 * 1024 * 1024)), 'EVENT_INFLATED_TOO_LARGE'],
      [
        'bytes that are not a capture',
        traceBatch(Buffer.from('definitely not a capture')),
        'CAPTURE_UNREADABLE',
      ],
      ['an absurd pcapng block length', traceBatch(absurdBlockLength), 'CAPTURE_UNREADABLE'],
      ['an empty body', traceBatch(Buffer.alloc(0)), 'CAPTURE_UNREADABLE'],
    ])(
      'dead-letters %s with its code and bytes; the good events around it deliver',
      async (_name, bad, code) => {
        const h = await harness(['samples/local/uplink-debug-stdout.yaml']);
        h.deps.maxInflatedBytesPerEvent = 1024 * 1024;
        const input = host([traceBatch(NODE_1!.capture), bad, gzipBatch(NODE_1!.capture, 'aks-node-3')]);
        const summary = await ingestEvents(input.messages, input.triggerMetadata, h.deps);
        expect(summary).toMatchObject({ records: 20, delivered: 20, deadLettered: 0 });
        expect(h.deadLetter.batches).toHaveLength(1);
        const [batch] = h.deadLetter.batches;
        expect(batch).toMatchObject({ destination: 'input', batchRef: `eventhub:3:${sequence - 2}` });
        const entry = batch!.entries[0]!;
        expect(entry).toMatchObject({ kind: 'event', code });
        if (entry.kind === 'event')
          expect(Buffer.from(entry.body, 'base64').equals(Buffer.from(bad.body as Buffer))).toBe(true);
        expect(summary.problems.join('\n')).toContain(
          code === 'EVENT_INFLATED_TOO_LARGE' ? 'decompression bomb' : 'not wholly readable',
        );
      },
    );

    it('stops inflating once the invocation budget is spent: later events are dead-lettered for replay', async () => {
      const h = await harness(['samples/local/uplink-debug-stdout.yaml']);
      const size = NODE_1!.capture.length;
      h.deps.maxInflatedBytesPerInvocation = Math.floor(size * 1.5);
      const input = host([
        gzipBatch(NODE_1!.capture),
        gzipBatch(NODE_1!.capture, 'aks-node-3'),
        gzipBatch(NODE_1!.capture, 'aks-node-4'),
      ]);
      const summary = await ingestEvents(input.messages, input.triggerMetadata, h.deps);
      expect(summary).toMatchObject({ traceBatches: 1, rejectedEvents: 2, delivered: 10 });
      expect(h.deadLetter.batches.map((b) => b.entries[0]?.code)).toEqual([
        'INVOCATION_INFLATED_BUDGET_EXCEEDED',
        'INVOCATION_INFLATED_BUDGET_EXCEEDED',
      ]);
    });
  });

  describe('delivery lanes', () => {
    /** A destination that accepts and never answers. */
    const hanging = (inner: Sink): Sink => ({
      destination: 'loganalytics',
      connection: 'TRACES_LOGANALYTICS',
      limits: inner.limits,
      encode: (record) => inner.encode(record),
      push: (_batch, options) =>
        new Promise((_resolve, reject) =>
          options.abortSignal.addEventListener('abort', () =>
            reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
          ),
        ),
      close: async () => undefined,
    });

    /** stdout delivers; Log Analytics answers every push 403 (a permanent failure). */
    async function withRefusingLogAnalytics(): Promise<Harness> {
      const h = await harness([
        'samples/local/uplink-debug-stdout.yaml',
        'samples/local/cluster-dns-loganalytics.yaml',
      ]);
      const stdout = h.deps.sinkFor('stdout', 'TRACES_STDOUT');
      const refusing: Sink = {
        ...hanging(stdout),
        push: () => Promise.reject(Object.assign(new Error('forbidden'), { statusCode: 403 })),
      };
      h.deps.sinkFor = (destination) => (destination === 'stdout' ? stdout : refusing);
      return h;
    }

    const threeBatches = () =>
      host([
        identities(),
        traceBatch(NODE_1!.capture),
        traceBatch(NODE_1!.capture, 'aks-node-3'),
        traceBatch(NODE_1!.capture, 'aks-node-4'),
      ]);

    it('a destination that never answers does not hold up a healthy one; once its circuit opens it costs nothing', async () => {
      const h = await harness([
        'samples/local/uplink-debug-stdout.yaml',
        'samples/local/cluster-dns-loganalytics.yaml',
      ]);
      const stdout = h.deps.sinkFor('stdout', 'TRACES_STDOUT');
      const sick = hanging(stdout);
      h.deps.sinkFor = (destination) => (destination === 'stdout' ? stdout : sick);
      const started = Date.now();
      h.deps.deliverOptions = { attemptTimeoutMs: 200, deadlineMs: started + 20_000, maxAttempts: 1 };
      h.deps.circuitBreaker = { failureThreshold: 1, openMs: 60_000 };
      // Each event's six records are sent on their own (as a busier invocation's full pushes would be).
      h.deps.delivery = { maxPendingRecords: 5 };
      const input = threeBatches();
      const summary = await ingestEvents(input.messages, input.triggerMetadata, h.deps);
      // The pushes overlap: one attempt timeout, not three, and far from the deadline.
      expect(Date.now() - started).toBeLessThan(2000);
      expect(stdoutRecords(h)).toHaveLength(30);
      const report = (destination: string) => summary.deliveries.find((d) => d.destination === destination);
      expect(report('stdout')).toMatchObject({ records: 30, delivered: 30, deadLettered: 0 });
      expect(report('loganalytics')).toMatchObject({ records: 18, delivered: 0, deadLettered: 18 });
      expect(report('loganalytics')!.failures.map((f) => f.code)).toContain('TIMEOUT');
      expect(summary.deadLettered).toBe(18);
      // Dead letters are written in parts of at most maxPendingRecords (here one per push), each
      // naming the event its records came from, and the report names every blob.
      const blobs = h.deadLetter.batches.filter((b) => b.destination === 'loganalytics');
      expect(blobs.map((b) => b.entries.length)).toEqual([6, 6, 6]);
      expect(new Set(blobs.map((b) => b.batchRef)).size).toBe(3);
      for (const blob of blobs) expect(blob.batchRef).toMatch(/^eventhub:3:\d+$/);
      expect(report('loganalytics')!.deadLetterBlobs).toHaveLength(3);

      // The circuit is open now: the next invocation dead-letters at once, without waiting.
      const again = Date.now();
      const next = threeBatches();
      const second = await ingestEvents(next.messages, next.triggerMetadata, h.deps);
      expect(Date.now() - again).toBeLessThan(150);
      expect(
        second.deliveries.find((d) => d.destination === 'loganalytics')!.failures.map((f) => f.code),
      ).toEqual(['CIRCUIT_OPEN']);
    });

    it('when one destination can neither deliver nor dead-letter, the others still deliver everything and the invocation fails', async () => {
      const h = await withRefusingLogAnalytics();
      const written: DeadLetterBatch[] = [];
      h.deps.deadLetter = {
        write: (batch) =>
          batch.destination === 'loganalytics'
            ? Promise.reject(new Error('blob store unavailable'))
            : (written.push(batch), Promise.resolve('x')),
      };
      const input = threeBatches();
      await expect(ingestEvents(input.messages, input.triggerMetadata, h.deps)).rejects.toMatchObject({
        code: 'DEADLETTER_WRITE_FAILED',
        reports: [expect.objectContaining({ destination: 'stdout', delivered: 30 })],
      });
      expect(stdoutRecords(h)).toHaveLength(30);
    });

    it('a permanently failing destination is dead-lettered while the others deliver; the invocation returns', async () => {
      const h = await withRefusingLogAnalytics();
      const input = threeBatches();
      const summary = await ingestEvents(input.messages, input.triggerMetadata, h.deps);
      expect(summary).toMatchObject({ records: 48, delivered: 30, deadLettered: 18 });
      expect(h.deadLetter.batches.map((b) => [b.destination, b.entries.length])).toEqual([
        ['loganalytics', 18],
      ]);
      expect(summary.problems).toContainEqual(
        expect.stringContaining('loganalytics/TRACES_LOGANALYTICS: 18 × HTTP_403'),
      );
      expect(summary.byConfiguration?.['kube-system/cluster-dns']).toMatchObject({
        records: 18,
        deadLettered: 18,
      });
    });

    it('sends early, before later events are decoded, once more than maxPendingRecords records wait', async () => {
      const h = await harness(['samples/local/uplink-debug-stdout.yaml']);
      let batchesDecoded = 0;
      const partitionState = h.deps.partitionState;
      h.deps.partitionState = (id) => ((batchesDecoded += 1), partitionState(id));
      const stdout = h.deps.sinkFor('stdout', 'TRACES_STDOUT');
      const pushedAfter: number[] = [];
      const watched: Sink = {
        ...hanging(stdout),
        destination: 'stdout',
        connection: 'TRACES_STDOUT',
        push: (batch, options) => (pushedAfter.push(batchesDecoded), stdout.push(batch, options)),
      };
      h.deps.sinkFor = () => watched;
      h.deps.delivery = { maxPendingRecords: 10 };
      const input = threeBatches();
      const summary = await ingestEvents(input.messages, input.triggerMetadata, h.deps);
      expect(summary.delivered).toBe(30);
      // Ten records of each event: the 11th (the second event's first) sends the first ten.
      expect(pushedAfter[0]).toBe(2);
      expect(pushedAfter.length).toBeGreaterThanOrEqual(3);

      // Without the bound, the demo's few records all wait for the end of the invocation: one push.
      const unbounded = await harness(['samples/local/uplink-debug-stdout.yaml']);
      const again = threeBatches();
      const report = (await ingestEvents(again.messages, again.triggerMetadata, unbounded.deps))
        .deliveries[0];
      expect(report).toMatchObject({ records: 30, batches: 1 });
    });
  });
});
