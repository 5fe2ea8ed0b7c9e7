import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AzureTypeIndex } from './azureTypes';
import type { BicepDecorator, BicepDeclaration, BicepFile } from './bicepSyntax';
import { parseBicep } from './bicepSyntax';
import type { BicepIssue, BicepTypeName, BicepValue, Location } from './bicepValue';
import { describeValue, toPlain, typeNameOf, unknownValue } from './bicepValue';
import { checkAgainstType } from './checkAgainstType';
import type { BicepScope } from './evaluateBicep';
import { evaluate, primitive } from './evaluateBicep';

/**
 * Values Azure accepts beyond an extensible enum's published ones, each with its reason; any other
 * value outside the published ones is reported (it is far more often a typo than a new value).
 */
const ACCEPTED_EXTENSIONS: {
  type: string;
  path: string;
  accepts: (value: string) => boolean;
  reason: string;
}[] = [
  {
    type: 'Microsoft.Insights/dataCollectionRules',
    path: 'kind',
    accepts: (value) => value === 'Direct',
    reason: 'a Direct rule has its own logs ingestion endpoint (Logs Ingestion API without a DCE)',
  },
  {
    type: 'Microsoft.Insights/dataCollectionRules',
    path: 'properties.dataFlows[].streams[]',
    accepts: (value) => value.startsWith('Custom-'),
    reason: 'custom streams are declared in streamDeclarations and named Custom-*',
  },
  {
    type: 'Microsoft.Insights/dataCollectionRules',
    path: 'properties.dataFlows[].outputStream',
    accepts: (value) => value.startsWith('Custom-'),
    reason: 'a custom table is written through its Custom-* stream',
  },
];

/** Every Bicep file a deployment reaches, parsed, keyed by path relative to the root. */
export type BicepFiles = Map<string, BicepFile>;

/** Parses an entry file and every module it reaches (relative paths from `root`). */
export async function loadDeployment(root: string, entry: string): Promise<BicepFiles> {
  const files: BicepFiles = new Map();
  const pending = [path.normalize(entry)];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    const parsed = await parseBicep(readFileSync(path.join(root, file), 'utf8'));
    files.set(file, parsed);
    for (const declaration of parsed.declarations) {
      if (declaration.kind === 'module')
        pending.push(path.normalize(path.join(path.dirname(file), declaration.path)));
    }
  }
  return files;
}

/**
 * Checks a deployment the way the Bicep compiler and ARM would before creating anything: syntax,
 * undeclared references, module parameters (declared, required, allowed values, lengths and
 * ranges) and outputs, and every resource body against Azure's own type definitions. Parameters
 * limited by `@allowed` are checked with each allowed value; both branches of every condition are
 * checked.
 */
export function checkDeployment(
  root: string,
  entry: string,
  files: BicepFiles,
  index: AzureTypeIndex,
): BicepIssue[] {
  const issues: BicepIssue[] = [];
  for (const [file, parsed] of files) {
    for (const error of parsed.syntaxErrors)
      issues.push({ file, line: error.line, message: `syntax error near '${error.text}'` });
  }
  instantiate(path.normalize(entry), new Map(), { root, files, index, issues });
  return issues;
}

interface Deployment {
  root: string;
  files: BicepFiles;
  index: AzureTypeIndex;
  issues: BicepIssue[];
}

function instantiate(file: string, passed: Map<string, BicepValue>, deployment: Deployment): void {
  const parsed = deployment.files.get(file);
  if (!parsed) return;
  const declarations = new Map<string, BicepDeclaration>();
  // Outputs have their own namespace: an output may share a param's or a resource's name.
  for (const declaration of parsed.declarations) {
    if (declaration.kind === 'output') continue;
    if (declarations.has(declaration.name)) {
      deployment.issues.push({
        file,
        line: declaration.line,
        message: `'${declaration.name}' is declared twice`,
      });
    }
    declarations.set(declaration.name, declaration);
  }
  const scope: BicepScope = {
    file,
    directory: path.join(deployment.root, path.dirname(file)),
    declarations,
    params: new Map(),
    locals: new Map(),
    resourceBodies: new Map(),
    moduleOutputs: new Map(),
    index: deployment.index,
    issues: deployment.issues,
    vars: new Map(),
  };
  for (const declaration of parsed.declarations) {
    if (declaration.kind === 'resource') {
      const body = deployment.index.resourceBody(declaration.typeReference);
      if (!body) {
        deployment.issues.push({
          file,
          line: declaration.line,
          message: `no Azure type definitions for ${declaration.typeReference} (add it to the checked-in type data)`,
        });
      }
      scope.resourceBodies.set(declaration.name, body);
    }
    if (declaration.kind === 'module') {
      const target = deployment.files.get(modulePath(file, declaration.path));
      const outputs = new Map<string, BicepTypeName | undefined>();
      for (const item of target?.declarations ?? [])
        if (item.kind === 'output') outputs.set(item.name, primitive(item.type));
      scope.moduleOutputs.set(declaration.name, outputs);
    }
  }
  for (const declaration of parsed.declarations) {
    if (declaration.kind !== 'param') continue;
    const given = passed.get(declaration.name);
    scope.params.set(declaration.name, given ?? defaultValue(declaration, scope));
  }
  for (const declaration of parsed.declarations) {
    switch (declaration.kind) {
      case 'param':
      case 'var':
        if (declaration.kind === 'var')
          evaluate({ kind: 'reference', name: declaration.name, line: declaration.line }, scope);
        break;
      case 'output':
        evaluate(declaration.value, scope);
        break;
      case 'resource':
        checkResource(declaration, scope);
        break;
      case 'module':
        checkModule(declaration, scope, deployment);
        break;
    }
  }
}

