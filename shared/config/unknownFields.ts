/** Warnings for fields a manifest has but this resource does not define (they are ignored). */
import type { IssueCollector, PathSegment } from './issues';
import type { RawObject } from './rawValue';

/** Levenshtein distance, capped early: only small distances matter for "did you mean". */
function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0] ?? 0;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j] ?? 0;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      previous[j] = Math.min(above + 1, (previous[j - 1] ?? 0) + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return previous[b.length] ?? 0;
}

/** The known field `key` was probably meant to be, if any. */
export function closestField(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Warns once per key of `object` that is not in `known`, pointing at the key. */
export function warnUnknownFields(
  object: RawObject,
  known: readonly string[],
  at: readonly PathSegment[],
  issues: IssueCollector,
): void {
  for (const key of Object.keys(object)) {
    if (known.includes(key)) continue;
    const guess = closestField(key, known);
    const hint = guess === undefined ? '' : ` (did you mean "${guess}"?)`;
    issues.warn([...at, key], `unknown field "${key}" is ignored${hint}`, true);
  }
}
