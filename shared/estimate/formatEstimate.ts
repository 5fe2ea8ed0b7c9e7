/** Renders estimate lines with their projections as an aligned text table or JSON. */
import type { EstimateLine } from './runEstimate';
import type { CostProjection } from './projectCost';
import { PRICES_READ_ON } from './prices';

/** A line with its projection. */
export interface ProjectedLine extends EstimateLine {
  projection: CostProjection;
}

const usd = (n: number | undefined): string =>
  n === undefined ? 'n/a' : `$${n < 10 ? n.toFixed(2) : n.toFixed(0)}`;
const num = (n: number, digits: number): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The text table (one row per configuration, level and destination). */
export function formatEstimateTable(lines: readonly ProjectedLine[], packetsPerDay: number): string {
  const header = [
    'CONFIGURATION',
    'LEVEL',
    'DESTINATION',
    'STORE',
    'REC/PKT',
    'B/REC',
    'GB/DAY',
    'ANALYTICS/DAY',
    'BASIC/DAY',
    'AUXILIARY/DAY',
    'TABLE STORAGE/MONTH',
    'TABLE TX/DAY',
  ];
  const rows = lines.map((l) => {
    const p = l.projection;
    return [
      l.configuration,
      `${l.level}${l.configured ? ' *' : ''}`,
      l.destination,
      l.store,
      num(p.recordsPerPacket, 3),
      num(p.bytesPerRecord, 0),
      num(p.gbPerDay, 2),
      p.logCostPerDay === undefined ? '' : usd(p.logCostPerDay.Analytics),
      p.logCostPerDay === undefined ? '' : usd(p.logCostPerDay.Basic),
      p.logCostPerDay === undefined ? '' : usd(p.logCostPerDay.Auxiliary),
      p.tableStorageCostPerMonthPerDay === undefined ? '' : usd(p.tableStorageCostPerMonthPerDay),
      p.tableTransactionCostPerDay === undefined ? '' : usd(p.tableTransactionCostPerDay),
    ];
  });
  const table = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...table.map((r) => (r[i] ?? '').length)));
  const text = table
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
  return (
    `${text}\n\n` +
    `Projected at ${num(packetsPerDay, 0)} packets/day. * = the level the configuration asks for. ` +
    `GB = 10^9 bytes. TABLE STORAGE/MONTH: each day of records kept one month. ` +
    `Prices: USD list, pay-as-you-go, read ${PRICES_READ_ON} (docs/cost-estimate.md); n/a: the table does not support the plan.\n`
  );
}

/** The JSON document (`-o json`). */
export function formatEstimateJson(lines: readonly ProjectedLine[], packetsPerDay: number): string {
  return `${JSON.stringify({ packetsPerDay, pricesReadOn: PRICES_READ_ON, lines }, null, 2)}\n`;
}
