import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AzureType, AzureTypeIndex } from './azureTypes';
import type { BicepDeclaration, BicepExpr } from './bicepSyntax';
import type { BicepIssue, BicepTypeName, BicepValue, Location } from './bicepValue';
import { fromJson, toPlain, unknownValue } from './bicepValue';

/** What an expression can see: one instance of one Bicep file. */
export interface BicepScope {
  /** Path of the file relative to the repository root (used in messages). */
  file: string;
  /** Absolute directory of the file (for `loadJsonContent` and module paths). */
  directory: string;
  declarations: Map<string, BicepDeclaration>;
  params: Map<string, BicepValue>;
  locals: Map<string, BicepValue>;
  /** Resource symbol → its type body (undefined when the type set lacks it). */
  resourceBodies: Map<string, AzureType | undefined>;
  /** Module symbol → the outputs its file declares, with their types. */
  moduleOutputs: Map<string, Map<string, BicepTypeName | undefined>>;
  index: AzureTypeIndex;
  issues: BicepIssue[];
  /** Variables evaluated so far (each once). */
  vars: Map<string, BicepValue>;
}

/** A stand-in for `uniqueString(...)`: 13 lowercase letters and digits, as the real function returns. */
export const UNIQUE_STRING_SAMPLE = 'abcdefgh23456';
/** A stand-in for `guid(...)`. */
export const GUID_SAMPLE = '00000000-0000-4000-8000-000000000000';
const MAX_COMBINATIONS = 64;

/** Evaluates an expression as far as it is knowable before deployment, reporting bad references. */
export function evaluate(expr: BicepExpr, scope: BicepScope): BicepValue {
  const at: Location = { file: scope.file, line: expr.line };
  switch (expr.kind) {
    case 'string': {
      const parts = expr.parts.map((part) =>
        typeof part === 'string' ? ({ kind: 'string', value: part, at } as const) : evaluate(part, scope),
      );
      return lift(parts, at, (values) => {
        const text = values.map(scalarText);
        return text.every((item) => item !== undefined)
          ? { kind: 'string', value: text.join(''), at }
          : unknownValue(at, 'string');
      });
    }
    case 'number':
      return { kind: 'number', value: expr.value, at };
    case 'boolean':
      return { kind: 'boolean', value: expr.value, at };
    case 'null':
      return { kind: 'null', at };
    case 'object': {
      const properties = new Map<string, BicepValue>();
      const keys = new Map<string, Location>();
      for (const property of expr.properties) {
        const keyValue = property.keyExpr ? evaluate(property.keyExpr, scope) : undefined;
        const key = keyValue?.kind === 'string' ? keyValue.value : property.key;
        properties.set(key, evaluate(property.value, scope));
        keys.set(key, { file: scope.file, line: property.line });
      }
      return { kind: 'object', properties, keys, at };
    }
    case 'array':
      return { kind: 'array', items: expr.items.map((item) => evaluate(item, scope)), at };
    case 'reference':
      return evaluateReference(expr.name, at, scope);
    case 'member':
    case 'index':
      return evaluateAccess(expr, at, scope);
    case 'call':
      return evaluateCall(
        expr.callee,
        expr.args.map((arg) => evaluate(arg, scope)),
        at,
        scope,
      );
    case 'ternary': {
      evaluate(expr.condition, scope);
      // Both branches are checked whatever the parameters, as the Bicep compiler does.
      return { kind: 'either', options: [evaluate(expr.then, scope), evaluate(expr.otherwise, scope)], at };
    }
    case 'binary':
      return lift([evaluate(expr.left, scope), evaluate(expr.right, scope)], at, ([left, right]) =>
        binary(expr.operator, left!, right!, at),
      );
    case 'unary':
      return lift([evaluate(expr.argument, scope)], at, ([argument]) => {
        if (expr.operator === '!' && argument?.kind === 'boolean')
          return { kind: 'boolean', value: !argument.value, at };
        if (expr.operator === '-' && argument?.kind === 'number')
          return { kind: 'number', value: -argument.value, at };
        return unknownValue(at, expr.operator === '!' ? 'bool' : 'int');
      });
    case 'for': {
      const source = evaluate(expr.source, scope);
      const items = source.kind === 'array' && source.items.length > 0 ? source.items : [unknownValue(at)];
      const bodies = items.map((item) => {
        scope.locals.set(expr.variable, item);
        return evaluate(expr.body, scope);
      });
      scope.locals.delete(expr.variable);
      return { kind: 'array', items: bodies, at };
    }
    case 'if':
      evaluate(expr.condition, scope);
      return evaluate(expr.body, scope);
  }
}

