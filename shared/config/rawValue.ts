/** Helpers for reading parsed-but-unchecked manifest values (`unknown`) without trusting their shape. */

/** A plain object parsed from YAML or JSON. */
export type RawObject = Record<string, unknown>;

/** True for a plain object (not an array, not null). */
export function isRawObject(value: unknown): value is RawObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A copy of `value` without object properties whose value is `null`: Kubernetes prunes them, and
 * Go clients serialise absent pointers as `null` (the upstream types have no `omitempty`). Array
 * elements are kept so indices in field paths stay true to the file.
 */
export function withoutNullFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNullFields);
  if (!isRawObject(value)) return value;
  const out: RawObject = {};
  for (const [key, field] of Object.entries(value)) {
    if (field !== null) out[key] = withoutNullFields(field);
  }
  return out;
}

/** How a value is described in messages: its type, or the value itself when short and scalar. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return value.length > 40 ? 'a string' : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value;
}
