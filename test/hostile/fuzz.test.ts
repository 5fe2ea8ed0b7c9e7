/**
 * A time-bounded, seeded fuzz run: real captures (from ../shared/captures/public, when present)
 * and generated fixtures, damaged in random ways, through `runBatch`, `ingestEvents`, the stream
 * reader `tracectl inspect` uses, and `tracectl inspect` itself. Asserted: no exception escapes,
 * every run settles within a bound, and RSS stays bounded. A failure names its seed; replay it
 * with `FUZZ_SEED=<seed> npx jest test/hostile/fuzz.test.ts`. `FUZZ_MS` widens the time budget.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { readCaptureStream } from '../../shared/capture/readCapture';
import { COMMANDS } from '../../shared/cli/commands';
import { runCli } from '../../shared/cli/run';
import { MemoryIdentityStore } from '../../shared/enrich/memoryIdentityStore';
import { demoBatches, DEMO_CLUSTER } from '../../shared/local/demo/demoCluster';
import { createPartitionState } from '../../shared/pipeline/partitionState';
import { runBatch } from '../../shared/pipeline/runBatch';
import { TRACE_BATCH_SCHEMA } from '../../shared/pipeline/traceEvent';
import { permissiveMatcher } from '../pipeline/support/pipelineFixtures';
import { corrupt, seededRandom, syntheticCapture } from '../support/hostileInputs';
import { describeWithSharedData, sharedPath } from '../support/sharedData';
import { ingestHarness } from './support/ingestHarness';

const BUDGET_MS = Number(process.env.FUZZ_MS ?? 4000);
const BASE_SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000_007);
const SETTLE_MS = 5000;
/** Runs done whatever the clock says, so a slow machine still fuzzes every target. */
const MIN_RUNS = 12;
/** Growth of the resident set over the run's start that counts as unbounded. */
const MAX_RSS_GROWTH_BYTES = 768 * 1024 * 1024;

type Mutation = (bytes: Uint8Array, random: () => number) => Uint8Array;

const MUTATIONS: readonly [string, Mutation][] = [
  ['flip bytes', (bytes, random) => corrupt(bytes, random, 1 + Math.floor(random() * 16), 0)],
  ['truncate', (bytes, random) => bytes.subarray(0, Math.floor(random() * bytes.length))],
  [
    'splice a random block',
    (bytes, random) => {
      const at = Math.floor(random() * bytes.length);
      const junk = Uint8Array.from({ length: Math.floor(random() * 256) }, () => Math.floor(random() * 256));
      return Buffer.concat([bytes.subarray(0, at), junk, bytes.subarray(at)]);
    },
  ],
  [
    'absurd length field',
    (bytes, random) => {
      const out = Uint8Array.from(bytes);
      const at = 4 * Math.floor((random() * Math.max(0, out.length - 4)) / 4);
      new DataView(out.buffer).setUint32(at, 0xffffff00 - Math.floor(random() * 256), random() < 0.5);
      return out;
    },
  ],
  [
    'gzip, then damage',
    (bytes, random) => corrupt(gzipSync(bytes), random, 1 + Math.floor(random() * 8), 10),
  ],
  [
    'gzip, then truncate',
    (bytes, random) => {
      const gz = gzipSync(bytes);
      return gz.subarray(0, Math.floor(random() * gz.length));
    },
  ],
];

