import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { createIngestTracesHandler, ingestLogLine } from '../../functions/ingestTraces';
import { createTraceConfigurationsHandler } from '../../functions/traceConfigurations';
import { identitiesEvent } from '../../shared/agent/publishEvents';
import {
  demoBatches,
  demoIdentities,
  DEMO_CLUSTER,
  type DemoBatch,
} from '../../shared/local/demo/demoCluster';
import { TRACE_BATCH_SCHEMA } from '../../shared/pipeline/traceEvent';
import {
  asHostResponse,
  hostInput,
  httpRequest,
  invocationContext,
  useApp,
  type AppInstance,
  type TestEvent,
} from '../support/appHarness';

const app = useApp();
const SAMPLES = path.join(__dirname, '..', '..', 'samples', 'local');
const SHOP_HTTP = readFileSync(path.join(SAMPLES, 'shop-http-azuretable.yaml'), 'utf8');
const SHOP_HTTP_BY_ADDRESS = SHOP_HTTP.replace(
  /namespaceSelector:\n\s+matchLabels:\n\s+team: shop/g,
  'ipBlock:\n            cidr: 10.0.0.0/8',
);
const CLUSTER_DNS = readFileSync(path.join(SAMPLES, 'cluster-dns-loganalytics.yaml'), 'utf8');
const START = Date.UTC(2026, 10, 25, 10, 0, 0);
const [NODE_1, NODE_2] = demoBatches(START) as [DemoBatch, DemoBatch];
const FRONTEND_POD = 'frontend-7d9f8b6c5-x2x4q';
const CHECKOUT_POD = 'checkout-5c8b7f9d4-k8m2n';

function traceEvent(batch: DemoBatch, properties: Record<string, string> = {}): TestEvent {
  return {
    body: gzipSync(batch.capture),
    properties: {
      'trace-schema': TRACE_BATCH_SCHEMA,
      cluster: DEMO_CLUSTER,
      node: batch.node,
      'content-encoding': 'gzip',
      ...properties,
    },
  };
}

const identities = (): TestEvent => identitiesEvent(demoIdentities('2026-11-25T09:59:00Z'));

async function apply(instance: AppInstance, namespace: string, name: string, yaml: string) {
  const handler = createTraceConfigurationsHandler(() => ({
    store: instance.services.configurationStore,
    validator: instance.services.validator,
    maxRequestBodyBytes: instance.services.settings.maxRequestBodyBytes,
  }));
  const request = httpRequest('PUT', `traceconfigurations/${namespace}/${name}`, {
    params: { namespace, name },
    headers: { 'content-type': 'application/yaml' },
    body: yaml,
  });
  return asHostResponse(await handler(request, invocationContext('traceConfigurations').context));
}

async function ingest(
  instance: AppInstance,
  events: TestEvent[],
  options: Parameters<typeof hostInput>[1] = {},
) {
  const input = hostInput(events, options);
  const { context, logs } = invocationContext('ingestTraces', input.triggerMetadata);
  const summary = await createIngestTracesHandler(() => instance.services.ingest)(input.messages, context);
  return { summary, logs, input };
}

/** `<node> <trace point> <flags> <L7>` per row, sorted: the shape of what the shop-http configuration keeps. */
function shape(rows: Record<string, unknown>[]): string[] {
  return rows
    .map((r) =>
      `${String(r.NodeName)} ${String(r.TracePoint)} ${String(r.TcpFlags)} ${[
        r.L7Protocol,
        r.HttpMethod,
        r.HttpStatusCode,
      ]
        .filter((v) => v !== undefined)
        .map(String)
        .join(' ')}`.trim(),
    )
    .sort();
}

// Two HTTP connections (GET → 200, POST → 500) and one h2c connection (2 gRPC calls, POST → 200
// each) seen on both nodes; FirstPacket keeps each direction's first packet (SYN, SYN-ACK) and
// layer 7 adds each request and response (a response carries its request's method): 14 rows per node.
const SHOP_HTTP_SHAPE = [
  ...['aks-node-1 NodeToPod', 'aks-node-2 PodToNode'].flatMap((at) => [
    `${at} PSH,ACK HTTP GET 200`,
    `${at} PSH,ACK HTTP POST 500`,
    `${at} PSH,ACK HTTP POST 200`,
    `${at} PSH,ACK HTTP POST 200`,
    `${at} SYN,ACK`,
    `${at} SYN,ACK`,
    `${at} SYN,ACK`,
  ]),
  ...['aks-node-1 PodToNode', 'aks-node-2 NodeToPod'].flatMap((at) => [
    `${at} PSH,ACK HTTP GET`,
    `${at} PSH,ACK HTTP POST`,
    `${at} PSH,ACK HTTP POST`,
    `${at} PSH,ACK HTTP POST`,
    `${at} SYN`,
    `${at} SYN`,
    `${at} SYN`,
  ]),
].sort();

