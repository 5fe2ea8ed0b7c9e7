/**
 * Helpers shared by the benchmark scripts: timing, peak memory, JSON results under
 * `bench/results/`, and a small dependency-free SVG bar chart for the README.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './paths';

/** One measured series value. */
export interface BenchValue {
  label: string;
  value: number;
  unit: string;
}

/** Runs `body` `iterations` times after one warm-up run; returns the best wall time per run in ms. */
export function bestTimeMs(body: () => void, iterations = 5): number {
  body();
  let best = Infinity;
  for (let i = 0; i < iterations; i += 1) {
    const start = process.hrtime.bigint();
    body();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return best;
}

/** Async variant of {@link bestTimeMs}. */
export async function bestTimeMsAsync(body: () => Promise<void>, iterations = 5): Promise<number> {
  await body();
  let best = Infinity;
  for (let i = 0; i < iterations; i += 1) {
    const start = process.hrtime.bigint();
    await body();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return best;
}

/** Formats a rate like `2.41 M/s`. */
export function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k/s`;
  return `${perSecond.toFixed(0)} /s`;
}

/** Writes `bench/results/<name>.json` and returns its path. */
export function writeBenchResult(name: string, result: unknown): string {
  const directory = path.join(PROJECT_ROOT, 'bench', 'results');
  mkdirSync(directory, { recursive: true });
  const file = path.join(directory, `${name}.json`);
  writeFileSync(file, `${JSON.stringify({ name, node: process.version, date: new Date().toISOString(), ...(result as object) }, null, 2)}\n`);
  return file;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] ?? c);
}

/** A horizontal bar chart as SVG text; `target` draws a dashed line at that value. */
export function barChartSvg(title: string, values: readonly BenchValue[], target?: number): string {
  const width = 640;
  const barHeight = 26;
  const left = 220;
  const top = 40;
  const height = top + values.length * (barHeight + 10) + 30;
  const max = Math.max(target ?? 0, ...values.map((v) => v.value), 1);
  const scale = (width - left - 90) / max;
  const bars = values
    .map((v, i) => {
      const y = top + i * (barHeight + 10);
      const w = Math.max(1, v.value * scale);
      return [
        `<text x="${left - 8}" y="${y + 18}" text-anchor="end" font-size="13">${escapeXml(v.label)}</text>`,
        `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" fill="#2f6fb0"/>`,
        `<text x="${(left + w + 6).toFixed(1)}" y="${y + 18}" font-size="12">${escapeXml(formatRate(v.value).replace('/s', v.unit))}</text>`,
      ].join('');
    })
    .join('\n');
  const targetLine =
    target === undefined
      ? ''
      : `<line x1="${left + target * scale}" y1="${top - 6}" x2="${left + target * scale}" y2="${height - 24}" stroke="#c0392b" stroke-dasharray="4 3"/>` +
        `<text x="${left + target * scale}" y="${height - 8}" text-anchor="middle" font-size="11" fill="#c0392b">target</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>
${bars}
${targetLine}
</svg>
`;
}
