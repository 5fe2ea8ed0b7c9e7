/**
 * `npm run bench`: the whole ingest handler, from Event Hubs message bodies (gzip pcapng trace
 * batches built from the public captures with distinct flows) to sink requests (network excluded:
 * each sink encodes, batches and builds, signs or gzips its requests for real, and its transport
 * answers in-process at once, so every push is counted for its CPU), with 10 configurations and
 * layer 7 on. Reports packets/s per core, records/s, peak RSS, and the ratio
 * against tshark extracting the same fields from the same packets. Writes
 * bench/results/ingest.json and bench/results/ingest.svg.
 */
import { execFileSync } from 'node:child_process';
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Destination, CaptureLevel } from '../shared/config/model';
import type { Sink } from '../shared/sinks/sink';
import type { TraceBatchEvent } from '../shared/agent/traceBatchPacker';
import { barChartSvg, writeBenchResult } from './support/benchReport';
import { writeCaptureFile } from './support/captureFile';
import { distinctFlowCopies, packEvents, sourcePackets } from './support/benchInput';
import { billedBytes } from './support/billedBytes';
import { inProcessSink } from './support/inProcessTransports';
import {
  benchRig,
  CATCH_ALL_CONFIGURATIONS,
  hostInvocations,
  spec,
  SPECIFIC_CONFIGURATIONS,
  type BenchConfiguration,
} from './support/ingestRig';

const COPIES = Number(process.env.BENCH_COPIES ?? 12);
/** When set, a directory: each scenario's measured run is CPU-profiled into `<scenario>.cpuprofile` there. */
const PROFILE_DIR = process.env.BENCH_CPU_PROFILE;
/**
 * `levels`: run only the capture-level comparison (AllPackets, FirstPacket, FlowSummary) and print
 * it, without tshark or writing bench/results (a quick loop while tuning a level).
 */
const ONLY = process.env.BENCH_ONLY;
/** Timed runs per scenario (default 1); the run with the median CPU time is reported. */
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 1));

/**
 * One catch-all configuration at `level` to Log Analytics, layer 7 off so the records are the
 * level's own (packets, first packets or flows): the capture-level comparison.
 */
function levelConfigurations(level: CaptureLevel): BenchConfiguration[] {
  return [{ key: `bench/${level.toLowerCase()}`, spec: spec('loganalytics', { level, l7: false }) }];
}

/** Billed bytes of the records encoded for Log Analytics while counting is on (untimed runs only). */
const billing = { on: false, bytes: 0 };

function sinkFor(destination: Destination, connection: string): Sink {
  // Real encoding, limits, batching and request building; the transport answers in-process.
  const sink = inProcessSink(destination, connection);
  if (sink.destination !== 'loganalytics') return sink;
  const encode: Sink['encode'] = (record) => {
    if (billing.on) billing.bytes += billedBytes(record);
    return sink.encode(record);
  };
  return Object.assign(Object.create(sink) as Sink, { encode });
}

function tsharkPacketsPerSecond(files: string[], packets: number): number | undefined {
  if (files.length === 0) return undefined;
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  const fields = [
    'frame.time_epoch',
    'ip.src',
    'ip.dst',
    'ipv6.src',
    'ipv6.dst',
    'tcp.srcport',
    'tcp.dstport',
    'udp.srcport',
    'udp.dstport',
    'tcp.flags',
    'http.request.method',
    'http.request.uri',
    'http.response.code',
    'dns.qry.name',
    'dns.flags.rcode',
    'tls.handshake.extensions_server_name',
  ];
  const started = process.hrtime.bigint();
  for (const file of files) {
    execFileSync('tshark', ['-n', '-r', file, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], {
      stdio: ['ignore', 'ignore', 'ignore'],
    });
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return packets / seconds;
}

/** Starts the V8 CPU profiler in this process; `stop` returns the profile as JSON text. */
async function startProfiler(): Promise<{ stop: () => Promise<string> }> {
  const session = new Session();
  session.connect();
  const post = (method: string) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, (error, result) => (error ? reject(error) : resolve(result))),
    );
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

async function measure(
  name: string,
  configurations: BenchConfiguration[],
  events: TraceBatchEvent[],
  packets: number,
): Promise<Scenario> {
  const rig = await benchRig(configurations, hostInvocations(events), sinkFor);
  const run = async () => {
    const outcome = await rig.run();
    return { records: outcome.records, processed: outcome.packets };
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
    standardThroughputUnitsPerCore: Number(
      ((compressed / cpuSeconds / 1_048_576) * (processed / packets)).toFixed(1),
    ),
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
  process.stdout.write(
    `input: ${packets.length} packets (${COPIES} copies of ${origin}) in ${events.length} events, ${(compressed / 1e6).toFixed(1)} MB compressed\n`,
  );
  if (ONLY === 'levels') {
    for (const level of ['AllPackets', 'FirstPacket', 'FlowSummary'] as const)
      await measure(`catch-all at ${level}, no L7`, levelConfigurations(level), events, packets.length);
    return;
  }
  const specific = await measure(
    '10 specific configurations',
    SPECIFIC_CONFIGURATIONS,
    events,
    packets.length,
  );
  const catchAll = await measure(
    '10 configurations incl. 2 catch-alls',
    CATCH_ALL_CONFIGURATIONS,
    events,
    packets.length,
  );
  // The capture levels side by side: one catch-all configuration (layer 7 off) to Log Analytics.
  const levels = [];
  for (const level of ['AllPackets', 'FirstPacket', 'FlowSummary'] as const)
    levels.push(
      await measure(`catch-all at ${level}, no L7`, levelConfigurations(level), events, packets.length),
    );
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const tshark = tsharkPacketsPerSecond([writeCaptureFile(packets, 'bench-ingest-')], packets.length);
  const result = {
    input: {
      packets: packets.length,
      events: events.length,
      compressedBytes: compressed,
      source: origin,
      layer7: true,
    },
    scenarios: [specific, catchAll, ...levels],
    peakRssMb,
    tsharkPacketsPerSecond: tshark === undefined ? null : Math.round(tshark),
    ratioToTshark:
      tshark === undefined ? null : Number((specific.packetsPerSecondPerCore / tshark).toFixed(1)),
    target: { packetsPerSecondPerCore: 300_000, standardThroughputUnitsPerCore: 30 },
  };
  const file = writeBenchResult('ingest', result);
  const chart = barChartSvg(
    'ingestTraces, layer 7 on, per core (target: 300k/s or 30 TU)',
    [
      {
        label: '10 specific configurations',
        value: specific.packetsPerSecondPerCore,
        unit: `/s · ${specific.standardThroughputUnitsPerCore} TU`,
      },
      {
        label: '10 incl. 2 catch-alls',
        value: catchAll.packetsPerSecondPerCore,
        unit: `/s · ${catchAll.standardThroughputUnitsPerCore} TU`,
      },
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
