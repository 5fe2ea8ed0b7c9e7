/**
 * Trace points as bit masks so a target's trace-point check is one AND per packet.
 */
import { TRACE_POINTS, type TracePoint } from '../packet/decodedPacket';

/** Bit of a trace point; 0 for a packet with no known trace point. */
export function tracePointBit(tracePoint: TracePoint | undefined): number {
  return tracePoint === undefined ? 0 : 1 << TRACE_POINTS.indexOf(tracePoint);
}

/** Mask of a list of trace points. */
export function tracePointMask(tracePoints: readonly TracePoint[]): number {
  let mask = 0;
  for (const tracePoint of tracePoints) mask |= tracePointBit(tracePoint);
  return mask;
}

/**
 * Compiles a target's trace points into a check of a packet's {@link tracePointBit}: a packet with
 * no known trace point (bit 0) matches only when the target does not restrict trace points.
 */
export function compileTracePoints(
  tracePoints: readonly TracePoint[],
  restricted: boolean,
): (bit: number) => boolean {
  const mask = tracePointMask(tracePoints);
  return (bit) => (bit === 0 ? !restricted : (mask & bit) !== 0);
}