function evaluateReference(name: string, at: Location, scope: BicepScope): BicepValue {
  const local = scope.locals.get(name);
  if (local) return local;
  const declaration = scope.declarations.get(name);
  if (!declaration) {
    scope.issues.push({ ...at, message: `'${name}' is not declared` });
    return unknownValue(at);
  }
  switch (declaration.kind) {
    case 'param':
      return scope.params.get(name) ?? unknownValue(at, primitive(declaration.type));
    case 'var': {
      const known = scope.vars.get(name);
      if (known) return known;
      scope.vars.set(name, unknownValue(at)); // guards against a cycle
      const value = evaluate(declaration.value, scope);
      scope.vars.set(name, value);
      return value;
    }
    case 'resource':
    case 'module':
      return unknownValue(at, 'object');
    case 'output':
      return unknownValue(at); // never stored: outputs have their own namespace
  }
}

function evaluateAccess(
  expr: BicepExpr & { kind: 'member' | 'index' },
  at: Location,
  scope: BicepScope,
): BicepValue {
  const chain: (string | BicepExpr)[] = [];
  let root: BicepExpr = expr;
  while (root.kind === 'member' || root.kind === 'index') {
    chain.unshift(root.kind === 'member' ? root.property : root.index);
    root = root.object;
  }
  if (root.kind === 'reference' && !scope.locals.has(root.name)) {
    const declaration = scope.declarations.get(root.name);
    if (declaration?.kind === 'resource') return resourceAccess(root.name, chain, at, scope);
    if (declaration?.kind === 'module') return moduleAccess(root.name, chain, at, scope);
  }
  const object = evaluate(expr.object, scope);
  const key =
    expr.kind === 'member'
      ? ({ kind: 'string', value: expr.property, at } as const)
      : evaluate(expr.index, scope);
  return lift([object, key], at, ([target, selector]) => {
    if (target?.kind === 'object' && selector?.kind === 'string') {
      const found = target.properties.get(selector.value);
      if (found) return found;
      scope.issues.push({ ...at, message: `the object has no property '${selector.value}'` });
      return unknownValue(at);
    }
    if (target?.kind === 'array' && selector?.kind === 'number')
      return target.items[selector.value] ?? unknownValue(at);
    return unknownValue(at);
  });
}

function resourceAccess(
  symbol: string,
  chain: (string | BicepExpr)[],
  at: Location,
  scope: BicepScope,
): BicepValue {
  let type = scope.resourceBodies.get(symbol);
  const walked: string[] = [symbol];
  for (const segment of chain) {
    if (typeof segment !== 'string') {
      evaluate(segment, scope);
      type = type?.$type === 'ArrayType' ? scope.index.resolve(type.itemType) : undefined;
      walked.push('[]');
      continue;
    }
    if (!type) break;
    const next = propertyOf(type, segment, scope.index);
    if (next === 'missing') {
      scope.issues.push({ ...at, message: `${walked.join('.')} has no property '${segment}'` });
      return unknownValue(at);
    }
    type = next;
    walked.push(segment);
  }
  return unknownValue(at, primitiveOfType(type));
}

function propertyOf(type: AzureType, name: string, index: AzureTypeIndex): AzureType | undefined | 'missing' {
  if (type.$type === 'ObjectType') {
    const property = type.properties[name];
    if (property) return index.resolve(property.type);
    return type.additionalProperties ? index.resolve(type.additionalProperties) : 'missing';
  }
  if (type.$type === 'DiscriminatedObjectType') {
    const base = type.baseProperties[name];
    if (base) return index.resolve(base.type);
    for (const element of Object.values(type.elements)) {
      const resolved = index.resolve(element);
      const found = resolved ? propertyOf(resolved, name, index) : 'missing';
      if (found !== 'missing') return found;
    }
    return 'missing';
  }
  return undefined;
}

