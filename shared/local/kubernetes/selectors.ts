/**
 * Label and field selectors as the Kubernetes API parses them (`app=web,tier!=db`,
 * `env in (a,b)`, `!legacy`; fields by dotted path, `spec.nodeName=n1`), compiled to predicates.
 */

/** A compiled selector; throws nothing at match time. */
export type ObjectPredicate = (object: Record<string, unknown>) => boolean;

/** A selector text that does not parse; the server answers 400 with this message. */
export class SelectorError extends Error {
  override readonly name = 'SelectorError';
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else current += char;
  }
  if (current.trim() !== '') parts.push(current.trim());
  return parts;
}

function labelsOf(object: Record<string, unknown>): Record<string, string> {
  const metadata = object.metadata as { labels?: Record<string, string> } | undefined;
  return metadata?.labels ?? {};
}

function labelRequirement(part: string): ObjectPredicate {
  const set = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part);
  if (set !== null) {
    const key = set[1]!;
    const values = new Set(
      set[3]!
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== ''),
    );
    const negate = set[2] === 'notin';
    return (o) => {
      const value = labelsOf(o)[key];
      return negate ? value === undefined || !values.has(value) : value !== undefined && values.has(value);
    };
  }
  const compare = /^([^\s!=]+)\s*(==|=|!=)\s*([^\s,]*)$/.exec(part);
  if (compare !== null) {
    const [, key, operator, value] = compare as unknown as [string, string, string, string];
    return operator === '!=' ? (o) => labelsOf(o)[key] !== value : (o) => labelsOf(o)[key] === value;
  }
  const exists = /^(!?)([^\s!=(),]+)$/.exec(part);
  if (exists !== null) {
    const key = exists[2]!;
    return exists[1] === '!' ? (o) => !(key in labelsOf(o)) : (o) => key in labelsOf(o);
  }
  throw new SelectorError(`unable to parse requirement: "${part}"`);
}

/** Compiles a label selector; empty or absent matches everything. */
export function compileLabelSelector(text: string | null | undefined): ObjectPredicate {
  if (text === null || text === undefined || text.trim() === '') return () => true;
  const requirements = splitTopLevel(text).map(labelRequirement);
  return (o) => requirements.every((requirement) => requirement(o));
}

function fieldValue(object: Record<string, unknown>, path: string): string {
  let node: unknown = object;
  for (const segment of path.split('.')) {
    if (typeof node !== 'object' || node === null) return '';
    node = (node as Record<string, unknown>)[segment];
  }
  return typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean'
    ? String(node)
    : '';
}

/** Compiles a field selector (`=`, `==`, `!=` on dotted paths); empty or absent matches everything. */
export function compileFieldSelector(text: string | null | undefined): ObjectPredicate {
  if (text === null || text === undefined || text.trim() === '') return () => true;
  const requirements = splitTopLevel(text).map((part): ObjectPredicate => {
    const match = /^([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (match === null) throw new SelectorError(`invalid field selector: "${part}"`);
    const [, path, operator, value] = match as unknown as [string, string, string, string];
    return operator === '!=' ? (o) => fieldValue(o, path) !== value : (o) => fieldValue(o, path) === value;
  });
  return (o) => requirements.every((requirement) => requirement(o));
}
