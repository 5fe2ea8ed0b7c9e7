/**
 * The analyst query pack's questions, answered locally: the demo cluster goes through the local
 * system into Azure Table (every sample configuration pointed at azuretable), and `tracectl query`
 * answers what each `.kql` file asks of RetinaTraces_CL. Each case also checks that the query file
 * is about the columns its local answer relies on, so the pack and the record schema stay together.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EventHubProducerClient } from '@azure/event-hubs';
import { applyCommand } from '../../shared/cli/commands/apply';
import { queryCommand } from '../../shared/cli/commands/query';
import type { CommandIo } from '../../shared/cli/command';
import { identitiesEvent, publishEvents } from '../../shared/agent/publishEvents';
import { demoBatches, demoIdentities, DEMO_CLUSTER } from '../../shared/local/demo/demoCluster';
import { startLocalSystem, type LocalSystem } from '../../shared/local/localSystem';
import { TRACE_BATCH_SCHEMA } from '../../shared/pipeline/traceEvent';
import type { TraceRecord } from '../../shared/record/traceRecord';

const ROOT = path.resolve(__dirname, '..', '..');

describe('query pack intents, answered by tracectl query over the local Azure Table', () => {
  let system: LocalSystem;
  let dir: string;

  async function query(...args: string[]): Promise<TraceRecord[]> {
    let stdout = '';
    const io: CommandIo = { stdout: (t) => (stdout += t), stderr: () => undefined, env: system.env, cwd: ROOT };
    expect(await queryCommand.run(['--since', '1d', '--limit', '1000', '-o', 'ndjson', ...args], io)).toBe(0);
    return stdout.trim() === '' ? [] : stdout.trim().split('\n').map((line) => JSON.parse(line) as TraceRecord);
  }

  async function kql(file: string): Promise<string> {
    return readFile(path.join(ROOT, 'queries', file), 'utf8');
  }

  beforeAll(async () => {
    system = await startLocalSystem();
    dir = await mkdtemp(path.join(os.tmpdir(), 'query-intents-'));
    for (const file of await readdir(path.join(ROOT, 'samples', 'local'))) {
      const text = await readFile(path.join(ROOT, 'samples', 'local', file), 'utf8');
      await writeFile(path.join(dir, file), text.replace(/destination: \w+/, 'destination: azuretable'));
    }
    const io: CommandIo = { stdout: () => undefined, stderr: () => undefined, env: { TRACECTL_SERVER: system.httpUrl }, cwd: dir };
    expect(await applyCommand.run(['-f', dir], io)).toBe(0);
    const producer = new EventHubProducerClient(system.eventHubsConnectionString);
    await publishEvents(producer, [identitiesEvent(demoIdentities(new Date().toISOString()))], { partitionKey: DEMO_CLUSTER });
    await system.waitForEvents(1);
    for (const batch of demoBatches(Date.now() - 5000)) {
      await publishEvents(producer, [{ body: Buffer.from(batch.capture), properties: { 'trace-schema': TRACE_BATCH_SCHEMA, cluster: DEMO_CLUSTER, node: batch.node } }], { partitionKey: batch.node });
    }
    await producer.close();
    await system.waitForEvents(3);
  }, 90_000);

  afterAll(async () => {
    await system?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('dns-failures-by-pod: which pods get NXDOMAIN, for which names', async () => {
    expect(await kql('dns-failures-by-pod.kql')).toContain('DnsResponseCode');
    const failures = await query('--l7', 'DNS', '--dns-rcode', 'NXDOMAIN');
    expect(failures.map((r) => [r.DnsQuery, r.DestinationPodName])).toEqual([['payments.shop.svc.cluster.local', 'frontend-7d9f8b6c5-x2x4q']]);
  });

  it('http-5xx-by-service: which services answer 5xx', async () => {
    expect(await kql('http-5xx-by-service.kql')).toContain('HttpStatusCode');
    const errors = await query('--l7', 'HTTP', '--http-status', '500');
    // Seen on both nodes: from the service address on node 1, from the pod on node 2.
    expect(errors.map((r) => [r.NodeName, r.SourceServiceName, r.SourcePodName]).sort()).toEqual([
      ['aks-node-1', 'checkout', undefined],
      ['aks-node-2', 'checkout', 'checkout-5c8b7f9d4-k8m2n'],
    ]);
  });

  it('tls-inventory / tls-ja4-inventory / tls-old-versions: SNI, versions and JA4 by workload', async () => {
    for (const file of ['tls-inventory.kql', 'tls-ja4-inventory.kql']) expect(await kql(file)).toMatch(/Ja4|TlsServerName/);
    const hellos = await query('--l7', 'TLS', '--sni', 'example.com');
    expect(hellos.length).toBeGreaterThanOrEqual(2);
    for (const hello of hellos) {
      expect(hello.TlsHandshake).toBe('ClientHello');
      expect(hello.Ja4).toMatch(/^t13d\d{4}h2_[0-9a-f]{12}_[0-9a-f]{12}$/);
    }
    const versions = new Set((await query('--l7', 'TLS')).map((r) => r.TlsVersion));
    expect([...versions]).toEqual(['TLS1.3']);
  });

  it('egress-destinations / new-external-destinations: traffic leaving the cluster', async () => {
    expect(await kql('egress-destinations.kql')).toContain('DestinationIp');
    const egress = await query('--ip', '93.184.215.14');
    expect(new Set(egress.map((r) => r.TraceConfiguration))).toEqual(new Set(['shop/egress-tls', 'default/uplink-debug']));
    expect(egress.some((r) => r.SourcePodName === 'frontend-7d9f8b6c5-x2x4q')).toBe(true);
  });

  it('egress-by-fqdn: traffic leaving the cluster carries the name the pod resolved', async () => {
    expect(await kql('egress-by-fqdn.kql')).toContain('DestinationFqdn');
    const egress = await query('--ip', '93.184.215.14');
    const out = egress.filter((r) => r.DestinationIp === '93.184.215.14');
    const back = egress.filter((r) => r.SourceIp === '93.184.215.14');
    expect(out.length).toBeGreaterThan(0);
    expect(back.length).toBeGreaterThan(0);
    // The frontend's own packets, and the node's SNATed ones (the node's most recent lookup).
    expect(new Set(out.map((r) => r.DestinationFqdn))).toEqual(new Set(['example.com']));
    expect(new Set(back.map((r) => r.SourceFqdn))).toEqual(new Set(['example.com']));
    // Inside the cluster, the ClusterIP the frontend resolved is named; the pod addresses are not.
    const toService = await query('--ip', '10.0.12.34');
    expect(toService.filter((r) => r.DestinationIp === '10.0.12.34').every((r) => r.DestinationFqdn === 'checkout.shop.svc.cluster.local')).toBe(true);
  });

  it('dns-unanswered-by-pod: DNS queries reported without an answer', async () => {
    expect(await kql('dns-unanswered-by-pod.kql')).toContain('L7Unanswered');
    // Every demo query is answered (the NXDOMAIN too): none is reported unanswered.
    const dns = await query('--l7', 'DNS');
    expect(dns.length).toBeGreaterThan(0);
    expect(dns.filter((r) => r.L7Unanswered === true)).toEqual([]);
  });

  it('top-talkers-by-pod / namespace-traffic-matrix / records-per-configuration', async () => {
    expect(await kql('top-talkers-by-pod.kql')).toContain('SourcePodName');
    expect((await query('--pod', 'frontend-7d9f8b6c5-x2x4q')).length).toBeGreaterThan(10);
    expect((await query('--namespace', 'kube-system')).every((r) => r.SourceNamespace === 'kube-system' || r.DestinationNamespace === 'kube-system')).toBe(true);
    expect(await kql('records-per-configuration.kql')).toContain('TraceConfiguration');
    expect(await query('--configuration', 'shop/shop-http', '--cluster', DEMO_CLUSTER)).toHaveLength(28);
  });

  it('connection-attempts-without-reply / tcp-handshake-latency / first-packet-timeline: SYNs pair with SYN-ACKs by FlowId', async () => {
    expect(await kql('connection-attempts-without-reply.kql')).toContain('TcpFlags');
    const records = await query();
    const syns = records.filter((r) => r.TcpFlags === 'SYN');
    expect(syns.length).toBeGreaterThan(0);
    for (const syn of syns) {
      const reply = records.find((r) => r.FlowId === syn.FlowId && r.TcpFlags === 'SYN,ACK' && r.TraceConfiguration === syn.TraceConfiguration && r.TracePoint !== syn.TracePoint);
      expect(reply).toBeDefined();
      expect(BigInt(reply!.TimestampNs) > BigInt(syn.TimestampNs)).toBe(true);
    }
  });

  it('dns-latency / http-latency-percentiles: every request has a later response in the same flow', async () => {
    for (const [protocol, isResponse] of [
      ['DNS', (r: TraceRecord) => r.DnsIsResponse === true],
      ['HTTP', (r: TraceRecord) => r.HttpStatusCode !== undefined],
    ] as const) {
      const messages = await query('--l7', protocol);
      const requests = messages.filter((r) => !isResponse(r));
      expect(requests.length).toBeGreaterThan(0);
      for (const request of requests) {
        // HTTP/2 multiplexes: a gRPC call's response is the one on the same stream.
        const response = messages.find(
          (r) => isResponse(r) && r.FlowId === request.FlowId && r.NodeName === request.NodeName && r.Http2StreamId === request.Http2StreamId,
        );
        expect(BigInt(response!.TimestampNs) - BigInt(request.TimestampNs) > 0n).toBe(true);
      }
    }
  });

  it('flows-by-trace-point: every record says where it was observed', async () => {
    expect(await kql('flows-by-trace-point.kql')).toContain('TracePoint');
    const points = new Set((await query()).map((r) => r.TracePoint));
    expect(points).toEqual(new Set(['PodToNode', 'NodeToPod', 'NodeToNetwork', 'NetworkToNode']));
  });
});
