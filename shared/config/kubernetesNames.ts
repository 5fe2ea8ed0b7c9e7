/**
 * Kubernetes naming rules (apimachinery `validation.IsDNS1123Subdomain`, `IsQualifiedName`,
 * `IsValidLabelValue`, `IsValidPortName`), returning a reason instead of a boolean so messages can
 * say what is wrong.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const PORT_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** Why `name` is not a DNS-1123 subdomain (resource names), or `undefined` when it is one. */
export function dns1123SubdomainProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.length > 253) return `must be at most 253 characters (has ${name.length})`;
  if (!DNS1123_SUBDOMAIN.test(name)) {
    return 'must consist of lower case letters, digits, "-" and ".", and start and end with a letter or digit (e.g. "http-to-storage")';
  }
  return undefined;
}

/** Why `name` is not a DNS-1123 label (namespaces), or `undefined` when it is one. */
export function dns1123LabelProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.length > 63) return `must be at most 63 characters (has ${name.length})`;
  if (!DNS1123_LABEL.test(name)) {
    return 'must consist of lower case letters, digits and "-", and start and end with a letter or digit (e.g. "kube-system")';
  }
  return undefined;
}

/** Why `key` is not a valid label key (`[prefix/]name`), or `undefined` when it is one. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined) {
    if (dns1123SubdomainProblem(prefix) !== undefined) {
      return `label key "${key}" has an invalid prefix "${prefix}": it must be a DNS subdomain such as "app.kubernetes.io"`;
    }
  }
  if (name.length === 0) return `label key "${key}" has an empty name`;
  if (name.length > 63) return `label key "${key}" has a name longer than 63 characters`;
  if (!QUALIFIED_NAME_PART.test(name)) {
    return `label key "${key}" must be letters, digits, "-", "_" and ".", starting and ending with a letter or digit, with an optional "prefix/"`;
  }
  return undefined;
}

/** Why `value` is not a valid label value, or `undefined` when it is one (empty is valid). */
export function labelValueProblem(value: string): string | undefined {
  if (value.length === 0) return undefined;
  if (value.length > 63) return `label value "${value}" is longer than 63 characters`;
  if (!QUALIFIED_NAME_PART.test(value)) {
    return `label value "${value}" must be letters, digits, "-", "_" and ".", starting and ending with a letter or digit`;
  }
  return undefined;
}

/** Why `name` is not a valid named port (IANA service name), or `undefined` when it is one. */
export function portNameProblem(name: string): string | undefined {
  if (name.length > 15) return `port name "${name}" is longer than 15 characters`;
  if (!PORT_NAME.test(name) || name.includes('--') || !/[a-z]/.test(name)) {
    return `port "${name}" is neither a number (1–65535) nor a port name (lower case letters, digits and "-", with at least one letter, e.g. "http")`;
  }
  return undefined;
}
