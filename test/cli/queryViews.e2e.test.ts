/**
 * `tracectl query --view` end to end: the demo cluster goes through the local system (Event Hubs,
 * the ingest handler, the pipeline) into Azurite's Table service, every sample configuration
 * pointed at azuretable, and each view is computed from what the command reads back.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EventHubProducerClient } from '@azure/event-hubs';
import { applyCommand } from '../../shared/cli/commands/apply';
import { queryCommand } from '../../shared/cli/commands/query';
import type { CommandIo } from '../../shared/cli/command';
import { runCli } from '../../shared/cli/run';
import { identitiesEvent, publishEvents } from '../../shared/agent/publishEvents';
import { demoBatches, demoIdentities, DEMO_CLUSTER } from '../../shared/local/demo/demoCluster';
import { startLocalSystem, type LocalSystem } from '../../shared/local/localSystem';
import { TRACE_BATCH_SCHEMA } from '../../shared/pipeline/traceEvent';
import { writePcap } from '../../shared/capture/pcapWriter';
import { craftFrame } from '../../shared/packet/craftFrame';
import { TcpFlag } from '../../shared/packet/decodedPacket';
import { grpcMessage } from '../l7/support/h2Builders';
import { chunksToPcap, exchange, recordHttp2 } from '../l7/support/h2Recorder';

const ROOT = path.resolve(__dirname, '..', '..');

type Row = Record<string, unknown>;

/** gRPC over h2c to 10.1.0.9:50051 (the recorded capture's server), every packet. */
const GRPC_CALLS = `apiVersion: retina.sh/v1alpha1
kind: TraceConfiguration
metadata:
  name: grpc-calls
  namespace: grpc
spec:
  traceConfigurations:
    - captureLevel: AllPackets
      includeLayer7Data: true
      to:
        - ipBlock:
            cidr: 10.1.0.9/32
      ports:
        - port: 50051
          protocol: TCP
  outputConfiguration:
    destination: azuretable
`;

/** A real HTTP/2 exchange made by Node's http2: Add fails with NOT_FOUND (5) twice, List succeeds. */
async function grpcCapture(): Promise<Uint8Array> {
  const chunks = await recordHttp2(
    (stream, headers) => {
      stream.on('error', () => undefined);
      stream.on('data', () => undefined);
      stream.on('end', () => {
        const fails = headers[':path'] === '/shop.Cart/Add';
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () =>
          stream.sendTrailers(
            fails ? { 'grpc-status': '5', 'grpc-message': 'no such item' } : { 'grpc-status': '0' },
          ),
        );
        stream.end(grpcMessage(8));
      });
    },
    async (session) => {
      for (const path of ['/shop.Cart/Add', '/shop.Cart/List', '/shop.Cart/Add'])
        await exchange(
          session,
          { ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' },
          grpcMessage(4),
        );
    },
  );
  return chunksToPcap(chunks, 50051);
}

/**
 * Two failed connections to 10.1.0.20:5432 at 2023-11-14T22:15:00Z: one refused (SYN answered by
 * RST, Zeek REJ), one never answered (S0).
 */
function failedConnectionsCapture(): Uint8Array {
  const packet = (
    source: string,
    destination: string,
    sourcePort: number,
    destinationPort: number,
    flags: number,
  ) =>
    craftFrame({
      source,
      destination,
      transport: {
        protocol: 'tcp',
        sourcePort,
        destinationPort,
        flags,
        seq: 1,
        ack: flags & TcpFlag.ACK ? 2 : 0,
      },
      payload: new Uint8Array(0),
    });
  const frames = [
    packet('10.1.0.5', '10.1.0.20', 42000, 5432, TcpFlag.SYN),
    packet('10.1.0.20', '10.1.0.5', 5432, 42000, TcpFlag.RST | TcpFlag.ACK),
    packet('10.1.0.6', '10.1.0.20', 42001, 5432, TcpFlag.SYN),
  ];
  return writePcap(
    { linkType: 1 },
    frames.map((data, i) => ({ timestampSec: 1_700_000_100, timestampNsec: i * 1_000_000, data })),
  );
}

/** Every flow of the demo at FlowSummary, beside the samples (whose flow configuration is shop-only). */
const ALL_FLOWS = `apiVersion: retina.sh/v1alpha1
kind: TraceConfiguration
metadata:
  name: all-flows
  namespace: flows
spec:
  traceConfigurations:
    - captureLevel: FlowSummary
      to:
        - ipBlock:
            cidr: 0.0.0.0/0
  outputConfiguration:
    destination: azuretable
`;

