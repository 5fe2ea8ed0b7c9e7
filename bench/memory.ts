/**
 * `npm run bench:memory`: peak RSS of one `ingestTraces` invocation (the real handler, a catch-all
 * AllPackets + layer 7 configuration to a stdout sink whose writer discards, a dead-letter store
 * that keeps nothing), each scenario in a fresh Node process so no scenario inherits another's heap:
 *
 * - 16 gzip bombs, each inflating to 4× the per-event budget (`EVENT_INFLATED_TOO_LARGE`);
 * - 16 bombs the size the issue reported (~64 KB compressed, 64 MiB of zeros each, just under the
 *   per-event budget: they are inflated, fail as captures, and the invocation budget stops them);
 * - 16 realistic trace batches of ~1 MB compressed gzip pcapng each;
 * - a baseline: the same process and setup, nothing ingested.
 *
 * Peak RSS is the kernel's high-water mark (`process.resourceUsage().maxRSS`) and, as a cross-check,
 * the largest `process.memoryUsage.rss()` seen by a worker thread sampling every millisecond (the
 * main thread is busy inside synchronous inflation exactly when RSS peaks). Prints a table and
 * writes bench/results/memory.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { InvocationContext } from '@azure/functions';
import { createIngestTracesHandler } from '../functions/ingestTraces';
import { MemoryIdentityStore } from '../shared/enrich/memoryIdentityStore';
import { hostEventBatch } from '../shared/local/hostEventBatch';
import { compileConfigurations, type ConfigurationMatcher } from '../shared/match/configurationMatcher';
import { ConfigurationCache } from '../shared/pipeline/configurationCache';
import { MAX_INFLATED_BYTES_PER_INVOCATION, type IngestSummary } from '../shared/pipeline/ingestEvents';
import { createPartitionState, type PartitionState } from '../shared/pipeline/partitionState';
import { permissiveSpec } from '../shared/pipeline/permissiveConfiguration';
import { MAX_INFLATED_BYTES, TRACE_BATCH_SCHEMA } from '../shared/pipeline/traceEvent';
import { createSink } from '../shared/sinks/createSink';
import type { DeadLetterWriter } from '../shared/sinks/send/deadLetter';
import { MemoryConfigurationStore } from '../shared/store/memoryConfigurationStore';
import { TraceBatchPacker, type TraceBatchEvent } from '../shared/agent/traceBatchPacker';
import type { CapturePacket } from '../shared/capture/capturePacket';
import { distinctFlowCopies, sourcePackets } from './support/benchInput';
import { writeBenchResult } from './support/benchReport';

const EVENTS = 16;
const MIB = 1024 * 1024;
const SCENARIOS = ['baseline', 'bombs', 'issueBombs', 'normal'] as const;
type ScenarioName = (typeof SCENARIOS)[number];

const LABELS: Record<ScenarioName, string> = {
  baseline: 'baseline (nothing ingested)',
  bombs: `16 bombs × ${(4 * MAX_INFLATED_BYTES) / MIB} MiB zeros`,
  issueBombs: `16 bombs × ${MAX_INFLATED_BYTES / MIB} MiB zeros (issue)`,
  normal: '16 × ~1 MB gzip pcapng',
};

/** What a child process reports. */
interface ChildResult {
  scenario: ScenarioName;
  events: number;
  compressedBytes: number;
  /** RSS after setup and loading the bodies, just before the invocation. */
  rssBeforeMiB: number;
  /** Kernel high-water mark of the whole process life (`resourceUsage().maxRSS`). */
  maxRssMiB: number;
  /** Largest RSS the sampling thread saw. */
  sampledPeakRssMiB: number;
  samples: number;
  wallMs: number;
  summary?: Pick<
    IngestSummary,
    'traceBatches' | 'rejectedEvents' | 'unreadableEvents' | 'packets' | 'records'
  > & {
    deadLetterCodes: Record<string, number>;
  };
}

