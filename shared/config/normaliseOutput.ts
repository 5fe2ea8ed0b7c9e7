/**
 * `outputConfiguration` to {@link OutputConfiguration}, refusing inline secrets (docs/trace-configuration.md, docs/destinations.md)
 * and connections the operator did not declare for trace output.
 */
import { matchEnum } from './enumText';
import type { IssueCollector, PathSegment } from './issues';
import { DESTINATIONS, type OutputConfiguration } from './model';
import { isRawObject } from './rawValue';
import { OutputConfigurationSchema } from './schema';
import { connectionNameProblem, DEFAULT_CONNECTION_POLICY, type ConnectionPolicy } from './connectionPolicy';
import { secretKind } from './secrets';
import { warnUnknownFields } from './unknownFields';

const OUTPUT_FIELDS = Object.keys(OutputConfigurationSchema.shape);

/** Connection names are app-setting prefixes: `<NAME>__<property>`. */
const CONNECTION_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Longest connection name: far above any honest one, far below a key or token. */
export const MAX_CONNECTION_NAME_LENGTH = 128;

export { secretKind };

/** The connection used when `connectionConfiguration` is empty: `TRACES_<DESTINATION>`. */
export function defaultConnectionName(destination: string): string {
  return `TRACES_${destination.toUpperCase()}`;
}

/**
 * Normalises the output configuration. `connectionConfiguration` must name a connection; a value
 * that looks like a credential is an error whose message never repeats the value.
 */
export function normaliseOutput(
  raw: unknown,
  at: readonly PathSegment[],
  issues: IssueCollector,
  policy: ConnectionPolicy = DEFAULT_CONNECTION_POLICY,
): OutputConfiguration | undefined {
  if (!isRawObject(raw)) return undefined;
  warnUnknownFields(raw, OUTPUT_FIELDS, at, issues);
  const destination =
    typeof raw.destination === 'string' ? matchEnum(DESTINATIONS, raw.destination) : undefined;
  const connectionText =
    typeof raw.connectionConfiguration === 'string' ? raw.connectionConfiguration.trim() : '';
  const connectionAt = [...at, 'connectionConfiguration'];
  const secret = secretKind(connectionText);
  if (secret !== undefined) {
    issues.error(
      connectionAt,
      `contains ${secret}: credentials must not be written in a TraceConfiguration (the value is not shown here). Name a connection instead, e.g. TRACES_STORAGE, and set its app settings TRACES_STORAGE__<property> with managed identity`,
      'SECRET_IN_MANIFEST',
    );
    return undefined;
  }
  if (connectionText.length > MAX_CONNECTION_NAME_LENGTH) {
    issues.error(
      connectionAt,
      `is ${connectionText.length} characters long; a connection name has at most ${MAX_CONNECTION_NAME_LENGTH} (the value is not shown in case it holds a secret)`,
      'SECRET_IN_MANIFEST',
    );
    return undefined;
  }
  if (connectionText !== '' && !CONNECTION_NAME.test(connectionText)) {
    issues.error(
      connectionAt,
      'must be a connection name (letters, digits and "_", starting with a letter, e.g. TRACES_STORAGE) whose settings are the app settings <NAME>__<property>; the value is not shown in case it holds a secret',
    );
    return undefined;
  }
  if (destination === undefined) return undefined;
  const connection = connectionText === '' ? defaultConnectionName(destination) : connectionText;
  const problem = connectionNameProblem(connection, policy);
  if (problem !== undefined) {
    issues.error(connectionAt, problem, 'CONNECTION_NOT_ALLOWED');
    return undefined;
  }
  return { destination, connection };
}
