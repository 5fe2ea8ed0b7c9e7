/**
 * `npm run bench`: the whole ingest handler, from Event Hubs message bodies (gzip pcapng trace
 * batches built from the public captures with distinct flows) to encoded sink requests (network
 * excluded: each sink encodes and batches for real; only the final push is skipped), with 10
 * configurations and layer 7 on. Reports packets/s per core, records/s, peak RSS, and the ratio
 * against tshark extracting the same fields from the same packets. Writes
 * bench/results/ingest.json and bench/results/ingest.svg.
 */
import { execFileSync } from 'node:child_process';
import { Session } from 'node:inspector';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvocationContext } from '@azure/functions';
import { createIngestTracesHandler } from '../functions/ingestTraces';
import type { TraceConfigurationSpec, Destination, PortRule } from '../shared/config/model';
import { MemoryIdentityStore } from '../shared/enrich/memoryIdentityStore';
import { LocalTokenCredential } from '../shared/local/localTokenCredential';
import { compileConfigurations, type ConfigurationMatcher } from '../shared/match/configurationMatcher';
import { TRACE_POINTS } from '../shared/packet/decodedPacket';
import { ConfigurationCache } from '../shared/pipeline/configurationCache';
import { createPartitionState, type PartitionState } from '../shared/pipeline/partitionState';
import { createSink } from '../shared/sinks/createSink';
import type { ConnectionSettings } from '../shared/sinks/connection';
import type { Sink } from '../shared/sinks/sink';
import { MemoryConfigurationStore } from '../shared/store/memoryConfigurationStore';
import { hostEventBatch } from '../shared/local/hostEventBatch';
import { PcapngWriter } from '../shared/capture/pcapngWriter';
import type { CapturePacket } from '../shared/capture/capturePacket';
import type { TraceBatchEvent } from '../shared/agent/traceBatchPacker';
import { barChartSvg, writeBenchResult } from './support/benchReport';
import { distinctFlowCopies, packEvents, sourcePackets } from './support/benchInput';
import { billedBytes } from './support/billedBytes';
import { releasePartitionState } from '../shared/pipeline/releasePartition';
import type { CaptureLevel } from '../shared/config/model';

const COPIES = Number(process.env.BENCH_COPIES ?? 12);
/** When set, a directory: each scenario's measured run is CPU-profiled into `<scenario>.cpuprofile` there. */
const PROFILE_DIR = process.env.BENCH_CPU_PROFILE;
const EVENTS_PER_INVOCATION = 16;
/**
 * `levels`: run only the capture-level comparison (AllPackets, FirstPacket, FlowSummary) and print
 * it, without tshark or writing bench/results (a quick loop while tuning a level).
 */
const ONLY = process.env.BENCH_ONLY;
/** Timed runs per scenario (default 1); the run with the median CPU time is reported. */
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 1));

function spec(destination: Destination, options: { ports?: PortRule[]; cidr?: string; allPackets?: boolean; l7?: boolean; level?: CaptureLevel }): TraceConfigurationSpec {
  const to = options.cidr === undefined ? [] : [{ ipBlock: { cidr: options.cidr, except: [] } }];
  return {
    rules: [
      {
        captureLevel: options.level ?? (options.allPackets === true ? 'AllPackets' : 'FirstPacket'),
        includeLayer7Data: options.l7 ?? true,
        targets: [{ from: [], to, ports: options.ports ?? [], tracePoints: [...TRACE_POINTS], tracePointsRestricted: false }],
      },
    ],
    output: { destination, connection: `TRACES_${destination.toUpperCase()}` },
  };
}

/** Ten configurations, two of them catch-alls that record every packet (the heavy case). */
const CATCH_ALL_CONFIGURATIONS: { key: string; spec: TraceConfigurationSpec }[] = [
  { key: 'bench/everything', spec: spec('stdout', { allPackets: true }) },
  { key: 'bench/dns', spec: spec('loganalytics', { ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }) },
  { key: 'bench/http', spec: spec('azuretable', { ports: [{ protocol: 'TCP', port: 80 }, { protocol: 'TCP', port: 8080 }] }) },
  { key: 'bench/tls', spec: spec('opentelemetry', { ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'UDP', port: 443 }] }) },
  { key: 'bench/private-10', spec: spec('azuretable', { cidr: '10.0.0.0/8', l7: false }) },
  { key: 'bench/private-192', spec: spec('loganalytics', { cidr: '192.168.0.0/16' }) },
  { key: 'bench/high-ports', spec: spec('stdout', { ports: [{ protocol: 'TCP', port: 1024, endPort: 65535 }], l7: false }) },
  { key: 'bench/ipv6', spec: spec('azuretable', { cidr: '::/0' }) },
  { key: 'bench/ssh-smtp', spec: spec('loganalytics', { ports: [{ protocol: 'TCP', port: 22 }, { protocol: 'TCP', port: 25 }] }) },
  { key: 'bench/public', spec: spec('opentelemetry', { cidr: '0.0.0.0/0', allPackets: true, l7: false }) },
];

