/**
 * Packet retention end to end on Azurite: trace batches go through the real ingest path with a
 * configuration annotated `retina.sh/retain-packets`, then `tracectl pcap` (the real command, run
 * through the CLI dispatcher) must return exactly the original frames, byte for byte and with the
 * same timestamps, for sampled records, flows and pods; tshark must read what it writes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ReceivedEventData } from '@azure/event-hubs';
import { BlobServiceClient } from '@azure/storage-blob';
import { readCapture } from '../../shared/capture/readCapture';
import type { CapturePacket } from '../../shared/capture/capturePacket';
import { COMMANDS } from '../../shared/cli/commands';
import { runCli } from '../../shared/cli/run';
import type { Destination } from '../../shared/config/model';
import type { IdentityLookup } from '../../shared/enrich/identity';
import { MemoryIdentityStore } from '../../shared/enrich/memoryIdentityStore';
import { demoBatches, demoIdentities, DEMO_CLUSTER } from '../../shared/local/demo/demoCluster';
import { hostEventBatch } from '../../shared/local/hostEventBatch';
import { compileConfigurations, type ConfigurationMatcher } from '../../shared/match/configurationMatcher';
import { decodePacket } from '../../shared/packet/decodePacket';
import { packetFlowId } from '../../shared/packet/flowKey';
import { ConfigurationCache } from '../../shared/pipeline/configurationCache';
import {
  ingestEvents,
  type IngestDependencies,
  type IngestSummary,
} from '../../shared/pipeline/ingestEvents';
import { createPartitionState, type PartitionState } from '../../shared/pipeline/partitionState';
import { IDENTITIES_SCHEMA, TRACE_BATCH_SCHEMA } from '../../shared/pipeline/traceEvent';
import { recordId } from '../../shared/record/recordIds';
import { timestampNs } from '../../shared/record/timestamp';
import type { TraceRecord } from '../../shared/record/traceRecord';
import { RECORD_ID_COMMENT_PREFIX } from '../../shared/retention/packetRetainer';
import { parseCaptureRef } from '../../shared/retention/retainedBlobName';
import { RETENTION_INDEX_SUFFIX } from '../../shared/retention/retentionIndex';
import { RetentionStore } from '../../shared/retention/retentionStore';
import { retrievePackets } from '../../shared/retention/retrievePackets';
import { runPcap } from '../../shared/retention/pcapCommand';
import { resolveConnection } from '../../shared/sinks/connection';
import { createSink } from '../../shared/sinks/createSink';
import type { DeadLetterBatch, DeadLetterWriter } from '../../shared/sinks/send/deadLetter';
import type { Sink } from '../../shared/sinks/sink';
import { MemoryConfigurationStore } from '../../shared/store/memoryConfigurationStore';
import { useAzurite } from '../support/azurite';
import { hasSharedData, sharedPath } from '../support/sharedData';
import { configurationWrite } from '../store/configurationStoreContract';
import { configurationsFromYaml } from '../pipeline/support/pipelineFixtures';

const START_MS = Date.UTC(2026, 2, 1, 12, 0, 0);
const BATCHES = demoBatches(START_MS);

/** Every packet to or from port 8080 (the demo's HTTP), retained 7 days. */
const RETAINING = `
apiVersion: retina.sh/v1alpha1
kind: TraceConfiguration
metadata:
  name: shop-http-retained
  namespace: shop
  annotations: {retina.sh/retain-packets: "7d"}
spec:
  traceConfigurations:
    - captureLevel: FirstPacket
      includeLayer7Data: true
      ports: [{port: 8080, protocol: TCP}]
  outputConfiguration: {destination: stdout}
`;
const RETAINING_KEY = 'shop/shop-http-retained';

/** The same traffic, not retained. */
const NOT_RETAINING = RETAINING.replace('  annotations: {retina.sh/retain-packets: "7d"}\n', '').replace(
  'shop-http-retained',
  'shop-http-plain',
);