describe('ingestTraces handler (host-shaped input, Azurite, local Logs Ingestion)', () => {
  it('turns a host batch into rows in Azure Table and Log Analytics, and logs one structured line', async () => {
    const instance = app.create();
    expect((await apply(instance, 'shop', 'shop-http', SHOP_HTTP)).status).toBe(201);
    expect((await apply(instance, 'kube-system', 'cluster-dns', CLUSTER_DNS)).status).toBe(201);
    const enqueuedAt = new Date(Date.now() - 5000);
    const { summary, logs, input } = await ingest(
      instance,
      [identities(), traceEvent(NODE_1), traceEvent(NODE_2)],
      { enqueuedAt, partitionId: '2' },
    );

    // The host drops null partition keys, so its array is shorter than the batch.
    expect(input.messages).toHaveLength(3);
    expect(input.triggerMetadata.partitionKeyArray).toEqual([]);
    expect(summary).toMatchObject({
      events: 3,
      traceBatches: 2,
      identitySnapshots: 1,
      rejectedEvents: 0,
      packets: NODE_1.packets + NODE_2.packets,
      malformed: 0,
      deadLettered: 0,
    });
    expect(summary.recordsByDestination).toEqual({
      'azuretable/TRACES_AZURETABLE': 28,
      'loganalytics/TRACES_LOGANALYTICS': 6,
    });
    expect(summary.delivered).toBe(34);
    expect(summary.maxLagMs).toBeGreaterThanOrEqual(5000);

    const rows = await instance.tableRows();
    expect(shape(rows)).toEqual(SHOP_HTTP_SHAPE);
    expect(new Set(rows.map((r) => r.RecordId)).size).toBe(28);
    for (const row of rows)
      expect(row).toMatchObject({
        ClusterName: DEMO_CLUSTER,
        TraceConfiguration: 'shop/shop-http',
        CaptureLevel: 'FirstPacket',
      });

    const dns = instance.logs.accepted
      .filter((a) => a.row.TraceConfiguration === 'kube-system/cluster-dns')
      .map((a) => a.row);
    expect(
      dns
        .map((r) => `${String(r.DnsQuery)} ${r.DnsIsResponse === true ? String(r.DnsResponseCode) : 'query'}`)
        .sort(),
    ).toEqual([
      'checkout.shop.svc.cluster.local NOERROR',
      'checkout.shop.svc.cluster.local query',
      'example.com NOERROR',
      'example.com query',
      'payments.shop.svc.cluster.local NXDOMAIN',
      'payments.shop.svc.cluster.local query',
    ]);

    expect(logs).toHaveLength(1);
    expect(logs[0]!.level).toBe('information');
    const line = JSON.parse(logs[0]!.text) as Record<string, unknown>;
    expect(line).toMatchObject({
      event: 'ingestTraces',
      events: 3,
      packets: summary.packets,
      records: 34,
      delivered: 34,
      deadLetterBlobs: [],
      problems: [],
    });
    expect(line.deliveries).toBeUndefined();
  });

  it('enriches only after an identity snapshot arrived', async () => {
    const instance = app.create();
    // Without identities only address-based selectors can match.
    await apply(instance, 'shop', 'shop-http', SHOP_HTTP_BY_ADDRESS);
    await ingest(instance, [traceEvent(NODE_2)], { partitionId: '0' });
    const bare = await instance.tableRows();
    expect(bare).toHaveLength(14);
    for (const row of bare) {
      expect(row.SourcePodName).toBeUndefined();
      expect(row.DestinationPodName).toBeUndefined();
    }

    const enriched = app.create();
    await apply(enriched, 'shop', 'shop-http', SHOP_HTTP);
    const first = await ingest(enriched, [identities()], { partitionId: '1' });
    expect(first.summary).toMatchObject({ identitySnapshots: 1, traceBatches: 0, records: 0 });
    await ingest(enriched, [traceEvent(NODE_1), traceEvent(NODE_2)], {
      partitionId: '1',
      firstSequenceNumber: 1,
    });
    const rows = await enriched.tableRows();
    expect(rows).toHaveLength(28);
    for (const row of rows) {
      const expectations: [string, string, string][] = [
        ['10.244.1.10', 'PodName', FRONTEND_POD],
        ['10.244.2.20', 'PodName', CHECKOUT_POD],
        ['10.0.12.34', 'ServiceName', 'checkout'],
      ];
      for (const side of ['Source', 'Destination'] as const) {
        const ip = row[`${side}Ip`];
        for (const [address, field, value] of expectations) {
          if (ip === address)
            expect([row[`${side}Namespace`], row[`${side}${field}`]]).toEqual(['shop', value]);
        }
      }
    }
    const fromFrontend = rows.filter((r) => r.SourceIp === '10.244.1.10');
    expect(fromFrontend).toHaveLength(14);
    expect(
      fromFrontend.every(
        (r) => r.SourceWorkload !== undefined && JSON.stringify(r.SourceWorkload).includes('frontend'),
      ),
    ).toBe(true);
    expect(JSON.parse(String(fromFrontend[0]!.SourceLabels))).toEqual({ app: 'frontend', tier: 'web' });
  });

  it('applies a new configuration generation to the next invocation without a restart', async () => {
    const instance = app.create();
    await apply(instance, 'shop', 'shop-http', SHOP_HTTP);
    await ingest(instance, [identities(), traceEvent(NODE_2)], { partitionId: '0' });
    expect(await instance.tableRows()).toHaveLength(14);
    expect(instance.stdout).toEqual([]);

    const changed = await apply(
      instance,
      'shop',
      'shop-http',
      SHOP_HTTP.replace('destination: azuretable', 'destination: stdout'),
    );
    expect(changed.status).toBe(200);
    expect(changed.json!.metadata.generation).toBe(2);
    await ingest(instance, [traceEvent(NODE_2)], { partitionId: '3', firstSequenceNumber: 10 });
    expect(await instance.tableRows()).toHaveLength(14);
    expect(instance.stdout).toHaveLength(14);
    for (const line of instance.stdout)
      expect(JSON.parse(line)).toMatchObject({
        TraceConfiguration: 'shop/shop-http',
        NodeName: 'aks-node-2',
      });
  });

  it('keeps the last accepted spec in force after an Errored PUT', async () => {
    const instance = app.create();
    await apply(instance, 'shop', 'shop-http', SHOP_HTTP);
    const errored = await apply(
      instance,
      'shop',
      'shop-http',
      SHOP_HTTP.replace('destination: azuretable', 'destination: stdout').replace(
        'port: 8080',
        'port: 70000',
      ),
    );
    expect(errored.status).toBe(422);
    expect(errored.headers.get('content-type')).toBe('application/problem+json');
    expect(errored.json!.resource.status).toMatchObject({ state: 'Errored' });
    const { summary } = await ingest(instance, [identities(), traceEvent(NODE_2)]);
    expect(summary.recordsByDestination).toEqual({ 'azuretable/TRACES_AZURETABLE': 14 });
    expect(await instance.tableRows()).toHaveLength(14);
    expect(instance.stdout).toEqual([]);
  });

  it('dead-letters poison events with their reasons and original bytes while the rest of the invocation succeeds', async () => {
    const instance = app.create();
    await apply(instance, 'shop', 'shop-http', SHOP_HTTP);
    const noSchema: TestEvent = { body: Buffer.from('not a batch'), properties: { cluster: DEMO_CLUSTER } };
    const truncated: TestEvent = { ...traceEvent(NODE_1), body: gzipSync(NODE_1.capture).subarray(0, 40) };
    const badSnapshot: TestEvent = {
      body: Buffer.from(JSON.stringify({ cluster: 5 })),
      properties: { 'trace-schema': 'retina.sh/identities/v1' },
    };
    const { summary, logs } = await ingest(
      instance,
      [noSchema, traceEvent(NODE_2), truncated, badSnapshot, identities()],
      { partitionId: '5', firstSequenceNumber: 100 },
    );

    expect(summary).toMatchObject({
      events: 5,
      traceBatches: 1,
      identitySnapshots: 1,
      rejectedEvents: 3,
      delivered: 14,
      deadLettered: 0,
    });
    expect(await instance.tableRows()).toHaveLength(14);
    const blobs = await instance.deadLetters.list('input/');
    expect(blobs.map((b) => b.batchRef).sort()).toEqual([
      'eventhub:5:100',
      'eventhub:5:102',
      'eventhub:5:103',
    ]);
    const read = await Promise.all(blobs.map((b) => instance.deadLetters.read(b.name)));
    const entries = read.flatMap((blob) => blob.entries).map((e) => (e.kind === 'event' ? e : undefined));
    const byCode = new Map(entries.map((e) => [e?.code, e]));
    expect([...byCode.keys()].sort()).toEqual([
      'EVENT_BODY_UNDECODABLE',
      'EVENT_SCHEMA_MISSING',
      'IDENTITIES_INVALID',
    ]);
    expect(Buffer.from(byCode.get('EVENT_SCHEMA_MISSING')!.body, 'base64').toString()).toBe('not a batch');
    expect(Buffer.from(byCode.get('EVENT_BODY_UNDECODABLE')!.body, 'base64').equals(truncated.body)).toBe(
      true,
    );
    expect(byCode.get('EVENT_BODY_UNDECODABLE')!.properties).toEqual(truncated.properties);
    expect(byCode.get('IDENTITIES_INVALID')!.reason).toMatch(/^event 3: identity snapshot is invalid: /);

    expect(logs).toHaveLength(1);
    expect(logs[0]!.level).toBe('warning');
    expect((JSON.parse(logs[0]!.text) as { problems: string[] }).problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^event 0: application property 'trace-schema' is missing/),
      ]),
    );
    // The log line names every blob the events went to, so an operator can go straight to them.
    expect((JSON.parse(logs[0]!.text) as { deadLetterBlobs: string[] }).deadLetterBlobs.sort()).toEqual(
      blobs.map((b) => b.name).sort(),
    );
  });

  it('creates no duplicate rows when the host delivers an invocation again (same or another instance)', async () => {
    const instance = app.create();
    await apply(instance, 'shop', 'shop-http', SHOP_HTTP);
    const events = [identities(), traceEvent(NODE_1), traceEvent(NODE_2)];
    await ingest(instance, events, { partitionId: '1', firstSequenceNumber: 40 });
    const first = (await instance.tableRows()).map((r) => r.RecordId).sort();
    expect(first).toHaveLength(28);

    await ingest(instance, events, { partitionId: '1', firstSequenceNumber: 40 });
    expect((await instance.tableRows()).map((r) => r.RecordId).sort()).toEqual(first);

    // A new instance has no FirstPacket state, so it writes every row again: upserts, same keys.
    const { AzureWebJobsStorage: _storage, ...sameStorage } = instance.env;
    const restarted = app.create(sameStorage);
    const again = await ingest(restarted, events, { partitionId: '1', firstSequenceNumber: 40 });
    expect(again.summary.delivered).toBe(28);
    expect((await instance.tableRows()).map((r) => r.RecordId).sort()).toEqual(first);
  });

  it('makes one Logs Ingestion call per invocation and connection, however many events carry its records', async () => {
    const instance = app.create();
    await apply(instance, 'kube-system', 'cluster-dns', CLUSTER_DNS);
    const logs = instance.logs;
    const before = logs.requests.length;
    const events = [
      identities(),
      traceEvent(NODE_1),
      traceEvent(NODE_2),
      traceEvent(NODE_1, { node: 'aks-node-3' }),
    ];
    const { summary } = await ingest(instance, events, { partitionId: '12' });
    expect(summary.recordsByDestination).toEqual({ 'loganalytics/TRACES_LOGANALYTICS': summary.records });
    expect(summary.records).toBeGreaterThan(6);
    expect(summary.delivered).toBe(summary.records);
    expect(logs.requests.slice(before).map((r) => [r.status, r.rows])).toEqual([[204, summary.records]]);
  });

  it('still delivers when the Logs Ingestion API answers 503 before 204', async () => {
    const instance = app.create();
    await apply(instance, 'kube-system', 'cluster-dns', CLUSTER_DNS);
    const logs = instance.logs;
    const before = logs.requests.length;
    const acceptedBefore = logs.accepted.length;
    logs.faults.enqueue({ kind: 'status', status: 503 });
    const { summary } = await ingest(instance, [identities(), traceEvent(NODE_1)], { partitionId: '6' });
    expect(summary).toMatchObject({ delivered: 6, deadLettered: 0 });
    expect(logs.requests.slice(before).map((r) => r.status)).toEqual([503, 204]);
    expect(logs.accepted.slice(acceptedBefore).map((a) => a.row.TraceConfiguration)).toEqual(
      Array(6).fill('kube-system/cluster-dns'),
    );
    expect(summary.deliveries[0]).toMatchObject({ attempts: 2, delivered: 6 });
  });

  it('ends inside half of functionTimeout when Log Analytics accepts and never answers; Azure Table still gets every row', async () => {
    const instance = app.create();
    await apply(instance, 'kube-system', 'cluster-dns', CLUSTER_DNS);
    await apply(instance, 'shop', 'shop-http', SHOP_HTTP);
    instance.logs.faults.setStanding({ kind: 'hang', ms: 8000 });
    try {
      const input = hostInput([identities(), traceEvent(NODE_1), traceEvent(NODE_2)], { partitionId: '11' });
      const { context, logs } = invocationContext('ingestTraces', input.triggerMetadata);
      const handler = createIngestTracesHandler(() => instance.services.ingest, undefined, {
        functionTimeoutMs: 4000,
      });
      const started = Date.now();
      const summary = await handler(input.messages, context);
      expect(Date.now() - started).toBeLessThan(2000);
      const la = summary.deliveries.filter((d) => d.destination === 'loganalytics');
      const table = summary.deliveries.filter((d) => d.destination === 'azuretable');
      expect(la.length).toBeGreaterThan(0);
      expect(la.every((d) => d.delivered === 0 && d.deadLettered === d.records)).toBe(true);
      expect(table.every((d) => d.deadLettered === 0 && d.delivered === d.records)).toBe(true);
      expect((await instance.tableRows()).length).toBe(table.reduce((n, d) => n + d.records, 0));
      expect(logs.map((l) => l.level)).toEqual(['warning']);
    } finally {
      instance.logs.faults.clear();
    }
  });

  it('throws (so the host retries) only when the dead-letter store itself cannot be written', async () => {
    // A wrong account key: the blob service refuses every write (403), as a store that is down would fail them.
    const wrongKey = app
      .connectionString()
      .replace(/AccountKey=[^;]+/, `AccountKey=${Buffer.alloc(64, 1).toString('base64')}`);
    const instance = app.create({ DEADLETTER__connectionString: wrongKey });
    await expect(ingest(instance, [{ body: Buffer.from('x'), properties: {} }])).rejects.toMatchObject({
      code: 'DEADLETTER_WRITE_FAILED',
    });
  });

  it.each([
    ['an empty invocation', []],
    [
      'only an identity snapshot',
      [
        {
          body: Buffer.from(JSON.stringify(demoIdentities('2026-11-25T10:00:00Z'))),
          properties: { 'trace-schema': 'retina.sh/identities/v1' },
        },
      ],
    ],
  ])('handles %s without records or dead letters', async (_name, events: TestEvent[]) => {
    const instance = app.create();
    const { summary, logs } = await ingest(instance, events);
    expect(summary).toMatchObject({ events: events.length, records: 0, rejectedEvents: 0, deadLettered: 0 });
    expect(await instance.deadLetters.list()).toEqual([]);
    expect(logs.map((l) => l.level)).toEqual(['information']);
  });
});

