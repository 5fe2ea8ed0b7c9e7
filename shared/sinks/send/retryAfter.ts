/**
 * Parses a Retry-After style header value into milliseconds from now.
 * Accepts a non-negative number in `unit` milliseconds (`Retry-After: 2` with unit 1000,
 * `retry-after-ms: 250` with unit 1) or an HTTP date. Returns undefined for absent or invalid values.
 */
export function parseRetryAfter(
  value: string | undefined,
  nowMs: number,
  unitMs: number,
): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * unitMs);
  // Only an HTTP date (which has a weekday and month name) may follow; `-1` is not a date.
  if (unitMs !== 1000 || !/[A-Za-z]/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
