/** Label selectors: full `metav1.LabelSelector` or the documented shorthand map, to {@link LabelSelector}. */
import type { IssueCollector, PathSegment } from './issues';
import { labelKeyProblem, labelValueProblem } from './kubernetesNames';
import type { LabelSelector, LabelSelectorRequirement } from './model';
import { matchEnum } from './enumText';
import { describeValue, isRawObject } from './rawValue';
import { LabelSelectorRequirementSchema, LabelSelectorSchema, OPERATOR_NAMES } from './schema';

const SELECTOR_FIELDS = Object.keys(LabelSelectorSchema.shape);
const REQUIREMENT_FIELDS = Object.keys(LabelSelectorRequirementSchema.shape);

function checkLabels(
  labels: Record<string, unknown>,
  at: readonly PathSegment[],
  issues: IssueCollector,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem !== undefined) issues.error([...at, key], keyProblem);
    if (typeof value !== 'string') continue;
    const valueProblem = labelValueProblem(value);
    if (valueProblem !== undefined) issues.error([...at, key], valueProblem);
    out[key] = value;
  }
  return out;
}

function normaliseRequirement(
  raw: unknown,
  at: readonly PathSegment[],
  issues: IssueCollector,
): LabelSelectorRequirement | undefined {
  if (!isRawObject(raw) || typeof raw.key !== 'string' || typeof raw.operator !== 'string') return undefined;
  for (const key of Object.keys(raw)) {
    if (!REQUIREMENT_FIELDS.includes(key))
      issues.warn([...at, key], `unknown field "${key}" is ignored`, true);
  }
  const keyProblem = labelKeyProblem(raw.key);
  if (keyProblem !== undefined) issues.error([...at, 'key'], keyProblem);
  const operator = matchEnum(OPERATOR_NAMES, raw.operator);
  if (operator === undefined) return undefined;
  const values = Array.isArray(raw.values)
    ? raw.values.filter((v): v is string => typeof v === 'string')
    : [];
  values.forEach((value, i) => {
    const problem = labelValueProblem(value);
    if (problem !== undefined) issues.error([...at, 'values', i], problem);
  });
  if ((operator === 'In' || operator === 'NotIn') && values.length === 0) {
    issues.error([...at, 'values'], `operator ${operator} needs at least one value`);
  }
  if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length > 0) {
    issues.error([...at, 'values'], `operator ${operator} takes no values; remove "values" or use In/NotIn`);
  }
  return operator === 'In' || operator === 'NotIn'
    ? { key: raw.key, operator, values }
    : { key: raw.key, operator };
}

/**
 * Normalises a selector. A mapping with `matchLabels` or `matchExpressions` is a full selector;
 * any other non-empty mapping is the shorthand `{label: value}`, read as `matchLabels` with a
 * Warning. `{}` selects everything. Returns `undefined` when `raw` is not a mapping (the schema
 * reports that).
 */
export function normaliseLabelSelector(
  raw: unknown,
  at: readonly PathSegment[],
  issues: IssueCollector,
): LabelSelector | undefined {
  if (!isRawObject(raw)) return undefined;
  const keys = Object.keys(raw);
  const isFull = keys.length === 0 || keys.some((key) => SELECTOR_FIELDS.includes(key));
  if (!isFull) {
    const shown = Object.entries(raw)
      .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : describeValue(value)}`)
      .join(', ');
    issues.warn(
      at,
      `shorthand selector map is read as matchLabels: {${shown}}; write matchLabels explicitly (a plain map is not a Kubernetes label selector)`,
    );
    for (const [key, value] of Object.entries(raw)) {
      if (typeof value !== 'string') {
        issues.error(
          [...at, key],
          `label value must be a string, got ${describeValue(value)}; quote numbers and booleans (e.g. "1")`,
        );
      }
    }
    return { matchLabels: checkLabels(raw, at, issues), matchExpressions: [] };
  }
  for (const key of keys) {
    if (!SELECTOR_FIELDS.includes(key)) {
      issues.warn(
        [...at, key],
        `unknown field "${key}" is ignored (a selector has matchLabels and matchExpressions)`,
        true,
      );
    }
  }
  const matchLabels = isRawObject(raw.matchLabels)
    ? checkLabels(raw.matchLabels, [...at, 'matchLabels'], issues)
    : {};
  const matchExpressions: LabelSelectorRequirement[] = [];
  if (Array.isArray(raw.matchExpressions)) {
    raw.matchExpressions.forEach((entry, i) => {
      const requirement = normaliseRequirement(entry, [...at, 'matchExpressions', i], issues);
      if (requirement !== undefined) matchExpressions.push(requirement);
    });
  }
  return { matchLabels, matchExpressions };
}