describe('ingestLogLine', () => {
  it('omits per-delivery detail, lists dead-letter blobs and keeps at most 10 problems', () => {
    const line = ingestLogLine(
      {
        events: 1,
        traceBatches: 1,
        identitySnapshots: 0,
        rejectedEvents: 0,
        packets: 3,
        malformed: 0,
        matched: 3,
        records: 3,
        delivered: 1,
        deadLettered: 2,
        recordsByDestination: { 'stdout/TRACES_STDOUT': 3 },
        problems: Array.from({ length: 12 }, (_, i) => `p${i}`),
        deliveries: [
          {
            destination: 'stdout',
            connection: 'TRACES_STDOUT',
            records: 3,
            delivered: 1,
            deadLettered: 2,
            attempts: 1,
            batches: 1,
            failures: [],
            deadLetterBlob: 'stdout/_/x.ndjson',
          },
          {
            destination: 'azuretable',
            connection: 'T',
            records: 0,
            delivered: 0,
            deadLettered: 0,
            attempts: 0,
            batches: 0,
            failures: [],
          },
          {
            destination: 'loganalytics',
            connection: 'L',
            records: 0,
            delivered: 0,
            deadLettered: 0,
            attempts: 0,
            batches: 0,
            failures: [],
            // A long outage is dead-lettered in parts: every part is named.
            deadLetterBlob: 'loganalytics/L/1.ndjson',
            deadLetterBlobs: ['loganalytics/L/1.ndjson', 'loganalytics/L/2.ndjson'],
          },
        ],
      },
      12,
    );
    expect(line).toEqual({
      event: 'ingestTraces',
      elapsedMs: 12,
      events: 1,
      traceBatches: 1,
      identitySnapshots: 0,
      rejectedEvents: 0,
      packets: 3,
      malformed: 0,
      matched: 3,
      records: 3,
      delivered: 1,
      deadLettered: 2,
      recordsByDestination: { 'stdout/TRACES_STDOUT': 3 },
      deadLetterBlobs: ['stdout/_/x.ndjson', 'loganalytics/L/1.ndjson', 'loganalytics/L/2.ndjson'],
      problems: ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8', 'p9'],
    });
  });
});
