/**
 * A time-bounded, seeded fuzz run over manifests: the project's samples, damaged line by line the
 * way hand-edited YAML goes wrong (lines dropped or repeated, values replaced by YAML oddities:
 * aliases without anchors, merge keys, tags, collection keys, flow fragments, stray characters),
 * through `parseTraceConfigurations`, `tracectl validate -o json` and a `PUT` of the configuration
 * API. Asserted: nothing throws; validate answers every file with a JSON array and exit 0 or 1
 * (never the exit 2 of an unreadable input), one result per document it holds; the API answers
 * 2xx or 4xx; no process warning is printed. A failure names its seed; replay it with
 * `FUZZ_SEED=<seed> npx jest test/hostile/manifestFuzz.test.ts`.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handleConfigurationRequest } from '../../shared/api/configurationApi';
import { traceConfigurationValidator } from '../../shared/app/traceConfigurationValidator';
import { COMMANDS } from '../../shared/cli/commands';
import { runCli } from '../../shared/cli/run';
import { parseTraceConfigurations } from '../../shared/config/parseManifests';
import { MemoryConfigurationStore } from '../../shared/store/memoryConfigurationStore';
import { seededRandom } from '../support/hostileInputs';

const BUDGET_MS = Number(process.env.FUZZ_MS ?? 3000);
const BASE_SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000_007);
/** Runs done whatever the clock says, so a slow machine still fuzzes every sample. */
const MIN_RUNS = 40;
const ROOT = join(__dirname, '..', '..');

/** What hand-written YAML holds when it goes wrong, put where a value or a line was. */
const ODDITIES = [
  '{}',
  '[]',
  'null',
  '~',
  '-1',
  '1e309',
  '0x10',
  '!!binary AAAA',
  '&a x',
  '*a',
  '*missing',
  '<<: *a',
  '? [a]',
  '? {b: 1}',
  '"\\u0000"',
  '\t',
  '---',
  '...',
  '%YAML 1.2',
  '!!str',
  '!!set {a}',
  '!!omap [a: 1]',
  '!!float .nan',
  '{a: [}',
  '- - -',
  ':',
  '#',
  "''",
  '__proto__: {polluted: 1}',
  'port: "99999"',
  'cidr: 10.0.0.0/33',
  'captureLevel: Every',
  'matchLabels: {a: [1]}',
];

function sampleFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((entry) => {
    const full = join(directory, entry);
    if (statSync(full).isDirectory()) return sampleFiles(full);
    return /\.ya?ml$/.test(entry) ? [full] : [];
  });
}

/** `text` with 1–3 line-level edits chosen by `random`. */
function damage(text: string, random: () => number): string {
  const lines = text.split('\n');
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  for (let edits = 1 + Math.floor(random() * 3); edits > 0; edits--) {
    const at = Math.floor(random() * lines.length);
    const line = lines[at] ?? '';
    const kind = random();
    if (kind < 0.25) lines.splice(at, 1);
    else if (kind < 0.45) lines.splice(at, 0, pick(lines));
    else if (kind < 0.8) {
      const colon = line.indexOf(':');
      lines[at] = colon >= 0 ? `${line.slice(0, colon + 1)} ${pick(ODDITIES)}` : pick(ODDITIES);
    } else {
      const position = Math.floor(random() * (line.length + 1));
      lines[at] =
        line.slice(0, position) + String.fromCharCode(Math.floor(random() * 128)) + line.slice(position);
    }
  }
  return lines.join('\n');
}

describe('manifest fuzz (seeded, time-bounded)', () => {
  let scratch: string;
  const warnings: string[] = [];
  const onWarning = (warning: Error): void => {
    warnings.push(warning.message);
  };
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'manifest-fuzz-'));
    process.on('warning', onWarning);
  });
  afterAll(() => {
    process.off('warning', onWarning);
    rmSync(scratch, { recursive: true, force: true });
  });

  it('damaged samples: every document answered, no throw, no 5xx, no process warning', async () => {
    const samples = sampleFiles(join(ROOT, 'samples')).map((file) => readFileSync(file, 'utf8'));
    expect(samples.length).toBeGreaterThan(5);
    const store = new MemoryConfigurationStore();
    const started = Date.now();
    let runs = 0;
    for (; runs < MIN_RUNS || Date.now() - started < BUDGET_MS; runs++) {
      const seed = BASE_SEED + runs;
      const random = seededRandom(seed);
      const text = damage(samples[runs % samples.length]!, random);
      const context = `seed ${seed} (FUZZ_SEED=${BASE_SEED}, run ${runs}):\n${text}`;

      const results = parseTraceConfigurations(text, { fileName: 'fuzz.yaml' });
      for (const result of results)
        expect({ context, state: result.state }).toEqual({
          context,
          state: expect.stringMatching(/^(Accepted|Warning|Errored)$/),
        });

      const file = join(scratch, 'fuzz.yaml');
      writeFileSync(file, text);
      let stdout = '';
      let stderr = '';
      const code = await runCli(['validate', '-f', file, '-o', 'json'], COMMANDS, {
        stdout: (chunk) => (stdout += chunk),
        stderr: (chunk) => (stderr += chunk),
        env: {},
        cwd: scratch,
      });
      const answered = results.length === 0 ? 0 : (JSON.parse(stdout) as unknown[]).length;
      expect({ context, code, stderr, answered }).toEqual({
        context,
        code: results.some((r) => r.state === 'Errored') ? 1 : 0,
        stderr: results.length === 0 ? expect.any(String) : '',
        answered: results.length,
      });

      const response = await handleConfigurationRequest(
        {
          method: 'PUT',
          params: { namespace: 'fuzz', name: `n${runs % 4}` },
          query: new URLSearchParams(),
          headers: new Headers({ 'content-type': 'application/yaml' }),
          text: () => Promise.resolve(text),
        },
        { store, validator: traceConfigurationValidator, maxRequestBodyBytes: 1024 * 1024 },
      );
      expect({ context, status: response.status < 500 }).toEqual({ context, status: true });
    }
    expect(runs).toBeGreaterThanOrEqual(MIN_RUNS);
    expect(warnings).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, 60_000);
});
