/**
 * The fault-injection suite (docs/reliability.md): each scenario runs the whole local system with a
 * TCP fault proxy in front of every destination and of the dead-letter store, publishes the same
 * demo traffic, injects its faults, lets the consumer finish, replays the dead letters as
 * `tracectl deadletter replay` does, and counts by RecordId per destination. Goal in every
 * scenario: 0 lost, 0 degraded, duplicates only where the destination cannot de-duplicate, no
 * invocation over 50% of functionTimeout.
 *
 * `npm test` runs a representative subset; `npm run test:faults` runs every scenario and writes the
 * table into docs/reliability.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { PublishableEvent } from '../../shared/agent/publishEvents';
import { DEMO_CLUSTER, demoBatches } from '../../shared/local/demo/demoCluster';
import { TRACE_BATCH_SCHEMA } from '../../shared/pipeline/traceEvent';
import { gunzipSync } from 'node:zlib';
import { splitBatch } from '../pipeline/support/pipelineFixtures';
import {
  countRow,
  deadLettered,
  demoEvents,
  DESTINATIONS,
  expectedRecords,
  formatTable,
  FUNCTION_TIMEOUT_MS,
  heldByDestination,
  replayAll,
  startConsumerProcess,
  startFaultRig,
  type FaultRig,
  type ReliabilityRow,
} from './support/faultRig';

const FULL = process.env.npm_lifecycle_event === 'test:faults' || process.env.FAULT_SUITE === 'full';
const START = Date.UTC(2026, 10, 25, 10, 0, 0);
const MINUTES = 4;
const PACING_MS = 100;

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const traceProperties = (node: string) => ({
  'trace-schema': TRACE_BATCH_SCHEMA,
  cluster: DEMO_CLUSTER,
  node,
});

/** Events no pipeline can use, each for a different reason; none may block or lose the others. */
function poisonEvents(): PublishableEvent[] {
  const good = demoBatches(START)[0]!.capture;
  return [
    { body: Buffer.from('no schema'), properties: {} },
    {
      body: gzipSync(Buffer.alloc(80 * 1024 * 1024)),
      properties: { ...traceProperties('bomb'), 'content-encoding': 'gzip' },
    },
    // A section header only, cut in its middle: nothing readable at all.
    { body: Buffer.from(good.subarray(0, 20)), properties: traceProperties('truncated') },
    {
      body: Buffer.from([0x0a, 0x0d, 0x0d, 0x0a, 0xff, 0xff, 0xff, 0x7f, 0x4d, 0x3c, 0x2b, 0x1a]),
      properties: traceProperties('absurd-length'),
    },
  ];
}

/** Events that are not the first third of a batch (see {@link inThirds}). */
const laterThirds = new WeakSet<PublishableEvent>();

/**
 * Each trace batch cut into three events, so TCP streams and layer-7 messages straddle events: a
 * redelivered later third then meets layer-7 state that has moved on and yields bare records.
 */
function inThirds(events: PublishableEvent[]): PublishableEvent[] {
  return events.flatMap((event) => {
    if (event.properties['trace-schema'] !== TRACE_BATCH_SCHEMA) return [event];
    const capture = gunzipSync(event.body);
    const packets = demoBatches(START).find((b) => b.node === event.properties.node)?.packets ?? 0;
    const third = Math.max(1, Math.floor(packets / 3));
    return splitBatch(capture, [third, 2 * third]).map((part, index) => {
      const split = { body: gzipSync(part), properties: event.properties };
      if (index > 0) laterThirds.add(split);
      return split;
    });
  });
}

interface Scenario {
  name: string;
  /** Part of the subset `npm test` runs. */
  fast: boolean;
  /** The traffic (default: the demo events); expected records are computed from it. */
  traffic?: (events: PublishableEvent[]) => PublishableEvent[];
  /** Input as published (default: the demo events). */
  input?: (events: PublishableEvent[]) => PublishableEvent[];
  /** Input events expected in the dead-letter store, by code. */
  poison?: number;
  /** Consumes with consumer processes (the scenario starts them) instead of the in-process consumer. */
  consumerProcess?: boolean;
  /** Pause between published events, in ms. Default 100. */
  pacingMs?: number;
  /**
   * Publishes (via `publish`) while injecting the scenario's faults; faults are cleared after.
   * A scenario that consumes with processes waits for them and returns what they measured.
   */
  run(rig: FaultRig, publish: () => Promise<void>, events: number): Promise<void | ConsumerMeasure>;
}

