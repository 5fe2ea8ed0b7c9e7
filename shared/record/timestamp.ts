/**
 * Packet timestamps as record columns, computed exactly (no floating point on nanoseconds).
 */

/** Epoch nanoseconds as a decimal string: `sec * 1e9 + nsec` by string concatenation, exact. */
export function timestampNs(sec: number, nsec: number): string {
  if (sec === 0) return String(nsec);
  return `${sec}${String(nsec).padStart(9, '0')}`;
}

/**
 * ISO 8601 UTC text with microsecond precision (`2024-05-01T12:00:00.123456Z`). Microseconds is
 * what every destination parses (Log Analytics Auxiliary tables accept nothing finer); the
 * nanoseconds stay in `TimestampNs`.
 */
export function isoTime(sec: number, nsec: number): string {
  // Packets of a batch share their seconds: formatting the date part once per second is the win.
  if (sec !== cachedSec) {
    cachedSec = sec;
    cachedPrefix = new Date(sec * 1000).toISOString().slice(0, 19);
  }
  return `${cachedPrefix}.${String(Math.floor(nsec / 1000)).padStart(6, '0')}Z`;
}

let cachedSec = Number.NaN;
let cachedPrefix = '';
