import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EventHubProducerClient } from '@azure/event-hubs';
import { publishEvents, type PublishableEvent } from '../../../shared/agent/publishEvents';
import { NodeAgent, type NodeAgentOptions } from '../../../shared/kubernetes/agent/nodeAgent';
import { demoBatches } from '../../../shared/local/demo/demoCluster';
import { demoKubernetesObjects } from '../../../shared/local/demo/demoKubernetesObjects';
import { startLocalEventHubs, type LocalEventHubs } from '../../../shared/local/eventHubs/localEventHubs';
import { eventually, useFakeApiServer } from '../support';

function trace(
  namespace: string,
  name: string,
  selectedNamespace: string,
  port: number,
): Record<string, unknown> {
  return {
    apiVersion: 'retina.sh/v1alpha1',
    kind: 'TraceConfiguration',
    metadata: { namespace, name },
    spec: {
      traceConfigurations: [
        {
          captureLevel: 'FirstPacket',
          from: [
            { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': selectedNamespace } } },
          ],
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': selectedNamespace } } }],
          ports: [{ port, protocol: port === 53 ? 'UDP' : 'TCP' }],
        },
      ],
      outputConfiguration: { destination: 'stdout' },
    },
  };
}

describe('node agent', () => {
  const { server, config } = useFakeApiServer();
  let hubs: LocalEventHubs;
  let dir: string;
  let tcpdump: string;
  const agents: NodeAgent[] = [];

  beforeAll(async () => {
    hubs = await startLocalEventHubs({ hubs: [{ name: 'retina-traces', partitionCount: 2 }] });
    dir = await mkdtemp(path.join(os.tmpdir(), 'node-agent-'));
    const capture = path.join(dir, 'capture.pcapng');
    await writeFile(capture, demoBatches(Date.now())[1]!.capture);
    // A stand-in for tcpdump: records its arguments, writes a capture like `tcpdump -w -`, then waits to be stopped.
    tcpdump = path.join(dir, 'tcpdump');
    await writeFile(
      tcpdump,
      `#!${process.execPath}
const fs = require('fs');
fs.appendFileSync(${JSON.stringify(path.join(dir, 'calls.ndjson'))}, JSON.stringify(process.argv.slice(2)) + '\\n');
process.stdout.write(fs.readFileSync(${JSON.stringify(capture)}));
process.on('SIGTERM', () => process.exit(0));
setInterval(() => undefined, 1000);
`,
    );
    await chmod(tcpdump, 0o755);
  });
  afterAll(async () => {
    await hubs.close();
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await Promise.all(agents.splice(0).map((a) => a.stop()));
    await rm(path.join(dir, 'calls.ndjson'), { force: true });
  });

  const calls = async () =>
    (await readFile(path.join(dir, 'calls.ndjson'), 'utf8').catch(() => ''))
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as string[]);

  function agent(
    node: string,
    publish: NodeAgentOptions['publish'],
    extra: Partial<NodeAgentOptions> = {},
  ): { agent: NodeAgent; lines: string[] } {
    const lines: string[] = [];
    const created = new NodeAgent(config(), {
      cluster: 'aks-prod',
      node,
      interfaces: [{ name: 'eth0', tracePoint: 'NodeToNetwork' }],
      publish,
      ownEndpoints: [
        { host: '10.0.0.1', port: 443 },
        { host: '20.50.1.2', port: 5671 },
      ],
      tcpdump,
      flushIntervalInMs: 50,
      settleInMs: 20,
      statsIntervalInMs: 200,
      log: (line) => lines.push(line),
      ...extra,
    });
    agents.push(created);
    return { agent: created, lines };
  }

  it('captures only for configurations that can match pods on its node, without its own traffic, and publishes with the node as partition key', async () => {
    for (const object of demoKubernetesObjects()) server().apply(object);
    server().apply(trace('shop', 'shop-http', 'shop', 8080));
    server().apply(trace('kube-system', 'dns', 'kube-system', 53));
    const producer = new EventHubProducerClient(hubs.connectionString('retina-traces'));
    const keys: string[] = [];
    const { agent: a, lines } = agent('aks-node-2', async (events) => {
      keys.push('aks-node-2');
      return publishEvents(producer, events, { partitionKey: 'aks-node-2' });
    });
    await a.start();
    await eventually('published', () => a.stats.events >= 1);
    expect(a.stats.configurations).toEqual(['shop/shop-http']);
    const [args] = await calls();
    expect(args?.slice(0, 7)).toEqual(['-i', 'eth0', '-w', '-', '-U', '-s', '0']);
    expect(args?.at(-1)).toBe(
      '((tcp port 8080)) and not (host 10.0.0.1 and tcp port 443) and not (host 20.50.1.2 and tcp port 5671)',
    );
    expect(a.stats.packets).toBe(demoBatches(Date.now())[1]!.packets);
    expect(new Set(keys)).toEqual(new Set(['aks-node-2']));
    await eventually('the minute line', () => lines.some((l) => l.startsWith('agent aks-node-2:')));
    expect(lines.find((l) => l.startsWith('agent aks-node-2:'))).toContain('0 events (0 packets) dropped');
    await producer.close();
  });

  it('follows configuration and pod changes: stops capturing when nothing on the node is selected, restarts when something is', async () => {
    for (const object of demoKubernetesObjects()) server().apply(object);
    server().apply(trace('kube-system', 'dns', 'kube-system', 53));
    const { agent: a } = agent('aks-node-2', async (events) => events.length);
    await a.start();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await calls()).toEqual([]);
    expect(a.stats.filter).toBe('');
    server().apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { namespace: 'kube-system', name: 'coredns-2', labels: { 'k8s-app': 'kube-dns' } },
      spec: { nodeName: 'aks-node-2', containers: [] },
      status: { phase: 'Running', podIP: '10.244.2.53' },
    });
    await eventually('capturing for dns', async () => (await calls()).length === 1);
    expect((await calls())[0]?.at(-1)).toContain('udp port 53');
    server().remove('TraceConfiguration', 'kube-system', 'dns');
    await eventually('stopped', () => a.stats.filter === '' && a.stats.configurations.length === 0);
  });

  it('drops and counts batches when publishing cannot keep up, instead of buffering without bound', async () => {
    for (const object of demoKubernetesObjects()) server().apply(object);
    server().apply(trace('shop', 'shop-http', 'shop', 8080));
    let release: () => void = () => undefined;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const interfaces = ['eth0', 'eth1', 'eth2', 'eth3'].map((name) => ({
      name,
      tracePoint: 'NodeToNetwork' as const,
    }));
    const { agent: a } = agent(
      'aks-node-2',
      async (events: readonly PublishableEvent[]) => {
        await blocked;
        return events.length;
      },
      { interfaces, maxQueuedEvents: 1 },
    );
    await a.start();
    await eventually('drops', () => a.stats.droppedEvents >= 2);
    expect(a.stats.droppedPackets).toBe(a.stats.droppedEvents * demoBatches(Date.now())[1]!.packets);
    expect(a.summary()).toMatch(/[1-9] events \([1-9]\d* packets\) dropped/);
    release();
  });
});