/** What the consumer processes of a scenario measured. */
interface ConsumerMeasure {
  slowestInvocationMs: number;
  abandonedEvents: number;
}

const SCENARIOS: Scenario[] = [
  { name: 'clean run', fast: false, run: async (_rig, publish) => publish() },
  {
    name: 'Log Analytics refusing connections for 3 s',
    fast: false,
    async run(rig, publish) {
      await rig.proxies.loganalytics.setMode('refuse');
      await Promise.all([publish(), wait(3000)]);
    },
  },
  {
    name: 'OpenTelemetry accepting and never answering for 6 s',
    fast: true,
    async run(rig, publish) {
      await rig.proxies.opentelemetry.setMode('blackhole');
      await Promise.all([publish(), wait(6000)]);
    },
  },
  {
    name: 'Log Analytics 429 storm with Retry-After: 40 for 3 s',
    fast: false,
    async run(rig, publish) {
      rig.system.logsIngestion.faults.setStanding({ kind: 'status', status: 429, retryAfterSeconds: 40 });
      await Promise.all([publish(), wait(3000)]);
    },
  },
  {
    name: 'OpenTelemetry 503 burst + Azure Table connection resets for 2 s',
    fast: false,
    async run(rig, publish) {
      rig.system.otlp.faults.setStanding({ kind: 'status', status: 503 });
      await rig.proxies.azuretable.setMode('reset');
      await Promise.all([publish(), wait(2000)]);
    },
  },
  {
    name: 'dead-letter store down with Log Analytics for 3 s',
    fast: true,
    async run(rig, publish) {
      await rig.proxies.loganalytics.setMode('refuse');
      await rig.proxies.deadletter.setMode('refuse');
      await Promise.all([publish(), wait(3000)]);
    },
  },
  {
    name: 'consumer process killed (SIGKILL) mid-stream and restarted',
    fast: false,
    consumerProcess: true,
    pacingMs: 400,
    async run(rig, publish, events) {
      const first = startConsumerProcess(rig);
      await first.started;
      const publishing = publish();
      // Killed while it works: after its first checkpoints, with most of the stream still to come.
      await first.checkpointed(1, 30_000);
      await first.kill('SIGKILL');
      const second = startConsumerProcess(rig);
      await publishing;
      await second.checkpointed(events - 1, 60_000);
      await second.kill('SIGTERM');
      const outcomes = [...first.outcomes, ...second.outcomes];
      expect(first.outcomes.length).toBeGreaterThan(0);
      expect(second.outcomes.some((o) => o.result === 'ok')).toBe(true);
      return {
        slowestInvocationMs: Math.max(0, ...outcomes.map((o) => o.elapsedMs)),
        abandonedEvents: outcomes.filter((o) => o.result === 'abandoned').reduce((n, o) => n + o.events, 0),
      };
    },
  },
  {
    name: 'same events delivered twice',
    fast: false,
    input: (events) => [...events, ...events],
    run: async (_rig, publish) => publish(),
  },
  {
    name: 'events delivered again after layer-7 state moved on',
    fast: true,
    traffic: inThirds,
    // Everything, then again every event that starts mid-stream (as after a partition move).
    input: (events) => [...events, ...events.filter((event) => laterThirds.has(event))],
    run: async (_rig, publish) => publish(),
  },
  {
    name: 'poison events mixed with good ones',
    fast: true,
    input: (events) => {
      const poison = poisonEvents();
      return events.flatMap((event, i) =>
        i % 2 === 1 && poison.length > 0 ? [poison.shift()!, event] : [event],
      );
    },
    poison: 4,
    run: async (_rig, publish) => publish(),
  },
];

const rows: ReliabilityRow[] = [];

