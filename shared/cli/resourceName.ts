import { UsageError } from './command';

/** The namespace a command uses when none is given (kubectl's default). */
export const DEFAULT_NAMESPACE = 'default';

/** A configuration's namespace and name. */
export interface ResourceName {
  namespace: string;
  name: string;
}

/** Parses `NAME` (in `namespace`, default `default`) or `NAMESPACE/NAME`. */
export function parseResourceName(text: string, namespace: string | undefined): ResourceName {
  const parts = text.split('/');
  if (parts.length === 1 && parts[0] !== '')
    return { namespace: namespace ?? DEFAULT_NAMESPACE, name: parts[0]! };
  const [ns, name] = parts;
  if (parts.length !== 2 || !ns || !name) throw new UsageError(`'${text}' is not NAME or NAMESPACE/NAME`);
  if (namespace !== undefined && namespace !== ns)
    throw new UsageError(`'${text}' names namespace ${ns} but -n says ${namespace}`);
  return { namespace: ns, name };
}

/** The API path of one configuration. */
export function resourcePath({ namespace, name }: ResourceName): string {
  return `traceconfigurations/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
}
