/**
 * Kubernetes label selectors compiled into closures: `matchLabels` and `matchExpressions`
 * (`In`, `NotIn`, `Exists`, `DoesNotExist`) all AND-ed; an empty selector matches everything.
 */
import type { LabelSelector } from '../config/model';

/** The label Kubernetes puts on every namespace, holding the namespace's name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * A compiled selector. `namespaceName` supplies {@link NAMESPACE_NAME_LABEL} when the labels
 * lack it (identity snapshots may omit the automatic label).
 */
export type LabelPredicate = (
  labels: Readonly<Record<string, string>> | undefined,
  namespaceName?: string,
) => boolean;

type Labels = Readonly<Record<string, string>> | undefined;
type Requirement = (labels: Labels, namespaceName: string | undefined) => boolean;

function labelValue(labels: Labels, namespaceName: string | undefined, key: string): string | undefined {
  // Own keys only: `toString` and friends are not labels.
  const v = labels !== undefined && Object.hasOwn(labels, key) ? labels[key] : undefined;
  if (v !== undefined) return v;
  return key === NAMESPACE_NAME_LABEL ? namespaceName : undefined;
}

/** Compiles a selector once; the result never throws. */
export function compileLabelSelector(selector: LabelSelector): LabelPredicate {
  const requirements: Requirement[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels)) {
    requirements.push((labels, ns) => labelValue(labels, ns, key) === value);
  }
  for (const expression of selector.matchExpressions) {
    const key = expression.key;
    const values = new Set(expression.values ?? []);
    switch (expression.operator) {
      case 'In':
        requirements.push((labels, ns) => {
          const v = labelValue(labels, ns, key);
          return v !== undefined && values.has(v);
        });
        break;
      case 'NotIn':
        // Kubernetes: NotIn also matches objects without the key.
        requirements.push((labels, ns) => {
          const v = labelValue(labels, ns, key);
          return v === undefined || !values.has(v);
        });
        break;
      case 'Exists':
        requirements.push((labels, ns) => labelValue(labels, ns, key) !== undefined);
        break;
      case 'DoesNotExist':
        requirements.push((labels, ns) => labelValue(labels, ns, key) === undefined);
        break;
    }
  }
  if (requirements.length === 0) return () => true;
  return (labels, namespaceName) => {
    for (const requirement of requirements) if (!requirement(labels, namespaceName)) return false;
    return true;
  };
}
