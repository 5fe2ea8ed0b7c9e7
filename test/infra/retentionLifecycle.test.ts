/**
 * The retained-packets lifecycle policy in infra/modules/storage.bicep, checked against the
 * published type definitions of Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01
 * (`../shared/azure-types`): every property it sets exists there and is writable, required ones
 * are present, and the rules do what docs/retention.md says.
 */
import { readFileSync } from 'node:fs';
import { describeWithSharedData, sharedPath } from '../support/sharedData';
import { readRepoFile } from './repoFiles';

const TYPES = 'azure-types/storage/microsoft.storage/2023-05-01/types.json';

interface TypeNode {
  $type: string;
  name?: string;
  properties?: Record<string, { type: { $ref: string }; flags: number }>;
  itemType?: { $ref: string };
  body?: { $ref: string };
}

/** Keys set in the policy block, as paths from `properties` (array items are transparent). */
function keyPaths(block: string): { path: string[]; value: string }[] {
  const out: { path: string[]; value: string }[] = [];
  const stack: { indent: number; key: string }[] = [];
  for (const line of block.split('\n')) {
    const match = /^(\s*)([A-Za-z]+):\s*(.*)$/.exec(line);
    if (match === null) continue;
    const indent = match[1]!.length;
    while (stack.length > 0 && stack[stack.length - 1]!.indent >= indent) stack.pop();
    stack.push({ indent, key: match[2]! });
    out.push({ path: stack.map((s) => s.key), value: match[3]!.trim() });
  }
  return out;
}

function policyBlock(): string {
  const text = readRepoFile('infra', 'modules', 'storage.bicep');
  const start = text.indexOf(
    "resource lifecyclePolicy 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01'",
  );
  expect(start).toBeGreaterThanOrEqual(0);
  const end = text.indexOf('\n}\n', start);
  const block = text.slice(start, end);
  const properties = block.slice(block.indexOf('\n  properties: {'));
  // Only the `properties` object: resource-level keys (name, parent, dependsOn) are Bicep's.
  const next = properties.slice(1).search(/\n {2}[A-Za-z]+:/);
  return next < 0 ? properties : properties.slice(0, next + 1);
}

describeWithSharedData(TYPES, 'retained-packets lifecycle policy against azure-types', () => {
  const types = JSON.parse(readFileSync(sharedPath(TYPES), 'utf8')) as TypeNode[];
  const at = (ref: { $ref: string }): TypeNode => types[Number(ref.$ref.slice(2))]!;
  const resource = types.find(
    (t) => t.name === 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01',
  )!;
  const body = at(resource.body!);
  const paths = keyPaths(policyBlock());

  /** The object type a path leads to, or a description of where it left the schema. */
  function walk(path: string[]): { node: TypeNode; flags: number } | string {
    let node = body;
    let flags = 0;
    for (const key of path) {
      while (node.$type === 'ArrayType') node = at(node.itemType!);
      const property = node.properties?.[key];
      if (property === undefined)
        return `${path.join('.')}: ${node.name ?? node.$type} has no property ${key}`;
      flags = property.flags;
      node = at(property.type);
    }
    while (node.$type === 'ArrayType') node = at(node.itemType!);
    return { node, flags };
  }

  it('sets only properties the type defines, none of them read-only', () => {
    expect(paths.length).toBeGreaterThan(10);
    for (const { path } of paths) {
      const found = walk(path);
      expect(
        typeof found === 'string' ? found : (found.flags & 2) === 0 ? 'ok' : `${path.join('.')} is read-only`,
      ).toBe('ok');
    }
  });

  it('sets every required property of each object it writes', () => {
    const parents = new Set(paths.map(({ path }) => path.slice(0, -1).join('.')).filter((p) => p !== ''));
    for (const parent of parents) {
      const found = walk(parent === '' ? [] : parent.split('.'));
      if (typeof found === 'string') throw new Error(found);
      const written = new Set(
        paths.filter(({ path }) => path.slice(0, -1).join('.') === parent).map(({ path }) => path.at(-1)),
      );
      const required = Object.entries(found.node.properties ?? {})
        .filter(([, p]) => (p.flags & 1) !== 0 && (p.flags & 2) === 0)
        .map(([key]) => key);
      for (const key of required)
        expect(`${parent}.${key}: ${written.has(key) ? 'set' : 'missing'}`).toBe(`${parent}.${key}: set`);
    }
  });

  it('cools and deletes block blobs under the retention container, by tag for the shorter retentions', () => {
    const values = (key: string) => paths.filter(({ path }) => path.at(-1) === key).map(({ value }) => value);
    expect(values('type')).toEqual(["'Lifecycle'", "'Lifecycle'"]);
    expect(values('op')).toEqual(["'=='"]);
    expect(values('name')).toEqual([
      "'retained-packets-cool'",
      "'retained-packets-delete-${days}d'",
      "'retainDays'",
    ]);
    expect(values('tierToCool')).toHaveLength(1);
    expect(values('delete')).toHaveLength(2);
    expect(values('daysAfterModificationGreaterThan')).toEqual([
      'packetRetentionCoolAfterDays',
      'packetRetentionDays',
      'days',
    ]);
  });
});
