import type { AzureType, AzureTypeIndex, TypeProperty, TypeRef } from './azureTypes';
import { PropertyFlags } from './azureTypes';
import type { BicepIssue, BicepValue } from './bicepValue';
import { describeValue, typeNameOf } from './bicepValue';

/** How a check is run. */
export interface CheckOptions {
  /** The value is a resource body: Bicep's own keys (parent, scope, dependsOn) are skipped. */
  resourceBody?: boolean;
  /**
   * Whether a string outside an extensible enum's known values is accepted at `path` (array
   * indexes written `[]`). Azure publishes most enums as "known values or any string".
   */
  acceptsExtension?: (path: string, value: string) => boolean;
}

/** Keys Bicep itself understands on a resource body; they are not part of the ARM type. */
const BICEP_RESOURCE_KEYWORDS = new Set(['parent', 'scope', 'dependsOn']);

/**
 * Checks a value against an Azure type definition the way the Bicep compiler does: unknown
 * properties, writes to read-only ones, missing required ones, enum values, string patterns and
 * lengths, integer ranges and array lengths. `path` names the place in messages
 * (`properties.siteConfig.minTlsVersion`).
 */
export function checkAgainstType(
  index: AzureTypeIndex,
  value: BicepValue,
  type: AzureType | undefined,
  path: string,
  issues: BicepIssue[],
  options: CheckOptions = {},
): void {
  if (!type) return;
  if (value.kind === 'either') {
    for (const option of value.options) checkAgainstType(index, option, type, path, issues, options);
    return;
  }
  const fail = (message: string): void => {
    issues.push({ file: value.at.file, line: value.at.line, message: `${path || '(body)'}: ${message}` });
  };
  switch (type.$type) {
    case 'AnyType':
    case 'ResourceType':
    case 'ResourceFunctionType':
      return;
    case 'NullType':
      if (value.kind !== 'null' && value.kind !== 'unknown')
        fail(`expected null, got ${describeValue(value)}`);
      return;
    case 'StringLiteralType':
      if (value.kind === 'string' && value.value !== type.value) {
        fail(`'${value.value}' is not allowed here; expected '${type.value}'`);
      } else expectKind('string');
      return;
    case 'StringType':
      if (!expectKind('string') || value.kind !== 'string') return;
      if (type.minLength !== undefined && value.value.length < type.minLength) {
        fail(
          `'${value.value}' is ${value.value.length} characters, fewer than the minimum ${type.minLength}`,
        );
      }
      if (type.maxLength !== undefined && value.value.length > type.maxLength) {
        fail(`'${value.value}' is ${value.value.length} characters, more than the maximum ${type.maxLength}`);
      }
      if (type.pattern !== undefined && !matches(type.pattern, value.value)) {
        fail(`'${value.value}' does not match the pattern ${type.pattern}`);
      }
      return;
    case 'IntegerType':
      if (!expectKind('int') || value.kind !== 'number') return;
      if (type.minValue !== undefined && value.value < type.minValue)
        fail(`${value.value} is below the minimum ${type.minValue}`);
      if (type.maxValue !== undefined && value.value > type.maxValue)
        fail(`${value.value} is above the maximum ${type.maxValue}`);
      return;
    case 'BooleanType':
      expectKind('bool');
      return;
    case 'ArrayType': {
      if (!expectKind('array') || value.kind !== 'array') return;
      if (type.minLength !== undefined && value.items.length < type.minLength)
        fail(`fewer than ${type.minLength} items`);
      if (type.maxLength !== undefined && value.items.length > type.maxLength)
        fail(`more than ${type.maxLength} items`);
      const itemType = index.resolve(type.itemType);
      value.items.forEach((item, i) =>
        checkAgainstType(index, item, itemType, `${path}[${i}]`, issues, inner(options)),
      );
      return;
    }
    case 'UnionType':
      checkUnion(index, value, type.elements, path, issues, options);
      return;
    case 'ObjectType':
      checkObject(index, value, type.properties, type.additionalProperties, path, issues, options);
      return;
    case 'DiscriminatedObjectType': {
      if (!expectKind('object') || value.kind !== 'object') return;
      const tag = value.properties.get(type.discriminator);
      if (tag?.kind !== 'string') return;
      const elementRef = type.elements[tag.value];
      if (!elementRef) {
        const allowed = Object.keys(type.elements).join(', ');
        issues.push({
          file: tag.at.file,
          line: tag.at.line,
          message: `${join(path, type.discriminator)}: '${tag.value}' is not one of ${allowed}`,
        });
        return;
      }
      const element = index.resolve(elementRef);
      const properties =
        element?.$type === 'ObjectType'
          ? { ...type.baseProperties, ...element.properties }
          : type.baseProperties;
      const additional = element?.$type === 'ObjectType' ? element.additionalProperties : undefined;
      checkObject(index, value, properties, additional, path, issues, options);
      return;
    }
  }

  function expectKind(kind: 'string' | 'int' | 'bool' | 'array' | 'object'): boolean {
    const actual = typeNameOf(value);
    if (actual === undefined || actual === kind) return true;
    fail(`expected ${kind}, got ${describeValue(value)}`);
    return false;
  }
}

