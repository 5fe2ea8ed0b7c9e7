/**
 * Enumerations of the TraceConfiguration resource, matched case-insensitively (docs/trace-configuration.md) but
 * always normalised to one canonical spelling.
 */
import { z } from 'zod';

/** Resolves `text` to its canonical spelling in `values`, ignoring letter case; `undefined` when none matches. */
export function matchEnum<T extends string>(values: readonly T[], text: string): T | undefined {
  const lower = text.toLowerCase();
  return values.find((value) => value.toLowerCase() === lower);
}

/** A JSON Schema `pattern` accepting exactly `values` in any letter case (JSON Schema has no `i` flag). */
export function caseInsensitivePattern(values: readonly string[]): string {
  const alternatives = values.map((value) =>
    [...value]
      .map((c) =>
        /[a-z]/i.test(c)
          ? `[${c.toUpperCase()}${c.toLowerCase()}]`
          : c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'),
      )
      .join(''),
  );
  return `^(${alternatives.join('|')})$`;
}

/**
 * A string schema accepting one of `values` in any letter case. The JSON Schema carries the same
 * rule as a case-insensitive `pattern`.
 */
export function caseInsensitiveEnum(values: readonly string[], description: string) {
  return z
    .string()
    .refine((text) => matchEnum(values, text) !== undefined, {
      error: (issue) =>
        `must be one of ${values.join(', ')} (any letter case), got ${JSON.stringify(issue.input)}`,
    })
    .meta({
      description: `${description} One of ${values.join(', ')}; letter case is ignored.`,
      pattern: caseInsensitivePattern(values),
    });
}
