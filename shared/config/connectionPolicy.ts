/**
 * Which connections a TraceConfiguration may name. A configuration chooses where its records go,
 * so it must never be able to name a connection the backend itself uses (its configuration store,
 * identity store, dead letters, host storage, the Event Hubs trigger): records written there would
 * corrupt the backend's own data. Only connections the operator declared for trace output are
 * allowed: every name with the reserved prefix `TRACES_`, plus the names listed in the app setting
 * `TRACE_OUTPUT_CONNECTIONS`.
 */

/** The reserved prefix of trace output connections: `TRACES_AZURETABLE`, `TRACES_ORDERS`, ... */
export const TRACE_CONNECTION_PREFIX = 'TRACES_';

/** The app setting listing further trace output connections, comma separated. */
export const TRACE_OUTPUT_CONNECTIONS_SETTING = 'TRACE_OUTPUT_CONNECTIONS';

/** Connections a configuration may name, besides those with {@link TRACE_CONNECTION_PREFIX}. */
export interface ConnectionPolicy {
  /** Further declared names (from {@link TRACE_OUTPUT_CONNECTIONS_SETTING}). Default none. */
  allowedNames: readonly string[];
  /**
   * `allow` accepts names that are neither `TRACES_*` nor listed (internal names stay refused):
   * for a client that cannot know the server's list, such as `tracectl apply`. Default `refuse`.
   */
  undeclared?: 'refuse' | 'allow';
}

/** The policy without declared extra names: only `TRACES_*`. */
export const DEFAULT_CONNECTION_POLICY: ConnectionPolicy = Object.freeze({ allowedNames: [] });

/**
 * Names (compared case-insensitively: Windows app settings are) and prefixes of settings the
 * backend and its host use for themselves.
 */
const INTERNAL_NAMES = [
  'CONFIG_STORE',
  'IDENTITY_STORE',
  'DEADLETTER',
  'EventHubConnection',
  'AzureWebJobsStorage',
];
const INTERNAL_PREFIXES = [
  'AzureWebJobs',
  'APPLICATIONINSIGHTS',
  'AZURE_',
  'WEBSITE',
  'FUNCTIONS_',
  'MSI_',
  'IDENTITY_',
  'CONTAINER_',
];

/** True when `name` is (or looks like) a connection or setting of the backend itself. */
export function isInternalConnectionName(name: string): boolean {
  const upper = name.toUpperCase();
  return (
    INTERNAL_NAMES.some((internal) => internal.toUpperCase() === upper) ||
    INTERNAL_PREFIXES.some((prefix) => upper.startsWith(prefix.toUpperCase()))
  );
}

/**
 * Parses the {@link TRACE_OUTPUT_CONNECTIONS_SETTING} value (`A, B`). Throws naming an entry that
 * is not a connection name or names an internal connection.
 */
export function connectionPolicyFromSetting(value: string | undefined): ConnectionPolicy {
  const names = (value ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of names) {
    if (!/^[A-Za-z][A-Za-z0-9_]{0,127}$/.test(name))
      throw new Error(`${TRACE_OUTPUT_CONNECTIONS_SETTING}: '${name}' is not a connection name`);
    if (isInternalConnectionName(name))
      throw new Error(
        `${TRACE_OUTPUT_CONNECTIONS_SETTING}: '${name}' is an internal connection of the backend`,
      );
  }
  return { allowedNames: names };
}

/** Why a configuration may not name `name`, or `undefined` when it may. */
export function connectionNameProblem(name: string, policy: ConnectionPolicy): string | undefined {
  if (isInternalConnectionName(name)) {
    return `names '${name}', an internal connection of the backend; a configuration may only name a trace output connection (${TRACE_CONNECTION_PREFIX}<NAME>, or one listed in the app setting ${TRACE_OUTPUT_CONNECTIONS_SETTING})`;
  }
  if (name.startsWith(TRACE_CONNECTION_PREFIX) || policy.allowedNames.includes(name)) return undefined;
  if (policy.undeclared === 'allow') return undefined;
  return `names '${name}', which is not a declared trace output connection: use ${TRACE_CONNECTION_PREFIX}<NAME> (e.g. ${TRACE_CONNECTION_PREFIX}ORDERS), or ask the operator to list it in the app setting ${TRACE_OUTPUT_CONNECTIONS_SETTING}`;
}

/**
 * The policy of a command-line client: names from its own `TRACE_OUTPUT_CONNECTIONS` environment
 * variable (the operator's list, when they export it). Throws naming a bad entry.
 */
export function connectionPolicyFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  undeclared: 'refuse' | 'allow' = 'refuse',
): ConnectionPolicy {
  return { ...connectionPolicyFromSetting(env[TRACE_OUTPUT_CONNECTIONS_SETTING]), undeclared };
}
