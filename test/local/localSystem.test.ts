/**
 * End to end on one machine: Azurite, the local Event Hubs endpoint, the local Logs Ingestion and
 * OTLP endpoints and the app's functions, driven by `tracectl` and a real EventHubProducerClient.
 */
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { TableClient } from '@azure/data-tables';
import { EventHubProducerClient } from '@azure/event-hubs';
import { identitiesEvent, publishEvents, type PublishableEvent } from '../../shared/agent/publishEvents';
import { COMMANDS } from '../../shared/cli/commands';
import { runCli } from '../../shared/cli/run';
import { demoBatches, demoIdentities, DEMO_CLUSTER } from '../../shared/local/demo/demoCluster';
import { freePort } from '../../shared/local/azurite';
import { startLocalSystem, type LocalSystem } from '../../shared/local/localSystem';
import { TRACE_BATCH_SCHEMA } from '../../shared/pipeline/traceEvent';

const ROOT = path.join(__dirname, '..', '..');
const START = Date.UTC(2026, 10, 25, 10, 0, 0);

let system: LocalSystem;
const lines: string[] = [];

beforeAll(async () => {
  system = await startLocalSystem({ log: (line) => lines.push(line) });
}, 40_000);

afterAll(async () => {
  await system?.stop();
});

async function tracectl(args: string[], stdin?: string) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, COMMANDS, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: { TRACECTL_SERVER: system.httpUrl },
    cwd: ROOT,
    ...(stdin !== undefined ? { readStdin: async () => stdin } : {}),
  });
  return { code, stdout, stderr };
}

async function tableRows(): Promise<Record<string, unknown>[]> {
  const client = TableClient.fromConnectionString(system.azurite.connectionString, 'RetinaTraces', {
    allowInsecureConnection: true,
  });
  const rows: Record<string, unknown>[] = [];
  for await (const entity of client.listEntities()) rows.push(entity);
  return rows;
}

function demoEvents(): {
  identities: PublishableEvent;
  batches: { node: string; event: PublishableEvent }[];
} {
  return {
    identities: identitiesEvent(demoIdentities('2026-11-25T09:59:00Z')),
    batches: demoBatches(START).map((batch) => ({
      node: batch.node,
      event: {
        body: gzipSync(batch.capture),
        properties: {
          'trace-schema': TRACE_BATCH_SCHEMA,
          cluster: DEMO_CLUSTER,
          node: batch.node,
          'content-encoding': 'gzip',
        },
      },
    })),
  };
}

async function publishDemo(): Promise<number> {
  const producer = new EventHubProducerClient(system.eventHubsConnectionString);
  try {
    const { identities, batches } = demoEvents();
    let sent = await publishEvents(producer, [identities], { partitionKey: DEMO_CLUSTER });
    // Identities first, so the batches that follow are enriched.
    await system.waitForEvents(system.stats.events + sent, 20_000);
    for (const { node, event } of batches)
      sent += await publishEvents(producer, [event], { partitionKey: node });
    return sent;
  } finally {
    await producer.close();
  }
}

const MANIFEST = `apiVersion: retina.sh/v1alpha1
kind: TraceConfiguration
metadata:
  name: scratch
  namespace: default
spec:
  traceConfigurations:
    - captureLevel: AllPackets
      ports:
        - port: 9999
  outputConfiguration:
    destination: stdout
`;