function moduleAccess(
  symbol: string,
  chain: (string | BicepExpr)[],
  at: Location,
  scope: BicepScope,
): BicepValue {
  const [first, second] = chain;
  if (first === 'outputs' && typeof second === 'string') {
    const outputs = scope.moduleOutputs.get(symbol);
    if (outputs && !outputs.has(second)) {
      const known = [...outputs.keys()].sort().join(', ');
      scope.issues.push({
        ...at,
        message: `module '${symbol}' has no output '${second}' (its outputs: ${known})`,
      });
      return unknownValue(at);
    }
    return unknownValue(at, outputs?.get(second));
  }
  if (first === 'name') return unknownValue(at, 'string');
  scope.issues.push({
    ...at,
    message: `module '${symbol}': only .name and .outputs.<name> can be referenced`,
  });
  return unknownValue(at);
}

function evaluateCall(callee: string, args: BicepValue[], at: Location, scope: BicepScope): BicepValue {
  const string = (value: string): BicepValue => ({ kind: 'string', value, at });
  switch (callee) {
    case 'resourceGroup':
    case 'subscription':
    case 'tenant':
    case 'deployment':
    case 'environment':
      return { kind: 'object', properties: deploymentObject(at), at };
    case 'uniqueString':
      return string(UNIQUE_STRING_SAMPLE);
    case 'guid':
      return string(GUID_SAMPLE);
    case 'loadJsonContent':
    case 'loadTextContent': {
      const file = args[0]?.kind === 'string' ? args[0].value : undefined;
      if (!file) return unknownValue(at);
      try {
        const text = readFileSync(path.join(scope.directory, file), 'utf8');
        return callee === 'loadTextContent' ? string(text) : fromJson(JSON.parse(text), at);
      } catch (error) {
        scope.issues.push({ ...at, message: `${callee}('${file}'): ${(error as Error).message}` });
        return unknownValue(at);
      }
    }
    default:
      return lift(args, at, (values) => pureCall(callee, values, at) ?? unknownValue(at));
  }
}

function deploymentObject(at: Location): Map<string, BicepValue> {
  const deployTime = (): BicepValue => unknownValue(at, 'string');
  return new Map([
    ['id', deployTime()],
    ['name', deployTime()],
    ['location', deployTime()],
    ['subscriptionId', deployTime()],
    ['tenantId', deployTime()],
  ]);
}

/** The items of an array, or of every option of an `either` whose options are all arrays. */
function arrayOptionsItems(value: BicepValue): BicepValue[] | undefined {
  if (value.kind === 'array') return value.items;
  if (value.kind !== 'either') return undefined;
  const options = value.options.map(arrayOptionsItems);
  return options.every((items) => items !== undefined) ? options.flatMap((items) => items) : undefined;
}

