/**
 * A bounded sample of round-trip times for a flow record's median: the most recent
 * {@link RTT_SAMPLE_SIZE} values in a ring. Exact for records with at most that many round trips;
 * beyond, the median of the latest ones. One typed array per flow direction, allocated on its
 * first sample, none per packet.
 */

/** Round trips kept per flow direction and record. */
export const RTT_SAMPLE_SIZE = 15;

/** Adds `value` to `ring` holding `count` values so far (the caller keeps `count`). */
export function addRttSample(ring: Float64Array, count: number, value: number): void {
  ring[count % RTT_SAMPLE_SIZE] = value;
}

/** The median of the `min(count, RTT_SAMPLE_SIZE)` values held (the mean of the middle two, rounded, for an even number); undefined for none. */
export function rttMedian(ring: Float64Array | undefined, count: number): number | undefined {
  if (ring === undefined || count <= 0) return undefined;
  const held = Array.from(ring.subarray(0, Math.min(count, RTT_SAMPLE_SIZE))).sort((a, b) => a - b);
  const middle = held.length >> 1;
  return held.length % 2 === 1 ? held[middle]! : Math.round((held[middle - 1]! + held[middle]!) / 2);
}
