/**
 * `npm run bench:latency`: what one instance delivers when its destinations are some milliseconds
 * away. The real Functions handler and the real sinks, on the ingest bench's input (the public
 * captures, 12 distinct-flow copies, 16 events per invocation, the 10 specific configurations),
 * run one invocation after another as one partition does, against a near-zero-latency Table
 * `$batch` responder (and, for reference, Azurite), the local Logs Ingestion (HTTPS) and OTLP
 * servers, each behind a proxy adding a one-way delay of 0, 5, 20 and 50 ms. The destinations run
 * in a child process, so only the backend's own CPU is counted here.
 *
 * Scenarios: all three destinations together (the two stdout configurations write to Log
 * Analytics and OpenTelemetry instead, so every record crosses the network) and each destination
 * alone (every configuration writes there). The ceiling is the same input with every push
 * encoded, built, signed or gzipped for real but answered in-process at once: packets per CPU
 * second, i.e. what one core does when no request ever waits. The in-process Table responder's
 * own CPU (the service's work) is left out.
 *
 * Writes bench/results/latency.json, latency.md (table) and latency.svg (chart).
 * `LATENCY_BENCH_QUICK=1`: 3 copies, 0 and 20 ms, all three only (a short run);
 * `LATENCY_BENCH_LATENCIES=0,50` picks the latencies, `DELIVERY_MAX_IN_FLIGHT` the in-flight bound.
 * `LATENCY_BENCH_CEILING_ONLY=1`: only the ceiling of all three, measured
 * `LATENCY_BENCH_CEILING_RUNS` times (default 3), median printed, nothing written (for profiling
 * and A/B comparisons of ingest CPU).
 */
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import type { Destination } from '../shared/config/model';
import { LocalTokenCredential } from '../shared/local/localTokenCredential';
import { createSink } from '../shared/sinks/createSink';
import type { Sink } from '../shared/sinks/sink';
import { distinctFlowCopies, packEvents, sourcePackets } from './support/benchInput';
import { barChartSvg, writeBenchResult } from './support/benchReport';
import {
  BENCH_RULE_ID,
  BENCH_STREAM,
  countingSink,
  inProcessSink,
  tableConnectionString,
  tableResponderCpu,
  type PushCounts,
} from './support/inProcessTransports';
import {
  benchRig,
  hostInvocations,
  retarget,
  SPECIFIC_CONFIGURATIONS,
  type BenchConfiguration,
} from './support/ingestRig';
import type { LatencyServerMessage, LatencyServerPorts } from './support/latencyServers';

const QUICK = process.env.LATENCY_BENCH_QUICK === '1';
const CEILING_ONLY = process.env.LATENCY_BENCH_CEILING_ONLY === '1';
const CEILING_RUNS = Number(process.env.LATENCY_BENCH_CEILING_RUNS ?? 3);
const COPIES = Number(process.env.BENCH_COPIES ?? (QUICK ? 3 : 12));
const LATENCIES_MS =
  process.env.LATENCY_BENCH_LATENCIES?.split(',').map(Number) ?? (QUICK ? [0, 20] : [0, 5, 20, 50]);
/** `DELIVERY_MAX_IN_FLIGHT` of the measured runs (default: the app's default). */
const MAX_IN_FLIGHT =
  process.env.DELIVERY_MAX_IN_FLIGHT === undefined ? undefined : Number(process.env.DELIVERY_MAX_IN_FLIGHT);
type NetworkDestination = Exclude<Destination, 'stdout'>;
const ALL: NetworkDestination[] = ['azuretable', 'loganalytics', 'opentelemetry'];
const DESTINATION_SETS: NetworkDestination[][] = QUICK
  ? [ALL]
  : [ALL, ['azuretable'], ['loganalytics'], ['opentelemetry']];