/** Ten narrower configurations of the kinds operators write: by port and by CIDR, no catch-all. */
const SPECIFIC_CONFIGURATIONS: { key: string; spec: TraceConfigurationSpec }[] = [
  { key: 'bench/mdns', spec: spec('stdout', { ports: [{ protocol: 'UDP', port: 5353 }] }) },
  ...CATCH_ALL_CONFIGURATIONS.slice(1, -1),
  { key: 'bench/resolver', spec: spec('opentelemetry', { cidr: '8.8.8.8/32' }) },
];

/**
 * One catch-all configuration at `level` to Log Analytics, layer 7 off so the records are the
 * level's own (packets, first packets or flows): the capture-level comparison.
 */
function levelConfigurations(level: CaptureLevel): { key: string; spec: TraceConfigurationSpec }[] {
  return [{ key: `bench/${level.toLowerCase()}`, spec: spec('loganalytics', { level, l7: false }) }];
}

/** Billed bytes of the records encoded for Log Analytics while counting is on (untimed runs only). */
const billing = { on: false, bytes: 0 };

function quiet(sink: Sink): Sink {
  // Real encoding, limits and batching; only the network call is skipped.
  const overrides: Partial<Sink> = { push: async () => ({ ok: true as const }) };
  if (sink.destination === 'loganalytics') {
    overrides.encode = (record) => {
      if (billing.on) billing.bytes += billedBytes(record);
      return sink.encode(record);
    };
  }
  return Object.assign(Object.create(sink) as Sink, overrides);
}

function sinkFor(destination: Destination, connection: string): Sink {
  const settings: Record<Destination, ConnectionSettings> = {
    stdout: { destination: 'stdout', name: connection },
    azuretable: { destination: 'azuretable', name: connection, connectionString: 'UseDevelopmentStorage=true', tableName: 'RetinaTraces' },
    loganalytics: { destination: 'loganalytics', name: connection, endpoint: 'https://127.0.0.1:9', ruleId: 'dcr-bench', streamName: 'Custom-RetinaTraces_CL' },
    opentelemetry: { destination: 'opentelemetry', name: connection, endpoint: 'http://127.0.0.1:9' },
  } as Record<Destination, ConnectionSettings>;
  return quiet(createSink(settings[destination], { credential: new LocalTokenCredential(), stdoutWriter: async () => undefined }));
}