function defaultValue(declaration: BicepDeclaration & { kind: 'param' }, scope: BicepScope): BicepValue {
  const at: Location = { file: scope.file, line: declaration.line };
  const allowed = decorator(declaration.decorators, 'allowed')?.args[0];
  if (allowed?.kind === 'array' && allowed.items.length > 0) {
    return { kind: 'either', options: allowed.items.map((item) => evaluate(item, scope)), at };
  }
  return declaration.value
    ? evaluate(declaration.value, scope)
    : unknownValue(at, primitive(declaration.type));
}

function checkResource(declaration: BicepDeclaration & { kind: 'resource' }, scope: BicepScope): void {
  const body = scope.resourceBodies.get(declaration.name);
  const value = evaluate(declaration.value, scope);
  if (declaration.existing || !body) return;
  const instances = declaration.value.kind === 'for' && value.kind === 'array' ? value.items : [value];
  const found: BicepIssue[] = [];
  const type = declaration.typeReference.split('@')[0]?.toLowerCase();
  const acceptsExtension = (path: string, value: string): boolean =>
    ACCEPTED_EXTENSIONS.some(
      (rule) => rule.type.toLowerCase() === type && rule.path === path && rule.accepts(value),
    );
  for (const instance of instances)
    checkAgainstType(scope.index, instance, body, '', found, { resourceBody: true, acceptsExtension });
  const prefix = `resource ${declaration.name} (${declaration.typeReference}): `;
  for (const issue of dedupe(found)) scope.issues.push({ ...issue, message: prefix + issue.message });
}

function checkModule(
  declaration: BicepDeclaration & { kind: 'module' },
  scope: BicepScope,
  deployment: Deployment,
): void {
  const target = modulePath(scope.file, declaration.path);
  const parsed = deployment.files.get(target);
  const at: Location = { file: scope.file, line: declaration.line };
  const value = evaluate(declaration.value, scope);
  if (!parsed) {
    scope.issues.push({ ...at, message: `module ${declaration.name}: '${declaration.path}' not found` });
    return;
  }
  const body = value.kind === 'object' ? value : undefined;
  const params = body?.properties.get('params');
  const passed = params?.kind === 'object' ? params.properties : new Map<string, BicepValue>();
  const declared = new Map(
    parsed.declarations.flatMap((item) => (item.kind === 'param' ? [[item.name, item] as const] : [])),
  );
  const prefix = `module ${declaration.name} (${declaration.path}): `;
  for (const [name, passedValue] of passed) {
    const param = declared.get(name);
    if (!param) {
      scope.issues.push({
        ...passedValue.at,
        message: `${prefix}param '${name}' is not declared by the module`,
      });
      continue;
    }
    for (const message of paramViolations(param, passedValue)) {
      scope.issues.push({ ...passedValue.at, message: `${prefix}param '${name}': ${message}` });
    }
  }
  for (const param of declared.values()) {
    if (!param.value && !passed.has(param.name))
      scope.issues.push({ ...at, message: `${prefix}required param '${param.name}' is not passed` });
  }
  instantiate(target, passed, deployment);
}

/** What a value passed to a param breaks: its type, `@allowed`, and length or range decorators. */
function paramViolations(param: BicepDeclaration & { kind: 'param' }, value: BicepValue): string[] {
  if (value.kind === 'either') return value.options.flatMap((option) => paramViolations(param, option));
  const problems: string[] = [];
  const expected = primitive(param.type);
  const actual = typeNameOf(value);
  if (expected && actual && expected !== actual)
    problems.push(`expected ${expected}, got ${describeValue(value)}`);
  const plain = toPlain(value);
  if (plain === undefined) return problems;
  const allowed = decorator(param.decorators, 'allowed')?.args[0];
  if (allowed?.kind === 'array') {
    const options = allowed.items.map((item) =>
      item.kind === 'string'
        ? item.parts.filter((part) => typeof part === 'string').join('')
        : item.kind === 'number'
          ? item.value
          : undefined,
    );
    if (!options.includes(plain as string | number))
      problems.push(`${JSON.stringify(plain)} is not one of ${JSON.stringify(options)}`);
  }
  const limit = (name: string): number | undefined => {
    const arg = decorator(param.decorators, name)?.args[0];
    return arg?.kind === 'number' ? arg.value : undefined;
  };
  const length = typeof plain === 'string' || Array.isArray(plain) ? plain.length : undefined;
  const minLength = limit('minLength');
  const maxLength = limit('maxLength');
  if (length !== undefined && minLength !== undefined && length < minLength)
    problems.push(`length ${length} is below @minLength(${minLength})`);
  if (length !== undefined && maxLength !== undefined && length > maxLength)
    problems.push(`length ${length} is above @maxLength(${maxLength})`);
  const minValue = limit('minValue');
  const maxValue = limit('maxValue');
  if (typeof plain === 'number' && minValue !== undefined && plain < minValue)
    problems.push(`${plain} is below @minValue(${minValue})`);
  if (typeof plain === 'number' && maxValue !== undefined && plain > maxValue)
    problems.push(`${plain} is above @maxValue(${maxValue})`);
  return problems;
}

function decorator(decorators: BicepDecorator[], name: string): BicepDecorator | undefined {
  return decorators.find((item) => item.name === name || item.name === `sys.${name}`);
}

function modulePath(from: string, relative: string): string {
  return path.normalize(path.join(path.dirname(from), relative));
}

function dedupe(issues: BicepIssue[]): BicepIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.file}:${issue.line}:${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
