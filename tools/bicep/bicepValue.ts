/** Where a value was written: a Bicep file (relative to the repository) and a 1-based line. */
export interface Location {
  file: string;
  line: number;
}

/** The primitive kinds a Bicep value can be known to have without its content. */
export type BicepTypeName = 'string' | 'int' | 'bool' | 'object' | 'array';

/**
 * The result of evaluating a Bicep expression ahead of deployment. Deploy-time values (resource
 * ids, module outputs) are `unknown`, optionally of a known kind. A ternary whose branches
 * differ, or a parameter limited by `@allowed`, is `either`: every option is checked, since any
 * of them can be deployed.
 */
export type BicepValue = { at: Location } & (
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | {
      kind: 'object';
      properties: Map<string, BicepValue>;
      /** Where each key is written. */ keys?: Map<string, Location>;
    }
  | { kind: 'array'; items: BicepValue[] }
  | { kind: 'unknown'; type?: BicepTypeName }
  | { kind: 'either'; options: BicepValue[] }
);

/** A problem found, with where it was written. */
export interface BicepIssue extends Location {
  message: string;
}

/** An unknown value of an optional kind. */
export function unknownValue(at: Location, type?: BicepTypeName): BicepValue {
  return type ? { kind: 'unknown', type, at } : { kind: 'unknown', at };
}

/** Converts parsed JSON (e.g. `loadJsonContent`) into a value located where it was loaded. */
export function fromJson(json: unknown, at: Location): BicepValue {
  if (typeof json === 'string') return { kind: 'string', value: json, at };
  if (typeof json === 'number') return { kind: 'number', value: json, at };
  if (typeof json === 'boolean') return { kind: 'boolean', value: json, at };
  if (Array.isArray(json)) return { kind: 'array', items: json.map((item) => fromJson(item, at)), at };
  if (json && typeof json === 'object') {
    return {
      kind: 'object',
      properties: new Map(Object.entries(json).map(([key, item]) => [key, fromJson(item, at)])),
      at,
    };
  }
  return { kind: 'null', at };
}

/** The plain value when it is fully known (no unknown or either inside), else undefined. */
export function toPlain(value: BicepValue): unknown {
  switch (value.kind) {
    case 'string':
    case 'number':
    case 'boolean':
      return value.value;
    case 'null':
      return null;
    case 'array': {
      const items = value.items.map(toPlain);
      return items.some((item) => item === undefined) ? undefined : items;
    }
    case 'object': {
      const entries = [...value.properties].map(([key, item]) => [key, toPlain(item)] as const);
      return entries.some(([, item]) => item === undefined) ? undefined : Object.fromEntries(entries);
    }
    case 'unknown':
    case 'either':
      return undefined;
  }
}

/** The kind of a value as Bicep's primitive type names it, when known. */
export function typeNameOf(value: BicepValue): BicepTypeName | undefined {
  switch (value.kind) {
    case 'string':
      return 'string';
    case 'number':
      return 'int';
    case 'boolean':
      return 'bool';
    case 'object':
      return 'object';
    case 'array':
      return 'array';
    case 'unknown':
      return value.type;
    case 'null':
    case 'either':
      return undefined;
  }
}

/** Short text of a value for messages. */
export function describeValue(value: BicepValue): string {
  const plain = toPlain(value);
  if (plain === undefined) return typeNameOf(value) ? `a ${typeNameOf(value)}` : 'a deploy-time value';
  const text = JSON.stringify(plain);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