async function settles<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${what} did not settle within ${SETTLE_MS} ms`)),
          SETTLE_MS,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Chunks of 64 KiB, as `fs.createReadStream` hands them over. */
function chunked(bytes: Uint8Array): Readable {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += 64 * 1024) chunks.push(bytes.subarray(i, i + 64 * 1024));
  return Readable.from(chunks);
}

interface FuzzOutcome {
  runs: number;
  byTarget: Record<string, number>;
  maxRssGrowth: number;
}

/** Runs mutated `inputs` through every target until the budget is spent; throws naming the seed. */
async function fuzz(inputs: readonly [string, Uint8Array][], budgetMs: number): Promise<FuzzOutcome> {
  const matcher = permissiveMatcher();
  const identities = await new MemoryIdentityStore().lookupFor(DEMO_CLUSTER);
  const harness = await ingestHarness();
  const scratch = mkdtempSync(join(tmpdir(), 'fuzz-'));
  const outcome: FuzzOutcome = { runs: 0, byTarget: {}, maxRssGrowth: 0 };
  const count = (target: string) => (outcome.byTarget[target] = (outcome.byTarget[target] ?? 0) + 1);
  const baseline = process.memoryUsage().rss;
  const deadline = Date.now() + budgetMs;
  try {
    for (let i = 0; i < MIN_RUNS || Date.now() < deadline; i++) {
      const seed = BASE_SEED + i;
      const random = seededRandom(seed);
      const [name, original] = inputs[Math.floor(random() * inputs.length)]!;
      const [mutationName, mutate] = MUTATIONS[Math.floor(random() * MUTATIONS.length)]!;
      const what = `${name} (${mutationName}), seed ${seed}; replay with FUZZ_SEED=${seed}`;
      try {
        const bytes = mutate(original, random);
        runBatch(
          { cluster: DEMO_CLUSTER, node: 'n1', capture: bytes },
          { matcher, identities, state: createPartitionState() },
        );
        count('runBatch');
        if (i % 3 === 0) {
          await settles(
            harness.run([
              {
                body: Buffer.from(bytes),
                properties: { 'trace-schema': TRACE_BATCH_SCHEMA, cluster: DEMO_CLUSTER, node: 'n1' },
              },
            ]),
            what,
          );
          count('ingestEvents');
        }
        if (i % 3 === 1) {
          await settles(
            (async () => {
              for await (const event of readCaptureStream(chunked(bytes))) void event;
            })(),
            what,
          );
          count('readCaptureStream');
        }
        if (i % 25 === 2) {
          const file = join(scratch, `fuzz-${seed}.pcap.gz`);
          writeFileSync(file, bytes);
          const code = await settles(
            runCli(['inspect', file, '-o', 'ndjson'], COMMANDS, {
              stdout: () => undefined,
              stderr: () => undefined,
              env: {},
              cwd: scratch,
            }),
            what,
          );
          expect([0, 2]).toContain(code);
          count('tracectl inspect');
        }
      } catch (caught) {
        throw new Error(`fuzz failure on ${what}: ${(caught as Error).stack ?? String(caught)}`);
      }
      outcome.runs += 1;
      outcome.maxRssGrowth = Math.max(outcome.maxRssGrowth, process.memoryUsage().rss - baseline);
      if (outcome.maxRssGrowth > MAX_RSS_GROWTH_BYTES)
        throw new Error(`RSS grew by ${outcome.maxRssGrowth} bytes by ${what}`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return outcome;
}

function report(label: string, outcome: FuzzOutcome): void {
  // One line per run, for docs/security.md's table; the seed replays it exactly.
  process.stderr.write(
    `${label}: ${outcome.runs} runs from FUZZ_SEED=${BASE_SEED} ${JSON.stringify(outcome.byTarget)}, max RSS growth ${Math.round(outcome.maxRssGrowth / 1048576)} MiB\n`,
  );
}

describe('fuzz: generated fixtures', () => {
  it('survives every mutation through runBatch, ingestEvents, the stream reader and tracectl inspect', async () => {
    const inputs: [string, Uint8Array][] = [
      ...demoBatches(Date.UTC(2026, 0, 1)).map((batch, i): [string, Uint8Array] => [
        `demo batch ${i}`,
        batch.capture,
      ]),
      ['synthetic pcap', syntheticCapture(300, 7)],
    ];
    const outcome = await fuzz(inputs, BUDGET_MS / 2);
    report('generated fixtures', outcome);
    expect(outcome.runs).toBeGreaterThanOrEqual(MIN_RUNS);
  }, 60_000);
});

describeWithSharedData('captures/public', 'fuzz: real captures', () => {
  it('survives every mutation of the public captures', async () => {
    const dir = sharedPath('captures', 'public');
    const inputs = readdirSync(dir)
      .filter((file) => /\.(pcap|pcapng|cap)(\.gz)?$/.test(file))
      .map((file): [string, Uint8Array] => [file, readFileSync(join(dir, file))]);
    expect(inputs.length).toBeGreaterThan(0);
    const outcome = await fuzz(inputs, BUDGET_MS / 2);
    report('real captures', outcome);
    expect(outcome.runs).toBeGreaterThanOrEqual(MIN_RUNS);
  }, 60_000);
});