/** One measured run. */
interface LatencyScenario {
  latencyMs: number;
  destinations: NetworkDestination[];
  /** Where Table transactions went: the `$batch` responder, or Azurite (reference). */
  table?: 'responder' | 'azurite';
  packetsPerSecond: number;
  recordsPerSecond: number;
  /** CPU seconds of this process per wall second. */
  cpuCores: number;
  /** packetsPerSecond over the ceiling of the same destinations. */
  ofCeiling: number;
  /**
   * Share of the wall time the event loop was working rather than waiting for I/O: 1 when latency
   * is wholly hidden. Unlike `cpuCores` it does not drop when other processes take the CPU.
   */
  eventLoopUtilization: number;
  /** packetsPerSecond over that of the same destinations at 0 ms. */
  ofZeroLatency: number;
  /**
   * Estimate for an instance with a whole core to itself (this machine is shared): the measured
   * wait for I/O (wall time × (1 − eventLoopUtilization)) plus the CPU time, as if busy time ran at
   * one full core. An estimate: with a faster CPU more of the network time could show.
   */
  oneCoreEstimate: { packetsPerSecond: number; ofCeiling: number };
  requests: Record<string, number>;
  /** Table entities per transaction (absent without Table). */
  entitiesPerTransaction?: number;
  deadLettered: number;
  wallSeconds: number;
}

function configurationsFor(destinations: NetworkDestination[]): BenchConfiguration[] {
  if (destinations.length === 1) return retarget(SPECIFIC_CONFIGURATIONS, () => destinations[0]!);
  // The two stdout configurations (mDNS, high ports) write over the network too.
  let spare = 0;
  return retarget(SPECIFIC_CONFIGURATIONS, (configuration) => {
    const destination = configuration.spec.output?.destination ?? 'stdout';
    return destination === 'stdout'
      ? (['loganalytics', 'opentelemetry'] as const)[spare++ % 2]!
      : destination;
  });
}

function networkSink(ports: LatencyServerPorts, certificate: string, table: 'responder' | 'azurite') {
  return (destination: Destination, connection: string): Sink => {
    const options = {
      credential: new LocalTokenCredential(),
      logsIngestionClientOptions: { tlsOptions: { ca: certificate } },
    };
    switch (destination) {
      case 'azuretable':
        return createSink(
          {
            destination,
            name: connection,
            connectionString: tableConnectionString(table === 'azurite' ? ports.azurite : ports.table),
            tableName: 'RetinaTraces',
          },
          options,
        );
      case 'loganalytics':
        return createSink(
          {
            destination,
            name: connection,
            endpoint: `https://127.0.0.1:${ports.logs}`,
            ruleId: BENCH_RULE_ID,
            streamName: BENCH_STREAM,
          },
          options,
        );
      case 'opentelemetry':
        return createSink(
          { destination, name: connection, endpoint: `http://127.0.0.1:${ports.otlp}`, headers: {} },
          options,
        );
      case 'stdout':
        return createSink({ destination, name: connection }, { stdoutWriter: async () => undefined });
    }
  };
}

interface Measured {
  packets: number;
  records: number;
  deadLettered: number;
  /** CPU seconds of the in-process Table responder, left out of `cpuSeconds`. */
  responderCpuSeconds: number;
  cpuSeconds: number;
  wallSeconds: number;
  eventLoopUtilization: number;
  counts: PushCounts;
}

async function measure(
  configurations: BenchConfiguration[],
  invocations: ReturnType<typeof hostInvocations>,
  makeSink: (destination: Destination, connection: string) => Sink,
  warmInvocations: number,
): Promise<Measured> {
  const counts: PushCounts = { requests: {}, records: {} };
  const rig = await benchRig(
    configurations,
    invocations,
    (destination, connection) => countingSink(makeSink(destination, connection), counts),
    MAX_IN_FLIGHT === undefined ? undefined : { maxInFlight: MAX_IN_FLIGHT },
  );
  // Warm up: JIT, and the connections (TLS included) an instance keeps open between invocations.
  await rig.run(warmInvocations);
  counts.requests = {};
  counts.records = {};
  const responderBefore = tableResponderCpu.microseconds;
  const cpuBefore = process.cpuUsage();
  const eluBefore = performance.eventLoopUtilization();
  const wallBefore = process.hrtime.bigint();
  const outcome = await rig.run();
  const wallSeconds = Number(process.hrtime.bigint() - wallBefore) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const eventLoopUtilization = performance.eventLoopUtilization(eluBefore).utilization;
  // The in-process Table responder's CPU is the service's, not ours (zero over the network).
  const responder = tableResponderCpu.microseconds - responderBefore;
  return {
    ...outcome,
    cpuSeconds: (cpu.user + cpu.system - responder) / 1e6,
    responderCpuSeconds: responder / 1e6,
    wallSeconds,
    eventLoopUtilization,
    counts,
  };
}