describe('the local system end to end', () => {
  it('applies samples/local through tracectl apply and reads them back with tracectl get', async () => {
    const applied = await tracectl(['apply', '-f', 'samples/local']);
    expect(applied).toMatchObject({ code: 0, stderr: '' });
    expect(applied.stdout.split('\n').filter(Boolean).sort()).toEqual([
      'traceconfiguration default/uplink-debug created (Accepted)',
      'traceconfiguration kube-system/cluster-dns created (Accepted)',
      'traceconfiguration shop/egress-tls created (Accepted)',
      'traceconfiguration shop/shop-flows created (Warning)',
      'traceconfiguration shop/shop-http created (Accepted)',
      'traceconfiguration shop/shop-sentinel created (Accepted)',
    ]);
    const again = await tracectl(['apply', '-f', 'samples/local/shop-http-azuretable.yaml']);
    expect(again.stdout).toBe('traceconfiguration shop/shop-http unchanged (Accepted)\n');

    const listed = await tracectl(['get', '-A']);
    expect(listed.code).toBe(0);
    expect(
      listed.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split(/\s+/).slice(0, 4).join(' ')),
    ).toEqual([
      'NAMESPACE NAME STATE GENERATION',
      'default uplink-debug Accepted 1',
      'kube-system cluster-dns Accepted 1',
      'shop egress-tls Accepted 1',
      'shop shop-flows Warning 1',
      'shop shop-http Accepted 1',
      'shop shop-sentinel Accepted 1',
    ]);
    const shop = await tracectl(['get', '-n', 'shop', '-o', 'json']);
    expect(
      (JSON.parse(shop.stdout) as { items: { metadata: { name: string } }[] }).items.map(
        (i) => i.metadata.name,
      ),
    ).toEqual(['egress-tls', 'shop-flows', 'shop-http', 'shop-sentinel']);
    const one = await tracectl(['get', 'shop/shop-http', '-o', 'yaml']);
    expect(one.stdout).toMatch(/^kind: TraceConfiguration$/m);
    expect(one.stdout).toMatch(/^ {2}generation: 1$/m);
    const missing = await tracectl(['get', 'shop/nothing']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/HTTP 404 Not Found: TraceConfiguration shop\/nothing does not exist/);
  });

  it('creates from stdin, refuses a stale --if-match, deletes, and reports a second delete', async () => {
    expect((await tracectl(['apply', '-f', '-'], MANIFEST)).stdout).toBe(
      'traceconfiguration default/scratch created (Accepted)\n',
    );
    const stale = await tracectl(['delete', 'default/scratch', '--if-match', 'W/"stale"']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/HTTP 412/);
    expect(await tracectl(['delete', 'default/scratch'])).toEqual({
      code: 0,
      stdout: 'traceconfiguration default/scratch deleted\n',
      stderr: '',
    });
    const gone = await tracectl(['delete', 'default/scratch']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/HTTP 404/);
    const rejected = await tracectl(['apply', '-f', '-'], MANIFEST.replace('port: 9999', 'port: 99999'));
    expect(rejected.code).toBe(1);
    // Validated locally first: an Errored document is never sent.
    expect(rejected.stderr).toMatch(/^- document 1 \(default\/scratch\): not sent: /);
    expect(rejected.stderr).toMatch(/spec\.traceConfigurations\[0\]\.ports\[0\]\.port: /);
  });

  it.each([
    ['apply', ['apply', '-f', 'samples/local/shop-http-azuretable.yaml']],
    ['get', ['get']],
    ['delete', ['delete', 'shop/shop-http']],
  ])('exits 2 naming the URL when the backend is unreachable (%s)', async (_name, args) => {
    const server = `http://127.0.0.1:${await freePort()}`;
    const result = await tracectl([...args, '--server', server]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`cannot reach the backend at ${server}`);
    expect(result.stdout).toBe('');
  });

  it('publishes the demo cluster and delivers exactly the enriched records, once, even when published twice', async () => {
    const sent = await publishDemo();
    expect(sent).toBe(3);
    await system.waitForEvents(3, 30_000);
    expect(system.stats).toMatchObject({ events: 3, deadLettered: 0, rejectedEvents: 0 });

    const rows = await tableRows();
    expect(rows).toHaveLength(28);
    expect(new Set(rows.map((r) => r.RecordId)).size).toBe(28);
    for (const row of rows)
      expect(row).toMatchObject({
        ClusterName: DEMO_CLUSTER,
        TraceConfiguration: 'shop/shop-http',
        CaptureLevel: 'FirstPacket',
        Protocol: 'TCP',
      });
    const http = rows.filter((r) => r.L7Protocol === 'HTTP');
    expect(
      http
        .map(
          (r) =>
            `${String(r.NodeName)} ${String(r.HttpStatusCode ?? r.HttpMethod)} ${String(r.SourcePodName ?? r.SourceServiceName)} -> ${String(r.DestinationPodName ?? r.DestinationServiceName)}`,
        )
        .sort(),
    ).toEqual([
      'aks-node-1 200 checkout -> frontend-7d9f8b6c5-x2x4q',
      'aks-node-1 200 checkout -> frontend-7d9f8b6c5-x2x4q',
      'aks-node-1 200 checkout -> frontend-7d9f8b6c5-x2x4q',
      'aks-node-1 500 checkout -> frontend-7d9f8b6c5-x2x4q',
      'aks-node-1 GET frontend-7d9f8b6c5-x2x4q -> checkout',
      'aks-node-1 POST frontend-7d9f8b6c5-x2x4q -> checkout',
      'aks-node-1 POST frontend-7d9f8b6c5-x2x4q -> checkout',
      'aks-node-1 POST frontend-7d9f8b6c5-x2x4q -> checkout',
      'aks-node-2 200 checkout-5c8b7f9d4-k8m2n -> frontend-7d9f8b6c5-x2x4q',
      'aks-node-2 200 checkout-5c8b7f9d4-k8m2n -> frontend-7d9f8b6c5-x2x4q',
      'aks-node-2 200 checkout-5c8b7f9d4-k8m2n -> frontend-7d9f8b6c5-x2x4q',
      'aks-node-2 500 checkout-5c8b7f9d4-k8m2n -> frontend-7d9f8b6c5-x2x4q',
      'aks-node-2 GET frontend-7d9f8b6c5-x2x4q -> checkout-5c8b7f9d4-k8m2n',
      'aks-node-2 POST frontend-7d9f8b6c5-x2x4q -> checkout-5c8b7f9d4-k8m2n',
      'aks-node-2 POST frontend-7d9f8b6c5-x2x4q -> checkout-5c8b7f9d4-k8m2n',
      'aks-node-2 POST frontend-7d9f8b6c5-x2x4q -> checkout-5c8b7f9d4-k8m2n',
    ]);
    expect(http.find((r) => r.HttpMethod === 'GET')!.HttpPath).not.toContain('s3cr3t-t0ken');
    // gRPC over h2c in Azure Table: the calls name service and method, the responses carry the
    // status and (paired with their request on the same device) the call's service and method.
    const grpc = http.filter((r) => r.HttpVersion === '2' && r.NodeName === 'aks-node-2');
    expect(
      grpc
        // Table reads `long` columns back as bigint.
        .map((r) => [Number(r.Http2StreamId), r.GrpcService, r.GrpcMethod, r.GrpcStatusCode, r.GrpcMessage])
        .sort(
          (a, b) =>
            Number(a[0]) - Number(b[0]) || (a[3] === undefined ? 0 : 1) - (b[3] === undefined ? 0 : 1),
        ),
    ).toEqual([
      [1, 'shop.checkout.v1.CheckoutService', 'GetQuote', undefined, undefined],
      [1, 'shop.checkout.v1.CheckoutService', 'GetQuote', 0, undefined],
      [3, 'shop.checkout.v1.CheckoutService', 'PlaceOrder', undefined, undefined],
      [3, 'shop.checkout.v1.CheckoutService', 'PlaceOrder', 14, 'payment backend unavailable'],
    ]);

    const dns = system.logsIngestion.accepted
      .filter((a) => a.stream === 'Custom-RetinaTraces_CL')
      .map((a) => a.row);
    expect(dns).toHaveLength(6);
    expect(
      dns
        .map(
          (r) =>
            `${String(r.DnsQuery)} ${r.DnsIsResponse === true ? String(r.DnsResponseCode) : `query from ${String(r.SourcePodName)}`}`,
        )
        .sort(),
    ).toEqual([
      'checkout.shop.svc.cluster.local NOERROR',
      'checkout.shop.svc.cluster.local query from frontend-7d9f8b6c5-x2x4q',
      'example.com NOERROR',
      'example.com query from frontend-7d9f8b6c5-x2x4q',
      'payments.shop.svc.cluster.local NXDOMAIN',
      'payments.shop.svc.cluster.local query from frontend-7d9f8b6c5-x2x4q',
    ]);
    // The TLS connection to example.com, at the node's uplink after SNAT: every packet.
    expect(system.stdoutLines).toHaveLength(10);
    for (const line of system.stdoutLines) {
      const record = JSON.parse(line) as Record<string, unknown>;
      expect(record).toMatchObject({
        TraceConfiguration: 'default/uplink-debug',
        CaptureLevel: 'AllPackets',
        NodeName: 'aks-node-1',
      });
      const egress = record.TracePoint === 'NodeToNetwork';
      expect(
        egress
          ? [record.SourceIp, record.SourceNodeName, record.DestinationIp]
          : [record.DestinationIp, record.DestinationNodeName, record.SourceIp],
      ).toEqual(['10.224.0.4', 'aks-node-1', '93.184.215.14']);
    }
    expect(
      system.stdoutLines
        .map((line) => (JSON.parse(line) as { TracePoint: string }).TracePoint)
        .filter((p) => p === 'NodeToNetwork'),
    ).toHaveLength(6);
    expect(system.otlp.received.length).toBeGreaterThan(0);
    expect(system.stats.recordsByDestination).toMatchObject({
      'azuretable/TRACES_AZURETABLE': 28,
      'loganalytics/TRACES_LOGANALYTICS': 6,
      'stdout/TRACES_STDOUT': 10,
      'loganalytics/TRACES_SENTINEL': 38,
    });
    // TRACES_SENTINEL__schema=asim: the same local rule, the three ASIM streams, each row valid for its stream.
    const asim = system.logsIngestion.accepted.filter((a) => a.stream.startsWith('Custom-ASim'));
    expect(asim).toHaveLength(38);
    expect([...new Set(asim.map((a) => a.stream))].sort()).toEqual([
      'Custom-ASimDnsActivityLogs',
      'Custom-ASimNetworkSessionLogs',
      'Custom-ASimWebSessionLogs',
    ]);
    expect(asim.every((a) => a.row.EventVendor === 'Retina')).toBe(true);

    const ids = rows.map((r) => r.RecordId).sort();
    expect(await publishDemo()).toBe(3);
    await system.waitForEvents(6, 30_000);
    expect((await tableRows()).map((r) => r.RecordId).sort()).toEqual(ids);
    expect(lines.filter((line) => /failed|error/i.test(line))).toEqual([]);
  });
});