function pureCall(callee: string, values: BicepValue[], at: Location): BicepValue | undefined {
  const plain = values.map(toPlain);
  const strings = plain.every((value): value is string => typeof value === 'string') ? plain : undefined;
  switch (callee) {
    case 'toLower':
      return strings ? { kind: 'string', value: strings[0]!.toLowerCase(), at } : unknownValue(at, 'string');
    case 'toUpper':
      return strings ? { kind: 'string', value: strings[0]!.toUpperCase(), at } : unknownValue(at, 'string');
    case 'replace':
      return strings
        ? { kind: 'string', value: strings[0]!.split(strings[1]!).join(strings[2]), at }
        : unknownValue(at, 'string');
    case 'split':
      return strings ? fromJson(strings[0]!.split(strings[1]!), at) : unknownValue(at, 'array');
    case 'concat': {
      // Arrays concatenate; an operand that is one of several arrays (a ternary) contributes the
      // items of every option, so each item that can be deployed is checked.
      const arrays = values.map(arrayOptionsItems);
      if (values.length > 0 && arrays.every((items) => items !== undefined))
        return { kind: 'array', items: arrays.flatMap((items) => items), at };
      return unknownValue(at, values.some((value) => value.kind === 'string') ? 'string' : undefined);
    }
    case 'format':
    case 'subscriptionResourceId':
    case 'resourceId':
      return unknownValue(at, 'string');
    case 'empty': {
      const [value] = plain;
      if (value === undefined) return unknownValue(at, 'bool');
      const empty =
        value === null ||
        value === '' ||
        (Array.isArray(value)
          ? value.length === 0
          : typeof value === 'object' && Object.keys(value).length === 0);
      return { kind: 'boolean', value: empty, at };
    }
    case 'union': {
      if (!values.every((value) => value.kind === 'object')) return unknownValue(at, 'object');
      const properties = new Map<string, BicepValue>();
      const keys = new Map<string, Location>();
      for (const value of values) {
        if (value.kind !== 'object') continue;
        for (const [key, item] of value.properties) {
          properties.set(key, item);
          keys.set(key, value.keys?.get(key) ?? item.at);
        }
      }
      return { kind: 'object', properties, keys, at };
    }
    default:
      return undefined;
  }
}

function binary(operator: string, left: BicepValue, right: BicepValue, at: Location): BicepValue {
  const a = toPlain(left);
  const b = toPlain(right);
  const known = a !== undefined && b !== undefined;
  const bool = (value: boolean): BicepValue => ({ kind: 'boolean', value, at });
  switch (operator) {
    case '==':
      return known ? bool(JSON.stringify(a) === JSON.stringify(b)) : unknownValue(at, 'bool');
    case '!=':
      return known ? bool(JSON.stringify(a) !== JSON.stringify(b)) : unknownValue(at, 'bool');
    case '&&':
      return typeof a === 'boolean' && typeof b === 'boolean' ? bool(a && b) : unknownValue(at, 'bool');
    case '||':
      return typeof a === 'boolean' && typeof b === 'boolean' ? bool(a || b) : unknownValue(at, 'bool');
    case '<':
    case '<=':
    case '>':
    case '>=': {
      if (typeof a !== 'number' || typeof b !== 'number') return unknownValue(at, 'bool');
      return bool(operator === '<' ? a < b : operator === '<=' ? a <= b : operator === '>' ? a > b : a >= b);
    }
    case '??':
      return left.kind === 'null' ? right : left;
    default:
      return typeof a === 'number' && typeof b === 'number' && operator === '+'
        ? { kind: 'number', value: a + b, at }
        : unknownValue(at);
  }
}

/** Applies `fn` to every combination of the options of `either` arguments. */
function lift(values: BicepValue[], at: Location, fn: (values: BicepValue[]) => BicepValue): BicepValue {
  let combinations: BicepValue[][] = [[]];
  for (const value of values) {
    const options = value.kind === 'either' ? value.options : [value];
    combinations = combinations.flatMap((prefix) => options.map((option) => [...prefix, option]));
    if (combinations.length > MAX_COMBINATIONS) return unknownValue(at);
  }
  const results = combinations.map(fn);
  return results.length === 1 ? results[0]! : { kind: 'either', options: results, at };
}

function scalarText(value: BicepValue): string | undefined {
  if (value.kind === 'string') return value.value;
  if (value.kind === 'number' || value.kind === 'boolean') return String(value.value);
  return undefined;
}

/** The primitive type a `param`/`output` type text names, when it is one. */
export function primitive(typeText: string): BicepTypeName | undefined {
  return (['string', 'int', 'bool', 'object', 'array'] as const).find((name) => name === typeText);
}

const PRIMITIVE_OF_TYPE: Partial<Record<AzureType['$type'], BicepTypeName>> = {
  StringType: 'string',
  StringLiteralType: 'string',
  IntegerType: 'int',
  BooleanType: 'bool',
  ObjectType: 'object',
  DiscriminatedObjectType: 'object',
  ArrayType: 'array',
};

function primitiveOfType(type: AzureType | undefined): BicepTypeName | undefined {
  return type ? PRIMITIVE_OF_TYPE[type.$type] : undefined;
}