function checkObject(
  index: AzureTypeIndex,
  value: BicepValue,
  properties: Record<string, TypeProperty>,
  additional: TypeRef | undefined,
  path: string,
  issues: BicepIssue[],
  options: CheckOptions,
): void {
  if (value.kind !== 'object') {
    const actual = typeNameOf(value);
    if (actual !== undefined && actual !== 'object') {
      issues.push({
        file: value.at.file,
        line: value.at.line,
        message: `${path || '(body)'}: expected object, got ${describeValue(value)}`,
      });
    }
    return;
  }
  for (const [key, item] of value.properties) {
    if (options.resourceBody && BICEP_RESOURCE_KEYWORDS.has(key)) continue;
    const property = properties[key];
    const where = join(path, key);
    const keyAt = value.keys?.get(key) ?? item.at;
    if (!property) {
      if (additional) {
        checkAgainstType(index, item, index.resolve(additional), where, issues, inner(options));
        continue;
      }
      issues.push({
        file: keyAt.file,
        line: keyAt.line,
        message: `${where}: unknown property${suggestion(key, Object.keys(properties))}`,
      });
      continue;
    }
    if (property.flags & PropertyFlags.ReadOnly) {
      issues.push({
        file: keyAt.file,
        line: keyAt.line,
        message: `${where}: read-only property (set by Azure, not writable)`,
      });
      continue;
    }
    checkAgainstType(index, item, index.resolve(property.type), where, issues, inner(options));
  }
  for (const [key, property] of Object.entries(properties)) {
    const required = property.flags & PropertyFlags.Required && !(property.flags & PropertyFlags.ReadOnly);
    if (required && !value.properties.has(key)) {
      issues.push({
        file: value.at.file,
        line: value.at.line,
        message: `${join(path, key)}: required property missing`,
      });
    }
  }
}

function checkUnion(
  index: AzureTypeIndex,
  value: BicepValue,
  elements: TypeRef[],
  path: string,
  issues: BicepIssue[],
  options: CheckOptions,
): void {
  const literalValues = elements.flatMap((element) => {
    const type = index.resolve(element);
    return type?.$type === 'StringLiteralType' ? [type.value] : [];
  });
  // Azure marks most enums extensible (known values | any string); a value outside the known ones
  // is far more often a typo than a new service value, so it is reported all the same.
  const extension =
    value.kind === 'string' && options.acceptsExtension?.(path.replace(/\[\d+\]/g, '[]'), value.value);
  if (
    value.kind === 'string' &&
    literalValues.length > 0 &&
    !literalValues.includes(value.value) &&
    !extension
  ) {
    const quoted = literalValues.map((literal) => `'${literal}'`).join(', ');
    issues.push({
      file: value.at.file,
      line: value.at.line,
      message: `${path}: '${value.value}' is not one of ${quoted}`,
    });
    return;
  }
  const attempts = elements.map((element) => {
    const found: BicepIssue[] = [];
    checkAgainstType(index, value, index.resolve(element), path, found, inner(options));
    return found;
  });
  if (attempts.some((found) => found.length === 0)) return;
  const literals = elements.flatMap((element) => {
    const type = index.resolve(element);
    return type?.$type === 'StringLiteralType' ? [`'${type.value}'`] : [];
  });
  if (literals.length > 0 && value.kind === 'string') {
    issues.push({
      file: value.at.file,
      line: value.at.line,
      message: `${path}: '${value.value}' is not one of ${literals.join(', ')}`,
    });
    return;
  }
  issues.push(...attempts.reduce((fewest, found) => (found.length < fewest.length ? found : fewest)));
}

function inner(options: CheckOptions): CheckOptions {
  return options.acceptsExtension ? { acceptsExtension: options.acceptsExtension } : {};
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function matches(pattern: string, text: string): boolean {
  try {
    return new RegExp(pattern).test(text);
  } catch {
    return true; // a .NET-only construct: the pattern cannot be checked here, Azure still will
  }
}

function suggestion(key: string, known: string[]): string {
  const sameLetters = known.find((name) => name.toLowerCase() === key.toLowerCase());
  if (sameLetters) return ` (did you mean '${sameLetters}'?)`;
  return known.length > 0 && known.length <= 40 ? ` (known: ${known.sort().join(', ')})` : '';
}
