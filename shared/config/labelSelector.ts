/**
 * Label-selector evaluation with Kubernetes semantics (apimachinery `labels.Selector`), compiled
 * once per configuration generation into a closure the per-packet path can call cheaply.
 */
import type { LabelSelector } from './model';

/** Labels of a pod, namespace, node or service. */
export type Labels = Readonly<Record<string, string>>;

/** A compiled selector: true when `labels` satisfy every requirement. */
export type LabelPredicate = (labels: Labels) => boolean;

const hasLabel = (labels: Labels, key: string): boolean => Object.prototype.hasOwnProperty.call(labels, key);

/**
 * Compiles `selector`. All requirements are AND-ed; an empty selector matches everything.
 * `In` needs the label with one of the values; `NotIn` matches when the label is absent or has
 * none of the values; `Exists` / `DoesNotExist` test presence only.
 */
export function compileLabelSelector(selector: LabelSelector): LabelPredicate {
  const checks: LabelPredicate[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels)) {
    checks.push((labels) => hasLabel(labels, key) && labels[key] === value);
  }
  for (const requirement of selector.matchExpressions) {
    const { key } = requirement;
    const values = new Set(requirement.values ?? []);
    switch (requirement.operator) {
      case 'In':
        checks.push((labels) => hasLabel(labels, key) && values.has(labels[key] ?? ''));
        break;
      case 'NotIn':
        checks.push((labels) => !hasLabel(labels, key) || !values.has(labels[key] ?? ''));
        break;
      case 'Exists':
        checks.push((labels) => hasLabel(labels, key));
        break;
      case 'DoesNotExist':
        checks.push((labels) => !hasLabel(labels, key));
        break;
    }
  }
  if (checks.length === 0) return () => true;
  if (checks.length === 1) return checks[0] ?? (() => true);
  return (labels) => {
    for (const check of checks) if (!check(labels)) return false;
    return true;
  };
}