function tsharkPacketsPerSecond(files: string[], packets: number): number | undefined {
  if (files.length === 0) return undefined;
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  const fields = ['frame.time_epoch', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'tcp.srcport', 'tcp.dstport', 'udp.srcport', 'udp.dstport', 'tcp.flags', 'http.request.method', 'http.request.uri', 'http.response.code', 'dns.qry.name', 'dns.flags.rcode', 'tls.handshake.extensions_server_name'];
  const started = process.hrtime.bigint();
  for (const file of files) {
    execFileSync('tshark', ['-n', '-r', file, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], { stdio: ['ignore', 'ignore', 'ignore'] });
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return packets / seconds;
}

function writeSingleCapture(packets: readonly CapturePacket[]): string {
  const writer = new PcapngWriter();
  const interfaces = new Map<number, number>();
  for (const packet of packets) {
    const linkType = packet.interface.linkType;
    let index = interfaces.get(linkType);
    if (index === undefined) interfaces.set(linkType, (index = writer.addInterface({ linkType, tsResolution: 9 })));
    writer.addPacket({ interfaceIndex: index, timestampSec: packet.timestampSec, timestampNsec: packet.timestampNsec, data: packet.data, originalLength: packet.originalLength });
  }
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-ingest-')), 'all.pcapng');
  writeFileSync(file, writer.toBytes());
  return file;
}

/** Starts the V8 CPU profiler in this process; `stop` returns the profile as JSON text. */
async function startProfiler(): Promise<{ stop: () => Promise<string> }> {
  const session = new Session();
  session.connect();
  const post = (method: string) =>
    new Promise<unknown>((resolve, reject) => session.post(method, (error, result) => (error ? reject(error) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.start');
  return {
    stop: async () => {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      session.disconnect();
      return JSON.stringify(profile);
    },
  };
}

interface Scenario {
  name: string;
  packetsPerSecondPerCore: number;
  recordsPerSecondPerCore: number;
  recordsPerPacket: number;
  cpuSeconds: number;
  wallSeconds: number;
  standardThroughputUnitsPerCore: number;
  /** Log Analytics billed bytes per million packets (configurations writing there only). */
  logAnalyticsBilledBytesPerMillionPackets: number;
}

async function measure(name: string, configurations: { key: string; spec: TraceConfigurationSpec }[], events: TraceBatchEvent[], packets: number): Promise<Scenario> {
  const store = new MemoryConfigurationStore();
  for (const { key, spec: s } of configurations) {
    const [namespace, configName] = key.split('/') as [string, string];
    await store.put({ namespace, name: configName, generation: 1, manifest: {}, spec: s, status: { state: 'Accepted', reason: '', lastKnownSpec: s }, updatedAt: '' });
  }
  const partitions = new Map<string, PartitionState>();
  const sinks = new Map<string, Sink>();
  const configurationCache = new ConfigurationCache<ConfigurationMatcher>({
    store,
    refreshIntervalInMs: 60_000,
    compile: (stored) => compileConfigurations(stored.map((c) => ({ key: `${c.namespace}/${c.name}`, spec: c.spec! }))),
  });
  const sinkOf = (destination: Destination, connection: string): Sink =>
    sinks.get(`${destination}/${connection}`) ?? sinks.set(`${destination}/${connection}`, sinkFor(destination, connection)).get(`${destination}/${connection}`)!;
  const deadLetter = { write: async () => 'bench' };
  const handler = createIngestTracesHandler(() => ({
    configurations: configurationCache,
    identities: new MemoryIdentityStore(),
    partitionState: (id) => partitions.get(id) ?? partitions.set(id, createPartitionState()).get(id)!,
    sinkFor: sinkOf,
    deadLetter,
  }));
  const invocations: ReturnType<typeof hostEventBatch>[] = [];
  const now = new Date();
  for (let i = 0; i < events.length; i += EVENTS_PER_INVOCATION) {
    const slice = events.slice(i, i + EVENTS_PER_INVOCATION).map((event, k) => ({
      body: event.body,
      properties: event.properties,
      offset: String(i + k),
      sequenceNumber: i + k,
      enqueuedTimeUtc: now,
      partitionKey: 'bench-node',
      systemProperties: {},
      getRawAmqpMessage: () => ({ body: event.body }),
    }));
    invocations.push(hostEventBatch(slice, { fullyQualifiedNamespace: 'bench', eventHubName: 'retina-traces', consumerGroup: '$Default', partitionId: '0' }));
  }
  const run = async () => {
    partitions.clear();
    let records = 0;
    let processed = 0;
    for (const invocation of invocations) {
      const context = new InvocationContext({ triggerMetadata: invocation.triggerMetadata, logHandler: () => undefined });
      const summary = await handler(invocation.messages, context);
      records += summary.records;
      processed += summary.packets;
    }
    // The end of the input releases the partitions: FlowSummary writes its open flows (counted).
    for (const [id, state] of partitions) records += (await releasePartitionState(state, id, { sinkFor: sinkOf, deadLetter })).records;
    return { records, processed };
  };
  billing.on = true;
  billing.bytes = 0;
  await run();
  billing.on = false;
  const billedPerPacket = billing.bytes / packets;
  const profiler = PROFILE_DIR === undefined ? undefined : await startProfiler();
  const timed: { records: number; processed: number; wallSeconds: number; cpuSeconds: number }[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const cpuBefore = process.cpuUsage();
    const wallBefore = process.hrtime.bigint();
    const outcome = await run();
    const wallSeconds = Number(process.hrtime.bigint() - wallBefore) / 1e9;
    const cpu = process.cpuUsage(cpuBefore);
    timed.push({ ...outcome, wallSeconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 });
  }
  timed.sort((a, b) => a.cpuSeconds - b.cpuSeconds);
  const { records, processed, wallSeconds, cpuSeconds } = timed[Math.floor(timed.length / 2)]!;
  if (profiler !== undefined && PROFILE_DIR !== undefined) {
    const file = path.join(PROFILE_DIR, `${name.replace(/[^a-z0-9]+/gi, '-')}.cpuprofile`);
    writeFileSync(file, await profiler.stop());
    process.stdout.write(`profile: ${file}\n`);
  }
  const compressed = events.reduce((sum, e) => sum + e.body.length, 0);
  const scenario: Scenario = {
    name,
    packetsPerSecondPerCore: Math.round(processed / cpuSeconds),
    recordsPerSecondPerCore: Math.round(records / cpuSeconds),
    recordsPerPacket: Number((records / processed).toFixed(2)),
    cpuSeconds: Number(cpuSeconds.toFixed(3)),
    wallSeconds: Number(wallSeconds.toFixed(3)),
    // One Standard throughput unit carries 1 MB/s (counted here as 1 MiB/s, the stricter reading)
    // or 1,000 events/s of ingress; at ~1 MB per event the bytes are the binding limit.
    standardThroughputUnitsPerCore: Number(((compressed / cpuSeconds / 1_048_576) * (processed / packets)).toFixed(1)),
    logAnalyticsBilledBytesPerMillionPackets: Math.round(billedPerPacket * 1e6),
  };
  process.stdout.write(
    `${name}: ${scenario.packetsPerSecondPerCore} packets/s per core, ${scenario.recordsPerSecondPerCore} records/s, ${scenario.recordsPerPacket} records per packet, ${(scenario.logAnalyticsBilledBytesPerMillionPackets / 1e6).toFixed(1)} MB billed in Log Analytics per million packets\n`,
  );
  return scenario;
}

async function main(): Promise<void> {
  const { packets: source, source: origin } = sourcePackets();
  const packets = distinctFlowCopies(source, COPIES);
  const events = packEvents(packets);
  const compressed = events.reduce((sum, e) => sum + e.body.length, 0);
  process.stdout.write(`input: ${packets.length} packets (${COPIES} copies of ${origin}) in ${events.length} events, ${(compressed / 1e6).toFixed(1)} MB compressed\n`);
  if (ONLY === 'levels') {
    for (const level of ['AllPackets', 'FirstPacket', 'FlowSummary'] as const)
      await measure(`catch-all at ${level}, no L7`, levelConfigurations(level), events, packets.length);
    return;
  }
  const specific = await measure('10 specific configurations', SPECIFIC_CONFIGURATIONS, events, packets.length);
  const catchAll = await measure('10 configurations incl. 2 catch-alls', CATCH_ALL_CONFIGURATIONS, events, packets.length);
  // The capture levels side by side: one catch-all configuration (layer 7 off) to Log Analytics.
  const levels = [];
  for (const level of ['AllPackets', 'FirstPacket', 'FlowSummary'] as const)
    levels.push(await measure(`catch-all at ${level}, no L7`, levelConfigurations(level), events, packets.length));
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const tshark = tsharkPacketsPerSecond([writeSingleCapture(packets)], packets.length);
  const result = {
    input: { packets: packets.length, events: events.length, compressedBytes: compressed, source: origin, layer7: true },
    scenarios: [specific, catchAll, ...levels],
    peakRssMb,
    tsharkPacketsPerSecond: tshark === undefined ? null : Math.round(tshark),
    ratioToTshark: tshark === undefined ? null : Number((specific.packetsPerSecondPerCore / tshark).toFixed(1)),
    target: { packetsPerSecondPerCore: 300_000, standardThroughputUnitsPerCore: 30 },
  };
  const file = writeBenchResult('ingest', result);
  const chart = barChartSvg(
    'ingestTraces, layer 7 on, per core (target: 300k/s or 30 TU)',
    [
      { label: '10 specific configurations', value: specific.packetsPerSecondPerCore, unit: `/s · ${specific.standardThroughputUnitsPerCore} TU` },
      { label: '10 incl. 2 catch-alls', value: catchAll.packetsPerSecondPerCore, unit: `/s · ${catchAll.standardThroughputUnitsPerCore} TU` },
      ...levels.map((level) => ({
        label: level.name,
        value: level.packetsPerSecondPerCore,
        unit: `/s · ${level.recordsPerPacket} rec/pkt · ${(level.logAnalyticsBilledBytesPerMillionPackets / 1e6).toFixed(0)} MB LA/M pkts`,
      })),
      ...(tshark === undefined ? [] : [{ label: 'tshark -T fields', value: tshark, unit: '/s' }]),
    ],
    300_000,
  );
  writeFileSync(path.join(path.dirname(file), 'ingest.svg'), chart);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\nwrote ${file} and ingest.svg\n`);
}

void main();