describe('tracectl query --view over the local Azure Table', () => {
  let system: LocalSystem;
  let dir: string;

  async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const io: CommandIo = {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      env: system.env,
      cwd: ROOT,
    };
    const window = args.includes('--from') ? [] : ['--since', '1d'];
    const code = await runCli(['query', ...window, ...args], [queryCommand], io);
    return { code, stdout, stderr };
  }

  async function view(name: string, ...args: string[]): Promise<Row[]> {
    const result = await run('--view', name, '-o', 'json', ...args);
    expect(result.stderr).toContain(`view ${name}`);
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as Row[];
  }

  beforeAll(async () => {
    system = await startLocalSystem();
    dir = await mkdtemp(path.join(os.tmpdir(), 'query-views-'));
    for (const file of await readdir(path.join(ROOT, 'samples', 'local'))) {
      const text = await readFile(path.join(ROOT, 'samples', 'local', file), 'utf8');
      await writeFile(path.join(dir, file), text.replace(/destination: \w+/, 'destination: azuretable'));
    }
    await writeFile(path.join(dir, 'all-flows.yaml'), ALL_FLOWS);
    await writeFile(path.join(dir, 'grpc-calls.yaml'), GRPC_CALLS);
    const io: CommandIo = {
      stdout: () => undefined,
      stderr: () => undefined,
      env: { TRACECTL_SERVER: system.httpUrl },
      cwd: dir,
    };
    expect(await applyCommand.run(['-f', dir], io)).toBe(0);
    const producer = new EventHubProducerClient(system.eventHubsConnectionString);
    await publishEvents(producer, [identitiesEvent(demoIdentities(new Date().toISOString()))], {
      partitionKey: DEMO_CLUSTER,
    });
    await system.waitForEvents(1);
    for (const batch of demoBatches(Date.now() - 5000)) {
      await publishEvents(
        producer,
        [
          {
            body: Buffer.from(batch.capture),
            properties: { 'trace-schema': TRACE_BATCH_SCHEMA, cluster: DEMO_CLUSTER, node: batch.node },
          },
        ],
        { partitionKey: batch.node },
      );
    }
    await publishEvents(
      producer,
      [
        {
          body: Buffer.from(await grpcCapture()),
          properties: { 'trace-schema': TRACE_BATCH_SCHEMA, cluster: DEMO_CLUSTER, node: 'aks-node-1' },
        },
      ],
      { partitionKey: 'aks-node-1' },
    );
    await publishEvents(
      producer,
      [
        {
          body: Buffer.from(failedConnectionsCapture()),
          properties: { 'trace-schema': TRACE_BATCH_SCHEMA, cluster: DEMO_CLUSTER, node: 'aks-node-2' },
        },
      ],
      { partitionKey: 'aks-node-2' },
    );
    await producer.close();
    await system.waitForEvents(5);
    // Releasing the partitions writes every still-open flow (FlowEndReason fin or shutdown).
    await system.stopConsumer();
  }, 90_000);

  afterAll(async () => {
    await system?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('top-talkers: flows by bytes, both nodes, as flow-top-talkers-by-bytes.kql groups them', async () => {
    const rows = await view('top-talkers', '--configuration', 'flows/all-flows');
    expect(rows.find((r) => r.Destination === 'kube-dns')).toMatchObject({
      SourceNamespace: 'shop',
      Source: 'Deployment/frontend',
      DestinationNamespace: 'kube-system',
      Protocol: 'UDP',
      DestinationPort: 53,
      Connections: 3,
    });
    const http = rows.filter((r) => r.DestinationPort === 8080);
    // Node 1 sees the service address, node 2 the pod: two destinations, the same bytes.
    expect(http.map((r) => r.Destination).sort()).toEqual(['Deployment/checkout', 'checkout']);
    for (const row of http)
      // Two HTTP/1.1 connections and the gRPC-over-h2c one.
      expect(row).toMatchObject({
        Bytes: 3088,
        BytesSent: 1888,
        BytesReceived: 1200,
        Packets: 34,
        Connections: 3,
      });
    expect(rows.map((r) => r.Bytes)).toEqual(
      [...rows.map((r) => r.Bytes)].sort((a, b) => (b as number) - (a as number)),
    );
  });

  it('http-latency and dns-latency: requests paired with their responses', async () => {
    const http = await view('http-latency');
    expect(http.map((r) => [r.Service, r.Path, r.Requests, r.ErrorRate]).sort()).toEqual([
      ['checkout', '/api/cart', 2, 0],
      ['checkout', '/api/pay', 2, 100],
      // gRPC calls answer HTTP 200 (the gRPC status is in the trailers): no HTTP errors.
      ['checkout', '/shop.checkout.v1.CheckoutService/GetQuote', 2, 0],
      ['checkout', '/shop.checkout.v1.CheckoutService/PlaceOrder', 2, 0],
    ]);
    for (const row of http) expect(row.P50Ms as number).toBeGreaterThan(0);
    const dns = await view('dns-latency');
    expect(dns).toEqual([
      expect.objectContaining({ ClientNamespace: 'shop', Resolver: '10.0.0.10', Lookups: 3 }),
    ]);
    expect(dns[0]!.P99Ms as number).toBeGreaterThan(0);
    // The demo's three lookups, each timed where the query left the pod (0.9 ms); one NXDOMAIN.
    const names = await view('dns-names');
    expect(names.map((r) => [r.DnsQuery, r.Lookups, r.P95Ms, r.Failed, r.Unanswered]).sort()).toEqual([
      ['checkout.shop.svc.cluster.local', 1, 0.9, 0, 0],
      ['example.com', 1, 0.9, 0, 0],
      ['payments.shop.svc.cluster.local', 1, 0.9, 1, 0],
    ]);
    for (const row of names) expect(row.P50Ms as number).toBeGreaterThan(0);
  });

  it('tcp-health and handshake-latency: every demo connection completes, and each SYN is answered', async () => {
    const health = await view('tcp-health', '--configuration', 'flows/all-flows');
    expect(health.length).toBeGreaterThan(0);
    for (const row of health)
      expect(row).toMatchObject({ Refused: 0, Unanswered: 0, Reset: 0, FailedPercent: 0 });
    // Flows is dcount(FlowId), as in the .kql: the distinct flow ids of the records read back.
    const listed = await run('--configuration', 'flows/all-flows', '--limit', '1000', '-o', 'ndjson');
    const checkoutFlows = listed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Row)
      .filter((r) => r.DestinationPort === 8080 && r.DestinationServiceName === 'checkout')
      .map((r) => r.FlowId);
    expect(checkoutFlows.length).toBeGreaterThan(0);
    expect(health.find((r) => r.DestinationPort === 8080 && r.Service === 'checkout')).toMatchObject({
      Flows: new Set(checkoutFlows).size,
    });
    const handshakes = await view('handshake-latency', '--configuration', 'shop/shop-http');
    expect(handshakes.map((r) => [r.ServerNamespace, r.Server])).toContainEqual(['shop', 'checkout']);
    for (const row of handshakes) expect(row.P50Ms as number).toBeGreaterThan(0);
  });

  it('cost-by-configuration: one row per configuration and level that wrote to the table', async () => {
    const rows = await view('cost-by-configuration');
    expect(rows.map((r) => `${r.TraceConfiguration as string} ${r.CaptureLevel as string}`).sort()).toEqual([
      'default/uplink-debug AllPackets',
      'flows/all-flows FlowSummary',
      'kube-system/cluster-dns FirstPacket',
      'shop/egress-tls FirstPacket',
      'shop/shop-flows FlowSummary',
      'shop/shop-http FirstPacket',
    ]);
    expect(rows.find((r) => r.TraceConfiguration === 'shop/shop-http')).toMatchObject({
      Records: 28,
      BilledGB: 0,
    });
    for (const row of rows) expect(row.BilledBytes as number).toBeGreaterThan(100 * (row.Records as number));
    const one = await view(
      'cost-by-configuration',
      '--configuration',
      'shop/shop-http',
      '--cluster',
      DEMO_CLUSTER,
    );
    expect(one).toEqual([rows.find((r) => r.TraceConfiguration === 'shop/shop-http')]);
  });

  it('grpc-errors: calls and NOT_FOUND errors per method, from a real HTTP/2 capture', async () => {
    // The capture is timestamped 2023-11-14 (h2Recorder), so it has its own window.
    const rows = await view(
      'grpc-errors',
      '--from',
      '2023-11-14T00:00:00Z',
      '--to',
      '2023-11-15T00:00:00Z',
      '--configuration',
      'grpc/grpc-calls',
    );
    expect(
      rows.map((r) => [
        r.GrpcService,
        r.GrpcMethod,
        r.Server,
        r.Calls,
        r.Errors,
        r.Codes,
        r.ErrorRatePercent,
      ]),
    ).toEqual([
      ['shop.Cart', 'Add', '10.1.0.9', 2, 2, [5], 100],
      ['shop.Cart', 'List', '10.1.0.9', 1, 0, [], 0],
    ]);
  });

  it('rejected-flows and tcp-health: a refused and an unanswered connection from a crafted capture', async () => {
    const window = [
      '--from',
      '2023-11-14T22:14:00Z',
      '--to',
      '2023-11-14T22:16:00Z',
      '--configuration',
      'flows/all-flows',
    ];
    expect(await view('rejected-flows', ...window)).toEqual([
      expect.objectContaining({
        DestinationIp: '10.1.0.20',
        DestinationPort: 5432,
        Rejected: 1,
        HalfOpen: 1,
        Unsolicited: 0,
        Failed: 2,
        Clients: 2,
      }),
    ]);
    expect(await view('tcp-health', ...window)).toEqual([
      expect.objectContaining({
        Service: '10.1.0.20',
        DestinationPort: 5432,
        Flows: 2,
        Refused: 1,
        Unanswered: 1,
        Reset: 0,
        FailedPercent: 100,
      }),
    ]);
  });

  it('grpc-errors over the demo: the failing PlaceOrder call (UNAVAILABLE), seen on both nodes', async () => {
    const rows = await view('grpc-errors');
    expect(rows.map((r) => [r.GrpcMethod, r.Calls, r.Errors, r.Codes])).toEqual([
      ['PlaceOrder', 2, 2, [14]],
      ['GetQuote', 2, 0, []],
    ]);
  });

  it("egress-fqdn over the demo: frontend's HTTPS to example.com, named by the lookup before it", async () => {
    const rows = await view('egress-fqdn', '--configuration', 'flows/all-flows');
    // Only the pod's own flow: at the uplink the connection is SNATed to the node (not a workload).
    expect(rows).toEqual([
      expect.objectContaining({
        Destination: 'example.com',
        Flows: 1,
        Ports: [443],
        Clients: ['shop/Deployment/frontend'],
      }),
    ]);
    expect(rows[0]!.BytesOut as number).toBeGreaterThan(0);
    expect(rows[0]!.BytesIn as number).toBeGreaterThan(0);
  });

  it.each(['rejected-flows', 'long-flows'])(
    '%s is empty over the demo: it has no such traffic',
    async (name) => {
      expect(await view(name)).toEqual([]);
      const table = await run('--view', name);
      expect(table).toMatchObject({ code: 0, stdout: '' });
      expect(table.stderr).toMatch(
        new RegExp(`^0 rows of view ${name} \\(queries/[a-z-]+\\.kql\\) over \\d+ records`),
      );
    },
  );

  it('an empty window gives no rows for every view', async () => {
    for (const name of ['top-talkers', 'http-latency', 'dns-latency', 'cost-by-configuration'])
      expect(await view(name, '--from', '2020-01-01T00:00:00Z', '--to', '2020-01-02T00:00:00Z')).toEqual([]);
  });

  it('prints a table with the .kql column names', async () => {
    const { stdout } = await run('--view', 'dns-latency');
    expect(stdout.split('\n')[0]).toMatch(
      /^ClientNamespace\s+Resolver\s+Lookups\s+P50Ms\s+P95Ms\s+P99Ms\s+MaxMs$/,
    );
    expect(stdout).toMatch(/\nshop\s+10\.0\.0\.10\s+3\s/);
  });

  it.each([
    [
      ['--view', 'top_talkers'],
      "--view must be one of top-talkers, rejected-flows, long-flows, grpc-errors, http-latency, dns-latency, dns-names, tcp-health, handshake-latency, cost-by-configuration, tcp-retransmissions, handshake-rtt-by-node, egress-fqdn, not 'top_talkers'",
    ],
    [['--view', 'top-talkers', '-o', 'ndjson'], "-o must be table or json, not 'ndjson'"],
    [['-o', 'json'], "-o must be table or ndjson, not 'json'"],
  ])('%j is a usage error naming the problem', async (args, message) => {
    const result = await run(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});