/** Every IPv4 packet of a real capture, retained 1 day. */
const RETAIN_ALL_IPV4 = `
apiVersion: retina.sh/v1alpha1
kind: TraceConfiguration
metadata:
  name: everything
  namespace: capture
  annotations: {retina.sh/retain-packets: "1d"}
spec:
  traceConfigurations:
    - captureLevel: AllPackets
      includeLayer7Data: false
      from: [{ipBlock: {cidr: 0.0.0.0/0}}]
  outputConfiguration: {destination: stdout}
`;

class RecordingDeadLetter implements DeadLetterWriter {
  readonly batches: DeadLetterBatch[] = [];
  write(batch: DeadLetterBatch): Promise<string> {
    this.batches.push(batch);
    return Promise.resolve(`deadletter/${this.batches.length}.ndjson`);
  }
}

interface Harness {
  deps: IngestDependencies;
  deadLetter: RecordingDeadLetter;
  records(): TraceRecord[];
  identities: MemoryIdentityStore;
}

async function harness(yaml: string[], retention: RetentionStore | undefined): Promise<Harness> {
  const store = new MemoryConfigurationStore();
  for (const input of yaml.flatMap((text) => configurationsFromYaml(text))) {
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
  const partitions = new Map<string, PartitionState>();
  const sinks = new Map<string, Sink>();
  const deadLetter = new RecordingDeadLetter();
  const identities = new MemoryIdentityStore({ now: () => START_MS });
  const deps: IngestDependencies = {
    configurations,
    identities,
    partitionState: (id) => {
      let state = partitions.get(id);
      if (state === undefined) partitions.set(id, (state = createPartitionState()));
      return state;
    },
    sinkFor: (destination: Destination, connection: string) => {
      const key = `${destination}/${connection}`;
      let sink = sinks.get(key);
      if (sink === undefined) {
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
    deliverOptions: { maxAttempts: 2, attemptTimeoutMs: 3000, baseDelayMs: 10, maxDelayMs: 20 },
    ...(retention !== undefined ? { retention } : {}),
  };
  return {
    deps,
    deadLetter,
    identities,
    records: () =>
      stdout
        .join('')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as TraceRecord),
  };
}

let sequence = 1;
function invocation(events: { body: Uint8Array | Buffer; properties: Record<string, unknown> }[]) {
  const received: ReceivedEventData[] = events.map((event, i) => ({
    body: event.body,
    properties: event.properties,
    enqueuedTimeUtc: new Date(START_MS + i),
    partitionKey: null,
    offset: String(i),
    sequenceNumber: sequence++,
    getRawAmqpMessage: () => {
      throw new Error('not used');
    },
  }));
  return hostEventBatch(received, {
    fullyQualifiedNamespace: 'local.servicebus.windows.net',
    eventHubName: 'traces',
    consumerGroup: '$Default',
    partitionId: '0',
  });
}

const traceEvent = (capture: Uint8Array, node: string, cluster = DEMO_CLUSTER) => ({
  body: Buffer.from(capture),
  properties: { 'trace-schema': TRACE_BATCH_SCHEMA, cluster, node },
});
const identityEvent = () => ({
  body: Buffer.from(JSON.stringify(demoIdentities('2026-03-01T11:59:00Z'))),
  properties: { 'trace-schema': IDENTITIES_SCHEMA },
});

/** An original packet with where it came from. */
interface Original {
  node: string;
  packet: CapturePacket;
  ns: string;
  flowId: string | undefined;
  /** RecordId the retaining configuration gives it. */
  recordId: string;
  port8080: boolean;
  sourceIp: Uint8Array | undefined;
  destinationIp: Uint8Array | undefined;
}

function originals(capture: Uint8Array, node: string, configurationKey: string): Original[] {
  return readCapture(capture).packets.map((packet) => {
    const decoded = decodePacket(packet, packet.interface.linkType);
    const ns = timestampNs(packet.timestampSec, packet.timestampNsec);
    return {
      node,
      packet,
      ns,
      flowId: decoded.sourceIp && decoded.destinationIp ? packetFlowId(decoded) : undefined,
      recordId: recordId(configurationKey, node, decoded, ns),
      port8080: decoded.sourcePort === 8080 || decoded.destinationPort === 8080,
      sourceIp: decoded.sourceIp,
      destinationIp: decoded.destinationIp,
    };
  });
}

interface PcapRun {
  code: number;
  stderr: string;
  packets: CapturePacket[];
  file: string;
}

describe('packet retention end to end (Azurite)', () => {
  const azurite = useAzurite();
  let workDir: string;
  beforeAll(() => {
    workDir = mkdtempSync(path.join(tmpdir(), 'retention-e2e-'));
  });
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  const containerFor = (name: string) =>
    BlobServiceClient.fromConnectionString(azurite().connectionString).getContainerClient(name);

  let runs = 0;
  async function pcap(container: string, args: string[]): Promise<PcapRun> {
    const file = path.join(workDir, `out-${++runs}.pcapng`);
    let stderr = '';
    const code = await runCli(
      [
        'pcap',
        ...args,
        '-o',
        file,
        '--connection-string',
        azurite().connectionString,
        '--container',
        container,
      ],
      COMMANDS,
      { stdout: () => undefined, stderr: (text) => (stderr += text), env: {}, cwd: workDir },
    );
    const bytes = code === 2 ? new Uint8Array(0) : readFileSync(file);
    return { code, stderr, file, packets: code === 2 ? [] : readCapture(bytes).packets };
  }

  /** Frame by frame: same bytes, wire length, timestamp, interface name and direction, in order. */
  function expectSameFrames(actual: CapturePacket[], expected: Original[]): void {
    expect(actual.map((p) => `${p.timestampSec}.${p.timestampNsec}`)).toEqual(
      expected.map((o) => `${o.packet.timestampSec}.${o.packet.timestampNsec}`),
    );
    actual.forEach((packet, i) => {
      const original = expected[i]!;
      expect(Buffer.from(packet.data).equals(Buffer.from(original.packet.data))).toBe(true);
      expect(packet.originalLength).toBe(original.packet.originalLength);
      expect(packet.interface.name).toBe(original.packet.interface.name);
      expect(packet.interface.linkType).toBe(original.packet.interface.linkType);
      expect(packet.interface.description).toBe(`${DEMO_CLUSTER}/${original.node}`);
      expect(packet.direction).toBe(original.packet.direction);
    });
  }

  const byTime = (a: Original, b: Original) =>
    BigInt(a.ns) < BigInt(b.ns) ? -1 : BigInt(a.ns) > BigInt(b.ns) ? 1 : 0;

  describe('a retaining configuration over the demo cluster', () => {
    const container = 'retained-demo';
    let h: Harness;
    let summary: IngestSummary;
    let lookup: IdentityLookup;
    const all = BATCHES.flatMap((batch) => originals(batch.capture, batch.node, RETAINING_KEY));
    const retainedOriginals = all.filter((o) => o.port8080);

    beforeAll(async () => {
      h = await harness([RETAINING], new RetentionStore(containerFor(container)));
      const input = invocation([identityEvent(), ...BATCHES.map((b) => traceEvent(b.capture, b.node))]);
      summary = await ingestEvents(input.messages, input.triggerMetadata, h.deps);
      lookup = await h.identities.lookupFor(DEMO_CLUSTER);
    }, 60_000);

    it('delivers every record, retains every matched packet, one capture and one index per batch', async () => {
      expect(summary.problems).toEqual([]);
      expect(summary.deadLettered).toBe(0);
      expect(summary.retainedPackets).toBe(retainedOriginals.length);
      expect(summary.retainedBlobs).toBe(BATCHES.length);
      const names = await new RetentionStore(containerFor(container)).listNames();
      expect(names).toHaveLength(BATCHES.length * 2);
      for (const name of names.filter((n) => !n.endsWith(RETENTION_INDEX_SUFFIX))) {
        expect(name).toMatch(
          /^retained\/demo-cluster\/aks-node-[12]\/2026\/03\/01\/12\/[0-9a-f]{24}\.pcapng\.gz$/,
        );
        expect(names).toContain(`${name}${RETENTION_INDEX_SUFFIX}`);
        const tags = await containerFor(container).getBlobClient(name).getTags();
        expect(tags.tags).toEqual({ retainDays: '7' });
      }
    });

    it('gives every record of the retaining configuration a CaptureRef naming its own frame', async () => {
      const records = h.records();
      expect(records.length).toBeGreaterThan(0);
      const store = new RetentionStore(containerFor(container));
      for (const record of records) {
        const ref = parseCaptureRef(record.CaptureRef ?? '');
        expect(ref).toBeDefined();
        const index = await store.readIndex(`${ref!.blob}${RETENTION_INDEX_SUFFIX}`);
        expect(index.frames[ref!.frame - 1]?.records).toContain(record.RecordId);
        expect(index.frames[ref!.frame - 1]?.ns).toBe(record.TimestampNs);
      }
    });

    it('tracectl pcap --record returns exactly the frame behind sampled records', async () => {
      const records = h.records();
      const sample = [records[0]!, records[Math.floor(records.length / 2)]!, records[records.length - 1]!];
      for (const record of sample) {
        const run = await pcap(container, ['--record', record.RecordId]);
        expect(run.code).toBe(0);
        const baseId = record.RecordId.replace(/-\d+$/, '');
        const expected = all.filter((o) => o.recordId === baseId && o.node === record.NodeName);
        expect(expected).toHaveLength(1);
        expectSameFrames(run.packets, expected);
        expect(run.packets[0]!.comments).toContain(`${RECORD_ID_COMMENT_PREFIX}${record.RecordId}`);
      }
    });

    it('tracectl pcap --flow returns every retained packet of sampled flows, time-ordered', async () => {
      const flows = [...new Set(retainedOriginals.map((o) => o.flowId!))];
      expect(flows.length).toBeGreaterThan(1);
      for (const flow of flows.slice(0, 3)) {
        const run = await pcap(container, ['--flow', flow, '--cluster', DEMO_CLUSTER]);
        expect(run.code).toBe(0);
        expectSameFrames(run.packets, retainedOriginals.filter((o) => o.flowId === flow).sort(byTime));
      }
    });

    it('tracectl pcap --pod returns the retained packets to or from the pod', async () => {
      const record = h.records().find((r) => r.SourcePodName !== undefined)!;
      const pod = `${record.SourceNamespace}/${record.SourcePodName}`;
      const isPod = (ip: Uint8Array | undefined) => {
        const endpoint = ip === undefined ? undefined : lookup.lookup(ip);
        return endpoint?.kind === 'pod' && `${endpoint.namespace}/${endpoint.name}` === pod;
      };
      const expected = retainedOriginals
        .filter((o) => isPod(o.sourceIp) || isPod(o.destinationIp))
        .sort(byTime);
      expect(expected.length).toBeGreaterThan(0);
      const run = await pcap(container, ['--pod', pod]);
      expectSameFrames(run.packets, expected);
    });

    it('narrows by time range and reports when nothing matches (exit 1, empty capture)', async () => {
      const flow = retainedOriginals[0]!.flowId!;
      const inFlow = retainedOriginals.filter((o) => o.flowId === flow).sort(byTime);
      const cut = inFlow[1]!.ns;
      const run = await pcap(container, ['--flow', flow, '--from', cut]);
      expectSameFrames(
        run.packets,
        inFlow.filter((o) => BigInt(o.ns) >= BigInt(cut)),
      );
      const early = await pcap(container, ['--flow', flow, '--to', '2020-01-01T00:00:00Z']);
      expect(early.code).toBe(1);
      expect(early.packets).toEqual([]);
      expect(early.stderr).toContain('no retained packets match flow');
      const otherCluster = await pcap(container, ['--flow', flow, '--cluster', 'elsewhere']);
      expect(otherCluster.code).toBe(1);
    });

    it('reads only the captures whose index names a match, and no index outside the time range', async () => {
      const store = new RetentionStore(containerFor(container));
      const record = h.records()[0]!;
      const one = await retrievePackets(store, { selector: { kind: 'record', recordId: record.RecordId } });
      expect(one.progress).toMatchObject({ indexesListed: 2, indexesRead: 2, capturesRead: 1, packets: 1 });
      const none = await retrievePackets(store, {
        selector: { kind: 'record', recordId: record.RecordId },
        toNs: BigInt(START_MS) * 1_000_000n - 1n,
      });
      expect(none.progress).toMatchObject({ indexesListed: 2, indexesRead: 0, capturesRead: 0, packets: 0 });
    });

    it('shows progress on stderr while a long read goes on', async () => {
      let clock = 0;
      let stderr = '';
      const flow = retainedOriginals[0]!.flowId!;
      const code = await runPcap(
        new RetentionStore(containerFor(container)),
        { flow, output: path.join(workDir, 'progress.pcapng') },
        { stderr: (text) => (stderr += text), cwd: workDir, now: () => (clock += 1500) },
      );
      expect(code).toBe(0);
      const lines = stderr.trim().split('\n');
      expect(
        lines.filter((line) => /^pcap: \d+ indexes listed, \d+ read, \d+ captures downloaded/.test(line))
          .length,
      ).toBe(3);
      expect(lines.at(-1)).toMatch(/^pcap: wrote \d+ packets of flow /);
    });

    it.each([
      [['--flow', 'a', '--record', 'b'], 'exactly one of'],
      [[], 'exactly one of'],
      [['--pod', 'no-slash'], '--pod must be NAMESPACE/NAME'],
      [['--flow', 'a', '--from', 'yesterday'], '--from must be an ISO 8601 time'],
      [
        ['--flow', 'a', '--from', '2026-03-02T00:00:00Z', '--to', '2026-03-01T00:00:00Z'],
        '--from is after --to',
      ],
      [['--flow', 'a', '--container', 'Bad_Name'], 'RETENTION__containerName'],
    ])('rejects bad options %j with a usage error', async (args, message) => {
      let stderr = '';
      const code = await runCli(
        ['pcap', ...args, '--connection-string', azurite().connectionString],
        COMMANDS,
        {
          stdout: () => undefined,
          stderr: (text) => (stderr += text),
          env: {},
          cwd: workDir,
        },
      );
      expect(code).toBe(2);
      expect(stderr).toContain(message);
    });

    it('-o - writes the same capture to standard output', async () => {
      const flow = retainedOriginals[0]!.flowId!;
      const chunks: Uint8Array[] = [];
      const code = await runCli(
        [
          'pcap',
          '--flow',
          flow,
          '-o',
          '-',
          '--connection-string',
          azurite().connectionString,
          '--container',
          container,
        ],
        COMMANDS,
        {
          stdout: () => undefined,
          stderr: () => undefined,
          env: {},
          cwd: workDir,
          stdoutBytes: (b) => void chunks.push(b),
        },
      );
      expect(code).toBe(0);
      const viaFile = await pcap(container, ['--flow', flow]);
      expect(Buffer.concat(chunks).equals(readFileSync(viaFile.file))).toBe(true);
    });

    const tshark = spawnSync('tshark', ['--version'], { encoding: 'utf8' }).status === 0;
    (tshark ? it : it.skip)(
      tshark
        ? 'tshark reads the retrieved capture frame by frame'
        : 'tshark reads the retrieved capture (skipped: tshark is not installed; apt-get install -y tshark)',
      async () => {
        const flow = retainedOriginals[0]!.flowId!;
        const run = await pcap(container, ['--flow', flow]);
        const out = execFileSync(
          'tshark',
          [
            '-r',
            run.file,
            '-T',
            'fields',
            '-E',
            'separator=|',
            '-e',
            'frame.time_epoch',
            '-e',
            'frame.cap_len',
            '-e',
            'frame.interface_name',
            '-e',
            'frame.interface_description',
          ],
          { encoding: 'utf8' },
        );
        const rows = out
          .trim()
          .split('\n')
          .map((line) => line.split('|'));
        expect(rows).toHaveLength(run.packets.length);
        rows.forEach(([epoch, length, name, description], i) => {
          const packet = run.packets[i]!;
          const [sec, fraction = ''] = (epoch ?? '').split('.');
          expect(Number(sec)).toBe(packet.timestampSec);
          expect(Number(fraction.padEnd(9, '0').slice(0, 9))).toBe(packet.timestampNsec);
          expect(Number(length)).toBe(packet.data.length);
          expect(name).toBe(packet.interface.name);
          expect(description).toBe(packet.interface.description);
        });
      },
    );
  });

  it('retention off writes nothing and records carry no CaptureRef', async () => {
    const container = 'retained-off';
    const h = await harness([NOT_RETAINING], new RetentionStore(containerFor(container)));
    const input = invocation([identityEvent(), ...BATCHES.map((b) => traceEvent(b.capture, b.node))]);
    const summary = await ingestEvents(input.messages, input.triggerMetadata, h.deps);
    expect(summary.records).toBeGreaterThan(0);
    expect(summary.retainedPackets ?? 0).toBe(0);
    expect(h.records().some((r) => r.CaptureRef !== undefined)).toBe(false);
    expect(await containerFor(container).exists()).toBe(false);
  });

  it('a failing retention store dead-letters the packets and never holds back the records', async () => {
    const unreachable = BlobServiceClient.fromConnectionString(
      azurite().connectionString.replace(
        /BlobEndpoint=http:\/\/127\.0\.0\.1:\d+/,
        'BlobEndpoint=http://127.0.0.1:9',
      ),
      { retryOptions: { maxTries: 1 } },
    ).getContainerClient('retained-down');
    const h = await harness([RETAINING], new RetentionStore(unreachable));
    const input = invocation([identityEvent(), traceEvent(BATCHES[0]!.capture, BATCHES[0]!.node)]);
    const summary = await ingestEvents(input.messages, input.triggerMetadata, h.deps);
    expect(summary.deadLettered).toBe(0);
    expect(summary.delivered).toBe(summary.records);
    expect(summary.retainedDeadLettered).toBe(1);
    const [dead] = h.deadLetter.batches;
    expect(dead?.destination).toBe('retention');
    const entry = dead?.entries[0];
    expect(entry?.kind).toBe('event');
    if (entry?.kind !== 'event') return;
    const kept = readCapture(Buffer.from(entry.body, 'base64')).packets;
    const expected = originals(BATCHES[0]!.capture, BATCHES[0]!.node, RETAINING_KEY).filter(
      (o) => o.port8080,
    );
    expect(kept.map((p) => Buffer.from(p.data).toString('hex'))).toEqual(
      expected.map((o) => Buffer.from(o.packet.data).toString('hex')),
    );
    expect((entry.properties as { blob?: string }).blob).toMatch(/^retained\//);
  });

  (hasSharedData('captures/public/tcpdump_tcp-handshake-nano.pcap') ? it : it.skip)(
    'a real capture (nanosecond pcap) replayed through a retaining configuration comes back frame for frame',
    async () => {
      const container = 'retained-real';
      const capture = readFileSync(sharedPath('captures', 'public', 'tcpdump_tcp-handshake-nano.pcap'));
      const h = await harness([RETAIN_ALL_IPV4], new RetentionStore(containerFor(container)));
      const input = invocation([traceEvent(capture, 'real-node', 'real-cluster')]);
      const summary = await ingestEvents(input.messages, input.triggerMetadata, h.deps);
      expect(summary.retainedBlobs).toBe(1);
      const expected = originals(capture, 'real-node', 'capture/everything').filter(
        (o) => o.sourceIp?.length === 4,
      );
      expect(expected.length).toBeGreaterThan(0);
      for (const flow of [...new Set(expected.map((o) => o.flowId!))]) {
        const run = await pcap(container, ['--flow', flow, '--cluster', 'real-cluster']);
        const want = expected.filter((o) => o.flowId === flow).sort(byTime);
        expect(run.packets.map((p) => `${p.timestampSec}.${p.timestampNsec}`)).toEqual(
          want.map((o) => `${o.packet.timestampSec}.${o.packet.timestampNsec}`),
        );
        run.packets.forEach((p, i) =>
          expect(Buffer.from(p.data).equals(Buffer.from(want[i]!.packet.data))).toBe(true),
        );
      }
    },
  );
});
