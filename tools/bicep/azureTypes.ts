import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** A reference to another type in the same set: `{ $ref: '#/N' }`. */
export interface TypeRef {
  $ref: string;
}

/** One property of an object type; `flags` is the bicep-types bit set (see {@link PropertyFlags}). */
export interface TypeProperty {
  type: TypeRef;
  flags: number;
  description?: string;
}

/** The bicep-types-az type definitions this checker understands (others are treated as "any"). */
export type AzureType =
  | { $type: 'ResourceType'; name: string; body: TypeRef }
  | {
      $type: 'ObjectType';
      name: string;
      properties: Record<string, TypeProperty>;
      additionalProperties?: TypeRef;
    }
  | {
      $type: 'DiscriminatedObjectType';
      name: string;
      discriminator: string;
      baseProperties: Record<string, TypeProperty>;
      elements: Record<string, TypeRef>;
    }
  | { $type: 'StringType'; minLength?: number; maxLength?: number; pattern?: string }
  | { $type: 'StringLiteralType'; value: string }
  | { $type: 'IntegerType'; minValue?: number; maxValue?: number }
  | { $type: 'BooleanType' }
  | { $type: 'UnionType'; elements: TypeRef[] }
  | { $type: 'ArrayType'; itemType: TypeRef; minLength?: number; maxLength?: number }
  | { $type: 'AnyType' }
  | { $type: 'NullType' }
  | { $type: 'ResourceFunctionType' };

/** Property flags of bicep-types (Azure/bicep-types `ObjectTypePropertyFlags`). */
export const PropertyFlags = {
  Required: 1,
  ReadOnly: 2,
  WriteOnly: 4,
  DeployTimeConstant: 8,
  Identifier: 16,
} as const;

/**
 * A self-contained set of type definitions: `resources` maps `Type@apiVersion` to the index of its
 * ResourceType in `types`; every `$ref` points into `types`.
 */
export interface AzureTypeSet {
  source: string;
  resources: Record<string, number>;
  types: AzureType[];
}

/** Looks up types in a set; resource names are compared case-insensitively, as ARM does. */
export class AzureTypeIndex {
  private readonly resourcesByKey = new Map<string, number>();

  constructor(private readonly set: AzureTypeSet) {
    for (const [name, index] of Object.entries(set.resources))
      this.resourcesByKey.set(name.toLowerCase(), index);
  }

  /** The body type of a resource (`Microsoft.X/y@api`), or undefined when the set lacks it. */
  resourceBody(typeReference: string): AzureType | undefined {
    const index = this.resourcesByKey.get(typeReference.toLowerCase());
    const resource = index === undefined ? undefined : this.set.types[index];
    return resource?.$type === 'ResourceType' ? this.resolve(resource.body) : undefined;
  }

  /** The type a reference points to. */
  resolve(ref: TypeRef): AzureType | undefined {
    return this.set.types[refIndex(ref)];
  }
}

function refIndex(ref: TypeRef): number {
  return Number(ref.$ref.replace('#/', ''));
}

/**
 * Extracts, from a bicep-types-az `generated/` tree (one `types.json` per provider and API
 * version), the resource types named and every type they reach, renumbered into one array.
 * Descriptions are dropped: the checked-in subset stays small.
 */
export function extractTypeSet(
  generatedRoot: string,
  typeReferences: string[],
  source: string,
): AzureTypeSet {
  const wanted = new Set(typeReferences.map((reference) => reference.toLowerCase()));
  const result: AzureTypeSet = { source, resources: {}, types: [] };
  for (const file of typesJsonFiles(generatedRoot)) {
    const types = JSON.parse(readFileSync(file, 'utf8')) as AzureType[];
    const renumbered = new Map<number, number>();
    const copy = (index: number): number => {
      const known = renumbered.get(index);
      if (known !== undefined) return known;
      const target = result.types.length;
      renumbered.set(index, target);
      result.types.push({ $type: 'AnyType' });
      const original = types[index];
      result.types[target] = original ? rewriteRefs(original, copy) : { $type: 'AnyType' };
      return target;
    };
    types.forEach((type, index) => {
      if (type.$type === 'ResourceType' && wanted.has(type.name.toLowerCase())) {
        result.resources[type.name] = copy(index);
        wanted.delete(type.name.toLowerCase());
      }
    });
  }
  if (wanted.size > 0)
    throw new Error(`no type definitions for ${[...wanted].join(', ')} under ${generatedRoot}`);
  return result;
}

function rewriteRefs(type: AzureType, copy: (index: number) => number): AzureType {
  const ref = (r: TypeRef): TypeRef => ({ $ref: `#/${copy(refIndex(r))}` });
  const properties = (props: Record<string, TypeProperty>): Record<string, TypeProperty> =>
    Object.fromEntries(
      Object.entries(props).map(([name, p]) => [name, { type: ref(p.type), flags: p.flags }]),
    );
  switch (type.$type) {
    case 'ResourceType':
      return { $type: 'ResourceType', name: type.name, body: ref(type.body) };
    case 'ObjectType':
      return {
        $type: 'ObjectType',
        name: type.name,
        properties: properties(type.properties),
        ...(type.additionalProperties ? { additionalProperties: ref(type.additionalProperties) } : {}),
      };
    case 'DiscriminatedObjectType':
      return {
        $type: 'DiscriminatedObjectType',
        name: type.name,
        discriminator: type.discriminator,
        baseProperties: properties(type.baseProperties),
        elements: Object.fromEntries(Object.entries(type.elements).map(([key, r]) => [key, ref(r)])),
      };
    case 'UnionType':
      return { $type: 'UnionType', elements: type.elements.map(ref) };
    case 'ArrayType':
      return { ...type, itemType: ref(type.itemType) };
    case 'StringType':
    case 'StringLiteralType':
    case 'IntegerType':
    case 'BooleanType':
    case 'AnyType':
    case 'NullType':
    case 'ResourceFunctionType':
      return type;
  }
}

function typesJsonFiles(root: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(root).sort()) {
    const full = path.join(root, entry);
    if (statSync(full).isDirectory()) found.push(...typesJsonFiles(full));
    else if (entry === 'types.json') found.push(full);
  }
  return found;
}