async function startServers(): Promise<{
  ports: LatencyServerPorts;
  certificate: string;
  setDelay(ms: number): Promise<void>;
  stop(): void;
}> {
  const child = fork(path.join(__dirname, 'support', 'latencyServers.js'), {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = () =>
    new Promise<LatencyServerMessage>((resolve, reject) => {
      const exited = (code: number | null) => reject(new Error(`latency servers exited (${code})`));
      child.once('exit', exited);
      child.once('message', (message) => {
        child.off('exit', exited);
        resolve(message as LatencyServerMessage);
      });
    });
  const ready = await next();
  if (ready.type !== 'ready') throw new Error(`latency servers did not start: ${JSON.stringify(ready)}`);
  return {
    ports: ready.ports,
    certificate: ready.certificate,
    setDelay: async (ms) => {
      const answer = next();
      child.send({ type: 'delay', ms });
      const reply = await answer;
      if (reply.type === 'ok' && (reply.tableRefused > 0 || reply.logsRefused > 0))
        throw new Error(`destinations refused requests: ${JSON.stringify(reply)}`);
    },
    stop: () => child.send({ type: 'stop' }),
  };
}

function markdown(result: {
  ceilingPacketsPerSecond: number;
  ceilings: Record<string, number>;
  scenarios: LatencyScenario[];
  input: Record<string, unknown>;
}): string {
  const label = (destinations: string[]) =>
    destinations.length === ALL.length ? 'all three' : destinations[0]!;
  const k = (n: number) => `${(n / 1000).toFixed(1)}k`;
  const rows = result.scenarios.map(
    (s) =>
      `| ${s.latencyMs} ms | ${label(s.destinations)}${s.table === 'azurite' ? ' (Table: Azurite)' : ''} | ${k(s.packetsPerSecond)} | ${Math.round(s.ofCeiling * 100)}% | ${Math.round(s.ofZeroLatency * 100)}% | ${Math.round(s.eventLoopUtilization * 100)}% | ${s.cpuCores.toFixed(2)} | ${k(s.oneCoreEstimate.packetsPerSecond)} (${Math.round(s.oneCoreEstimate.ofCeiling * 100)}%) | ${Object.entries(
        s.requests,
      )
        .map(([d, n]) => `${d} ${n}`)
        .join(', ')} | ${s.entitiesPerTransaction ?? '–'} |`,
  );
  return [
    '# Delivery latency bench (`npm run bench:latency`)',
    '',
    `Input: ${String(result.input.packets)} packets in ${String(result.input.events)} events, ${String(result.input.invocations)} invocations of 16, the 10 specific configurations; one partition (invocations one after another).`,
    `Ceiling (every push built for real, answered in-process; packets per CPU second): all three ${k(result.ceilingPacketsPerSecond)}, ${Object.entries(
      result.ceilings,
    )
      .filter(([d]) => d !== 'all')
      .map(([d, v]) => `${d} ${k(v)}`)
      .join(', ')}.`,
    '',
    '| one-way latency | destinations | packets/s | of ceiling | of 0 ms | event loop busy | cores | one-core estimate (of ceiling) | requests | entities/transaction |',
    '|---|---|--:|--:|--:|--:|--:|--:|---|--:|',
    ...rows,
    '',
    '"of ceiling": packets/s over the ceiling of the same destinations (the goal: ≥ 80% at 20 ms, ≥ 60% at 50 ms, all three). "event loop busy": share of wall time spent working rather than waiting for I/O (1 = latency wholly hidden; unlike "cores" it does not drop when other processes share the CPU). "one-core estimate": packets / (wall time waiting for I/O + CPU time), what an instance with a whole core would deliver if its I/O waits stayed as measured.',
    '',
    'Generated by bench/latency.ts; figures from a shared 2-core machine are approximate.',
    '',
  ].join('\n');
}

/** The ceiling of all three alone, `CEILING_RUNS` times after one warm-up pass; prints the median. */
async function ceilingOnly(invocations: ReturnType<typeof hostInvocations>): Promise<void> {
  const figures: number[] = [];
  for (let run = 0; run < CEILING_RUNS; run++) {
    const measured = await measure(
      configurationsFor(ALL),
      invocations,
      inProcessSink,
      run === 0 ? invocations.length : 1,
    );
    figures.push(Math.round(measured.packets / measured.cpuSeconds));
    process.stdout.write(
      `ceiling all, run ${run + 1}: ${figures[run]} packets per CPU second (${measured.records} records, ${measured.cpuSeconds.toFixed(2)} CPU s; the in-process Table responder's ${measured.responderCpuSeconds.toFixed(2)} s left out)\n`,
    );
  }
  const sorted = [...figures].sort((a, b) => a - b);
  process.stdout.write(`ceiling all, median of ${CEILING_RUNS}: ${sorted[Math.floor(sorted.length / 2)]}\n`);
}

async function main(): Promise<void> {
  const { packets: source, source: origin } = sourcePackets();
  const packets = distinctFlowCopies(source, COPIES);
  const events = packEvents(packets);
  const invocations = hostInvocations(events);
  process.stdout.write(
    `input: ${packets.length} packets (${COPIES} copies of ${origin}) in ${events.length} events, ${invocations.length} invocations\n`,
  );

  if (CEILING_ONLY) {
    await ceilingOnly(invocations);
    return;
  }

  const ceilings: Record<string, number> = {};
  for (const destinations of DESTINATION_SETS) {
    const measured = await measure(
      configurationsFor(destinations),
      invocations,
      inProcessSink,
      // The first ceiling also warms the JIT for everything measured after it.
      Object.keys(ceilings).length === 0 ? invocations.length : 1,
    );
    const name = destinations.length === ALL.length ? 'all' : destinations[0]!;
    ceilings[name] = Math.round(measured.packets / measured.cpuSeconds);
    process.stdout.write(
      `ceiling ${name}: ${ceilings[name]} packets per CPU second (${measured.records} records, requests ${JSON.stringify(measured.counts.requests)})\n`,
    );
  }

  const servers = await startServers();
  const scenarios: LatencyScenario[] = [];
  const zeroLatency = new Map<string, number>();
  try {
    const run = async (
      latencyMs: number,
      destinations: NetworkDestination[],
      table: 'responder' | 'azurite',
    ) => {
      await servers.setDelay(latencyMs);
      const measured = await measure(
        configurationsFor(destinations),
        invocations,
        networkSink(servers.ports, servers.certificate, table),
        1,
      );
      const ceiling = ceilings[destinations.length === ALL.length ? 'all' : destinations[0]!]!;
      const packetsPerSecond = measured.packets / measured.wallSeconds;
      const key = `${destinations.join('+')}/${table}`;
      const oneCore =
        measured.packets / (measured.wallSeconds * (1 - measured.eventLoopUtilization) + measured.cpuSeconds);
      if (latencyMs === 0) zeroLatency.set(key, packetsPerSecond);
      const tableRequests = measured.counts.requests.azuretable;
      const scenario: LatencyScenario = {
        latencyMs,
        destinations,
        ...(destinations.includes('azuretable') ? { table } : {}),
        packetsPerSecond: Math.round(packetsPerSecond),
        recordsPerSecond: Math.round(measured.records / measured.wallSeconds),
        cpuCores: Number((measured.cpuSeconds / measured.wallSeconds).toFixed(2)),
        ofCeiling: Number((packetsPerSecond / ceiling).toFixed(2)),
        eventLoopUtilization: Number(measured.eventLoopUtilization.toFixed(2)),
        oneCoreEstimate: {
          packetsPerSecond: Math.round(oneCore),
          ofCeiling: Number((oneCore / ceiling).toFixed(2)),
        },
        ofZeroLatency: Number((packetsPerSecond / (zeroLatency.get(key) ?? packetsPerSecond)).toFixed(2)),
        requests: measured.counts.requests,
        ...(tableRequests !== undefined
          ? {
              entitiesPerTransaction: Number(
                ((measured.counts.records.azuretable ?? 0) / tableRequests).toFixed(1),
              ),
            }
          : {}),
        deadLettered: measured.deadLettered,
        wallSeconds: Number(measured.wallSeconds.toFixed(2)),
      };
      process.stdout.write(
        `${latencyMs} ms ${destinations.join('+')}${table === 'azurite' && destinations.includes('azuretable') ? ' (Azurite)' : ''}: ${scenario.packetsPerSecond} packets/s, ${Math.round(scenario.ofCeiling * 100)}% of ceiling, ${Math.round(scenario.ofZeroLatency * 100)}% of 0 ms, event loop ${Math.round(scenario.eventLoopUtilization * 100)}% busy, one-core estimate ${scenario.oneCoreEstimate.packetsPerSecond} (${Math.round(scenario.oneCoreEstimate.ofCeiling * 100)}%), ${scenario.cpuCores} cores, requests ${JSON.stringify(scenario.requests)}${scenario.entitiesPerTransaction !== undefined ? `, ${scenario.entitiesPerTransaction} entities/transaction` : ''}${scenario.deadLettered > 0 ? `, ${scenario.deadLettered} DEAD-LETTERED` : ''}\n`,
      );
      if (measured.deadLettered > 0)
        throw new Error('records were dead-lettered: the measurement is not of delivery');
      scenarios.push(scenario);
    };
    for (const latencyMs of LATENCIES_MS)
      for (const destinations of DESTINATION_SETS) await run(latencyMs, destinations, 'responder');
    // Reference: all three with Table on Azurite (its own CPU shares the machine).
    if (!QUICK) await run(0, ALL, 'azurite');
  } finally {
    servers.stop();
  }

  const result = {
    input: {
      packets: packets.length,
      compressedBytes: events.reduce((sum, event) => sum + event.body.length, 0),
      events: events.length,
      invocations: invocations.length,
      eventsPerInvocation: 16,
      configurations: 'specific',
      source: origin,
    },
    ceilingPacketsPerSecond: ceilings.all!,
    ceilings,
    scenarios,
    goals: {
      ceilingPacketsPerSecondPerCore: 40_000,
      allThreeAt20msOfCeiling: 0.8,
      allThreeAt50msOfCeiling: 0.6,
    },
  };
  const file = writeBenchResult('latency', result);
  const dir = path.dirname(file);
  writeFileSync(path.join(dir, 'latency.md'), markdown(result));
  const chart = barChartSvg(
    `delivered packets/s, one partition (dashed: ceiling, all three, per core)`,
    scenarios.map((s) => ({
      label: `${s.latencyMs} ms · ${s.destinations.length === ALL.length ? 'all three' : s.destinations[0]!}${s.table === 'azurite' ? ' (Azurite)' : ''}`,
      value: s.packetsPerSecond,
      unit: `/s · ${Math.round(s.ofCeiling * 100)}%`,
    })),
    ceilings.all,
  );
  writeFileSync(path.join(dir, 'latency.svg'), chart);
  process.stdout.write(`${markdown(result)}\nwrote ${file}, latency.md and latency.svg\n`);
}

void main().catch((caught: unknown) => {
  process.stderr.write(`${caught instanceof Error ? (caught.stack ?? caught.message) : String(caught)}\n`);
  process.exit(1);
});
