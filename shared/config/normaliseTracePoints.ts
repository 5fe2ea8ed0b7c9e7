/** `tracePoints` lists to canonical {@link TracePoint}s. */
import { TRACE_POINTS, type TracePoint } from '../packet/decodedPacket';
import { matchEnum } from './enumText';
import { TRACE_POINT_NAMES } from './schema';

/** Trace points of a target and whether the manifest named them. */
export interface NormalisedTracePoints {
  tracePoints: TracePoint[];
  tracePointsRestricted: boolean;
}

/**
 * Expands `pod` to PodToNode + NodeToPod, drops duplicates and returns canonical order. An absent
 * or empty list means all four and does not restrict matching. Unknown names are skipped (the
 * schema reports them).
 */
export function normaliseTracePoints(raw: unknown): NormalisedTracePoints {
  const names = Array.isArray(raw) ? raw.filter((v): v is string => typeof v === 'string') : [];
  const chosen = new Set<TracePoint>();
  for (const name of names) {
    const canonical = matchEnum(TRACE_POINT_NAMES, name);
    if (canonical === 'Pod') {
      chosen.add('PodToNode');
      chosen.add('NodeToPod');
    } else if (canonical !== undefined) {
      chosen.add(canonical);
    }
  }
  if (chosen.size === 0) return { tracePoints: [...TRACE_POINTS], tracePointsRestricted: false };
  return { tracePoints: TRACE_POINTS.filter((point) => chosen.has(point)), tracePointsRestricted: true };
}
