/**
 * How a TraceConfiguration opts in to packet retention: the metadata annotation
 * `retina.sh/retain-packets: "7d"`. An annotation, not a spec field, so manifests stay valid for
 * the upstream Retina CRD (whose structural schema prunes unknown spec fields) and for any other
 * reader: annotations are free-form Kubernetes metadata by design.
 */
import type { PathSegment } from '../config/issues';

/** The annotation key. */
export const RETAIN_PACKETS_ANNOTATION = 'retina.sh/retain-packets';

/** Longest retention a configuration may ask for, in days (ten years). */
export const MAX_RETAIN_DAYS = 3650;

/** A parsed annotation value: days, or why it is not acceptable. */
export type RetainPacketsValue = { ok: true; days: number } | { ok: false; message: string };

const DAYS = /^([1-9]\d{0,3})d$/;

/**
 * Parses an annotation value: whole days written `<n>d`, 1 to {@link MAX_RETAIN_DAYS}.
 *
 * @example parseRetainPackets('7d') // { ok: true, days: 7 }
 */
export function parseRetainPackets(value: unknown): RetainPacketsValue {
  if (typeof value !== 'string')
    return { ok: false, message: `must be a string of whole days such as "7d", got ${typeof value}` };
  const match = DAYS.exec(value.trim());
  const days = match === null ? NaN : Number(match[1]);
  if (!Number.isInteger(days) || days < 1 || days > MAX_RETAIN_DAYS) {
    return {
      ok: false,
      message: `must be whole days from "1d" to "${MAX_RETAIN_DAYS}d" (storage lifecycle rules count in days), got ${JSON.stringify(value)}`,
    };
  }
  return { ok: true, days };
}

/** A problem found in the annotation, with its field path. */
export interface RetainPacketsIssue {
  segments: PathSegment[];
  message: string;
}

/**
 * Reads the annotation from a manifest's `metadata` (any value): the retention in days, undefined
 * when the annotation is absent, or an issue at `metadata.annotations["retina.sh/retain-packets"]`.
 */
export function retainPacketsFromMetadata(metadata: unknown): { days?: number; issue?: RetainPacketsIssue } {
  if (metadata === null || typeof metadata !== 'object') return {};
  const annotations = (metadata as { annotations?: unknown }).annotations;
  if (annotations === null || typeof annotations !== 'object') return {};
  const raw = (annotations as Record<string, unknown>)[RETAIN_PACKETS_ANNOTATION];
  if (raw === undefined) return {};
  const parsed = parseRetainPackets(raw);
  if (parsed.ok) return { days: parsed.days };
  return {
    issue: { segments: ['metadata', 'annotations', RETAIN_PACKETS_ANNOTATION], message: parsed.message },
  };
}