describe(`fault-injection suite (${FULL ? 'every scenario' : 'the npm test subset; npm run test:faults runs all'})`, () => {
  afterAll(() => {
    if (rows.length === 0) return;
    const table = formatTable(rows);
    process.stdout.write(`\n${table}\n`);
    if (FULL && rows.length === SCENARIOS.length * DESTINATIONS.length) writeTable(table);
  });

  it.each(SCENARIOS.filter((s) => FULL || s.fast).map((s) => [s.name, s] as const))(
    '%s: 0 lost, 0 degraded, bounded invocations',
    async (name, scenario) => {
      const demo = demoEvents(MINUTES, START);
      const events = scenario.traffic?.(demo) ?? demo;
      const expected = await expectedRecords(events);
      const input = scenario.input?.(events) ?? events;
      const rig = await startFaultRig({ consumer: scenario.consumerProcess !== true });
      try {
        const measured = await scenario.run(
          rig,
          () => rig.publish(input, scenario.pacingMs ?? PACING_MS),
          input.length,
        );
        for (const proxy of Object.values(rig.proxies)) await proxy.setMode('pass');
        rig.system.logsIngestion.faults.clear();
        rig.system.otlp.faults.clear();
        if (measured === undefined) await rig.system.waitForEvents(input.length, 60_000);

        const before = await heldByDestination(rig);
        const dead = await deadLettered(rig);
        const replayed = await replayAll(rig);
        const after = await heldByDestination(rig);
        const slowest = measured?.slowestInvocationMs ?? rig.system.stats.slowestInvocationMs;
        const scenarioRows = DESTINATIONS.map((destination) =>
          countRow(
            name,
            destination,
            expected[destination],
            before[destination],
            after[destination],
            dead.records[destination],
            replayed[destination],
            slowest,
          ),
        );
        rows.push(...scenarioRows);

        for (const row of scenarioRows) {
          expect(row.expected).toBeGreaterThan(50);
          expect({
            destination: row.destination,
            lost: row.lost,
            degraded: row.degraded,
            unexpected: row.unexpected,
          }).toEqual({
            destination: row.destination,
            lost: 0,
            degraded: 0,
            unexpected: 0,
          });
        }
        // Azure Table de-duplicates by RecordId whatever happened.
        expect(scenarioRows.find((r) => r.destination === 'azuretable')?.duplicated).toBe(0);
        expect(slowest).toBeLessThan(FUNCTION_TIMEOUT_MS / 2);
        expect(measured?.abandonedEvents ?? rig.system.stats.abandonedEvents).toBe(0);
        expect(dead.inputCodes.size).toBe(scenario.poison ?? 0);
        if (scenario.poison !== undefined)
          expect([...dead.inputCodes.values()].sort()).toEqual([
            'CAPTURE_UNREADABLE',
            'CAPTURE_UNREADABLE',
            'EVENT_INFLATED_TOO_LARGE',
            'EVENT_SCHEMA_MISSING',
          ]);
        if (name === 'clean run')
          for (const row of scenarioRows) expect([row.deadLettered, row.duplicated]).toEqual([0, 0]);
      } finally {
        if (process.env.FAULT_SUITE_LOG !== undefined)
          writeFileSync(
            `${process.env.FAULT_SUITE_LOG}-${name.replace(/\W+/g, '-')}.log`,
            rig.log.join('\n'),
          );
        await rig.stop();
      }
    },
    120_000,
  );
});

const DOC = path.join(__dirname, '..', '..', 'docs', 'reliability.md');
const BEGIN = '<!-- fault-suite:begin -->';
const END = '<!-- fault-suite:end -->';

/** Replaces the measured table in docs/reliability.md. */
function writeTable(table: string): void {
  const text = readFileSync(DOC, 'utf8');
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${DOC}: the ${BEGIN} … ${END} markers are missing`);
  const stamp = `Measured by \`npm run test:faults\` on ${new Date().toISOString().slice(0, 10)} (functionTimeout ${FUNCTION_TIMEOUT_MS / 1000} s in the test host; slowest invocation is per scenario).`;
  writeFileSync(DOC, `${text.slice(0, start + BEGIN.length)}\n${stamp}\n\n${table}\n${text.slice(end)}`);
}