const mib = (bytes: number): number => Number((bytes / MIB).toFixed(1));

/** A gzip body of `bytes` zeros (built here in the parent, so the child holds only the ~KiB body). */
function gzipZeros(bytes: number): Buffer {
  return gzipSync(Buffer.alloc(bytes), { level: 9 });
}

// ---------------------------------------------------------------------------------------------
// Child: one scenario, one invocation.

async function child(scenario: ScenarioName, inputDir: string): Promise<void> {
  const shared = new SharedArrayBuffer(16);
  const cells = new BigInt64Array(shared);
  const sampler = new Worker(
    `const { workerData } = require('node:worker_threads');
     const cells = new BigInt64Array(workerData);
     const tick = () => {
       const rss = BigInt(process.memoryUsage.rss());
       if (rss > Atomics.load(cells, 0)) Atomics.store(cells, 0, rss);
       Atomics.add(cells, 1, 1n);
     };
     setInterval(tick, 1);`,
    { eval: true, workerData: shared },
  );
  // Wait for the sampler's first samples, so even the baseline has a sampled figure.
  while (Atomics.load(cells, 1) < 5n) await new Promise((resolve) => setTimeout(resolve, 5));

  const files = readdirSync(inputDir)
    .filter((f) => f.endsWith('.bin'))
    .sort();
  const bodies = files.map((f) => readFileSync(path.join(inputDir, f)));
  const properties = JSON.parse(readFileSync(path.join(inputDir, 'properties.json'), 'utf8')) as Record<
    string,
    unknown
  >[];

  const store = new MemoryConfigurationStore();
  await store.put({
    namespace: 'bench',
    name: 'everything',
    generation: 1,
    manifest: {},
    spec: { ...permissiveSpec(), output: { destination: 'stdout', connection: 'TRACES_STDOUT' } },
    status: { state: 'Accepted', reason: '' },
    updatedAt: '',
  });
  const configurations = new ConfigurationCache<ConfigurationMatcher>({
    store,
    refreshIntervalInMs: 3_600_000,
    compile: (stored) =>
      compileConfigurations(
        stored.flatMap((c) =>
          c.spec === undefined ? [] : [{ key: `${c.namespace}/${c.name}`, spec: c.spec }],
        ),
      ),
  });
  const sink = createSink(
    { destination: 'stdout', name: 'TRACES_STDOUT' },
    { stdoutWriter: () => Promise.resolve() },
  );
  const deadLetterCodes: Record<string, number> = {};
  const deadLetter: DeadLetterWriter = {
    write: (batch) => {
      for (const entry of batch.entries) deadLetterCodes[entry.code] = (deadLetterCodes[entry.code] ?? 0) + 1;
      return Promise.resolve('bench');
    },
  };
  const partitions = new Map<string, PartitionState>();
  const handler = createIngestTracesHandler(() => ({
    configurations,
    identities: new MemoryIdentityStore(),
    partitionState: (id) => partitions.get(id) ?? partitions.set(id, createPartitionState()).get(id)!,
    sinkFor: () => sink,
    deadLetter,
  }));
  const invocation = hostEventBatch(
    bodies.map((body, i) => ({
      body,
      properties: properties[i] ?? {},
      offset: String(i),
      sequenceNumber: i,
      enqueuedTimeUtc: new Date(),
      partitionKey: 'bench-node',
      systemProperties: {},
      getRawAmqpMessage: () => ({ body }),
    })),
    {
      fullyQualifiedNamespace: 'bench',
      eventHubName: 'retina-traces',
      consumerGroup: '$Default',
      partitionId: '0',
    },
  );
  // Warm the configuration generation so the invocation measures ingestion, not compilation.
  await configurations.forCluster('bench');

  const rssBefore = process.memoryUsage.rss();
  const started = process.hrtime.bigint();
  let summary: IngestSummary | undefined;
  if (scenario !== 'baseline') {
    const context = new InvocationContext({
      triggerMetadata: invocation.triggerMetadata,
      logHandler: () => undefined,
    });
    summary = await handler(invocation.messages, context);
  }
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  await new Promise((resolve) => setTimeout(resolve, 20));
  await sampler.terminate();

  const result: ChildResult = {
    scenario,
    events: bodies.length,
    compressedBytes: bodies.reduce((sum, b) => sum + b.length, 0),
    rssBeforeMiB: mib(rssBefore),
    maxRssMiB: mib(process.resourceUsage().maxRSS * 1024),
    sampledPeakRssMiB: mib(Number(Atomics.load(cells, 0))),
    samples: Number(Atomics.load(cells, 1)),
    wallMs: Math.round(wallMs),
    ...(summary === undefined
      ? {}
      : {
          summary: {
            traceBatches: summary.traceBatches,
            rejectedEvents: summary.rejectedEvents,
            unreadableEvents: summary.unreadableEvents ?? 0,
            packets: summary.packets,
            records: summary.records,
            deadLetterCodes,
          },
        }),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

// ---------------------------------------------------------------------------------------------
// Parent: build the inputs, run each scenario in its own process, report.

function writeInputs(
  directory: string,
  bodies: readonly Uint8Array[],
  properties: readonly Record<string, unknown>[],
): void {
  bodies.forEach((body, i) => writeFileSync(path.join(directory, `${String(i).padStart(3, '0')}.bin`), body));
  writeFileSync(path.join(directory, 'properties.json'), JSON.stringify(properties));
}

const gzipProperties = (node: string): Record<string, unknown> => ({
  'trace-schema': TRACE_BATCH_SCHEMA,
  cluster: 'bench',
  node,
  'content-encoding': 'gzip',
});

/** One trace-batch event of exactly `packets`, packed by the agent's packer. */
function packOne(packets: readonly CapturePacket[]): TraceBatchEvent {
  const packer = new TraceBatchPacker({
    cluster: 'bench',
    node: 'bench-node',
    defaultTracePoint: 'PodToNode',
    maxEventBytes: Number.MAX_SAFE_INTEGER,
    targetRawBytes: Number.MAX_SAFE_INTEGER,
  });
  for (const packet of packets) packer.add(packet);
  return packer.flush()[0]!;
}

/**
 * Sixteen trace batches of just under 1 MB gzip pcapng, packed by the agent's packer from the
 * bench's source packets (copies with distinct flows). The captures compress anywhere from 1:1
 * (TLS) to 20:1, so each batch grows in steps of an eighth until one more step would pass 1 MB.
 */
function normalEvents(): { bodies: Uint8Array[]; properties: Record<string, unknown>[]; source: string } {
  const { packets, source } = sourcePackets();
  const events: TraceBatchEvent[] = [];
  let start = 0;
  const input = distinctFlowCopies(packets, 8);
  while (events.length < EVENTS && start < input.length) {
    let best: { event: TraceBatchEvent; end: number } | undefined;
    let end = start;
    let raw = 0;
    while (end < input.length) {
      const stepBytes = Math.max(128 * 1024, raw / 8);
      let stepped = 0;
      while (end < input.length && stepped < stepBytes) stepped += input[end++]!.data.length;
      raw += stepped;
      const event = packOne(input.slice(start, end));
      if (event.body.length > 1_000_000) break;
      best = { event, end };
    }
    if (best === undefined) throw new Error(`a packet near frame ${start} does not fit a 1 MB event`);
    events.push(best.event);
    start = best.end;
  }
  if (events.length < EVENTS) throw new Error(`only ${events.length} batches from ${source}`);
  return { bodies: events.map((e) => e.body), properties: events.map((e) => e.properties), source };
}

async function parent(): Promise<void> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'bench-memory-'));
  try {
    const bomb = gzipZeros(4 * MAX_INFLATED_BYTES);
    const issueBomb = gzipZeros(MAX_INFLATED_BYTES);
    const normal = normalEvents();
    const inputs: Record<ScenarioName, { bodies: Uint8Array[]; properties: Record<string, unknown>[] }> = {
      baseline: { bodies: [], properties: [] },
      bombs: {
        bodies: Array.from({ length: EVENTS }, () => bomb),
        properties: Array.from({ length: EVENTS }, (_, i) => gzipProperties(`bomb-${i}`)),
      },
      issueBombs: {
        bodies: Array.from({ length: EVENTS }, () => issueBomb),
        properties: Array.from({ length: EVENTS }, (_, i) => gzipProperties(`bomb-${i}`)),
      },
      normal,
    };
    process.stdout.write(
      `input: bombs ${(bomb.length / 1024).toFixed(0)} KiB → ${(4 * MAX_INFLATED_BYTES) / MIB} MiB; issue-sized bombs ${(issueBomb.length / 1024).toFixed(0)} KiB → ${MAX_INFLATED_BYTES / MIB} MiB; normal events ${Math.min(...normal.bodies.map((b) => b.length))}–${Math.max(...normal.bodies.map((b) => b.length))} bytes from ${normal.source}\n` +
        `budgets: ${MAX_INFLATED_BYTES / MIB} MiB per event, ${MAX_INFLATED_BYTES_PER_INVOCATION / MIB} MiB per invocation\n`,
    );
    const results: ChildResult[] = [];
    for (const scenario of SCENARIOS) {
      const directory = path.join(root, scenario);
      mkdirSync(directory);
      writeInputs(directory, inputs[scenario].bodies, inputs[scenario].properties);
      const output = execFileSync(process.execPath, [__filename, 'child', scenario, directory], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        maxBuffer: 64 * MIB,
      });
      const line = output.trim().split('\n').pop() ?? '';
      results.push(JSON.parse(line) as ChildResult);
    }
    const baseline = results.find((r) => r.scenario === 'baseline')!;
    const rows = results.map((r) => ({
      scenario: LABELS[r.scenario],
      input: `${r.events} events, ${(r.compressedBytes / MIB).toFixed(2)} MiB`,
      peak: r.maxRssMiB,
      sampled: r.sampledPeakRssMiB,
      overBaseline: Number((r.maxRssMiB - baseline.maxRssMiB).toFixed(1)),
      ms: r.wallMs,
      outcome:
        r.summary === undefined
          ? '-'
          : `${r.summary.traceBatches} processed, ${r.summary.packets} packets, ${r.summary.records} records; dead-lettered ${JSON.stringify(r.summary.deadLetterCodes)}`,
    }));
    const header = ['scenario', 'input', 'peak RSS MiB', 'sampled MiB', '+ baseline', 'ms', 'outcome'];
    const table = rows.map((r) => [
      r.scenario,
      r.input,
      String(r.peak),
      String(r.sampled),
      String(r.overBaseline),
      String(r.ms),
      r.outcome,
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
    const format = (cells: string[]) =>
      cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
    process.stdout.write(`${[format(header), ...table.map(format)].join('\n')}\n`);
    const file = writeBenchResult('memory', {
      budgets: { perEventBytes: MAX_INFLATED_BYTES, perInvocationBytes: MAX_INFLATED_BYTES_PER_INVOCATION },
      normalSource: normal.source,
      normalEventBytes: normal.bodies.map((b) => b.length),
      scenarios: results.map((r) => ({ label: LABELS[r.scenario], ...r })),
    });
    process.stdout.write(`wrote ${file}\n`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'child') {
  child(process.argv[3] as ScenarioName, process.argv[4]!).catch((caught: unknown) => {
    process.stderr.write(`${String(caught instanceof Error ? caught.stack : caught)}\n`);
    process.exit(1);
  });
} else {
  parent().catch((caught: unknown) => {
    process.stderr.write(`${String(caught instanceof Error ? caught.stack : caught)}\n`);
    process.exit(1);
  });
}
