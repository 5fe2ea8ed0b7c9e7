/**
 * KQL's scalar and aggregation functions the views need, with KQL's semantics: `coalesce` skips
 * empty strings as well as nulls; `percentile` is nearest-rank over the exact values (KQL
 * estimates with T-Digest, which is exact for the small inputs a local window holds).
 */

/** KQL `coalesce` over strings: the first value that is neither null nor empty, else `''`. */
export function coalesce(...values: readonly (string | undefined)[]): string {
  for (const value of values) if (value !== undefined && value !== '') return value;
  return '';
}

/** KQL `isnotempty` for a string or number column. */
export function isNotEmpty(value: string | number | undefined): boolean {
  return value !== undefined && value !== '';
}

/** Nearest-rank percentile of `values` (`percent` 0–100); null for no values. */
export function percentile(values: readonly number[], percent: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((percent / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

/** KQL `round(value, digits)`. */
export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Milliseconds since the epoch of an ISO 8601 time; undefined when absent or unreadable. */
export function timeMs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Epoch nanoseconds of a record (`TimestampNs`, else `TimeGenerated`); undefined when unreadable. */
export function timestampNs(record: { TimestampNs?: string; TimeGenerated?: string }): bigint | undefined {
  if (record.TimestampNs !== undefined && /^\d+$/.test(record.TimestampNs)) return BigInt(record.TimestampNs);
  const ms = timeMs(record.TimeGenerated);
  return ms === undefined ? undefined : BigInt(ms) * 1_000_000n;
}

/** A finite number, or 0 (KQL `sum` skips nulls). */
export function numberOr0(value: number | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/**
 * Groups items by the key columns `keyOf` returns; keeps first-seen order. The key is the JSON
 * of the column values, so `''` and a missing value fall in one group, as in KQL.
 */
export function groupBy<T>(
  items: readonly T[],
  keyOf: (item: T) => readonly (string | number | undefined)[],
): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = JSON.stringify(keyOf(item).map((part) => part ?? ''));
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [item]);
    else group.push(item);
  }
  return groups;
}

/** KQL `top N by column desc`: the `n` rows with the largest value (nulls last), stable. */
export function topBy<R extends Readonly<Record<string, unknown>>>(
  rows: readonly R[],
  column: string,
  n: number,
): R[] {
  const value = (row: R): number => {
    const cell = row[column];
    return typeof cell === 'number' ? cell : Number.NEGATIVE_INFINITY;
  };
  return [...rows].sort((a, b) => value(b) - value(a)).slice(0, n);
}
