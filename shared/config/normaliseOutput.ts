/** `outputConfiguration` to {@link OutputConfiguration}, refusing inline secrets (CONTRACTS §1, §4). */
import { matchEnum } from './enumText';
import type { IssueCollector, PathSegment } from './issues';
import { DESTINATIONS, type OutputConfiguration } from './model';
import { isRawObject } from './rawValue';
import { OutputConfigurationSchema } from './schema';
import { warnUnknownFields } from './unknownFields';

const OUTPUT_FIELDS = Object.keys(OutputConfigurationSchema.shape);

/** Markers of credentials that must never sit in a manifest, with the name shown to the user. */
const SECRET_MARKERS: readonly { pattern: RegExp; name: string }[] = [
  { pattern: /accountkey\s*=/i, name: 'an AccountKey=' },
  { pattern: /sharedaccesskey\s*=/i, name: 'a SharedAccessKey=' },
  { pattern: /(^|[?&;\s])sig\s*=/i, name: 'a SAS signature (sig=)' },
  { pattern: /password\s*=/i, name: 'a password=' },
  { pattern: /\bbearer\s+\S/i, name: 'a bearer token' },
  { pattern: /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\./, name: 'a JSON Web Token' },
];

/** Connection names are app-setting prefixes: `<NAME>__<property>`. */
const CONNECTION_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** What kind of secret `text` appears to contain, or `undefined`. */
export function secretKind(text: string): string | undefined {
  return SECRET_MARKERS.find((marker) => marker.pattern.test(text))?.name;
}

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
  return {
    destination,
    connection: connectionText === '' ? defaultConnectionName(destination) : connectionText,
  };
}
