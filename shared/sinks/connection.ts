/**
 * Connection resolution (docs/destinations.md): a configuration names a connection; its properties are
 * app settings `<NAME>__<property>`; an empty name means `TRACES_<DESTINATION>`. Validated with
 * zod so a missing or malformed setting is reported by its full app-setting name.
 */
import { z } from 'zod';
import type { Destination } from '../config/model';
import { TraceError } from '../errors';

/** Default Log Analytics stream (DCR stream declaration) of trace records. */
export const DEFAULT_STREAM_NAME = 'Custom-RetinaTraces_CL';
/** Default Azure Table name of trace records. */
export const DEFAULT_TABLE_NAME = 'RetinaTraces';

/** Settings of a stdout destination (no connection). */
export interface StdoutConnection {
  destination: 'stdout';
  name: string;
}

/** Settings of an Azure Table destination. */
export interface AzureTableConnection {
  destination: 'azuretable';
  name: string;
  /** `<NAME>__tableServiceUri`, e.g. `https://acct.table.core.windows.net`. Used with a token credential. */
  tableServiceUri?: string;
  /** `<NAME>__connectionString`, e.g. an Azurite connection string; wins over the URI. */
  connectionString?: string;
  /** `<NAME>__tableName`; default `RetinaTraces`. */
  tableName: string;
  /** `<NAME>__clientId`: user-assigned managed identity client id. */
  clientId?: string;
  /**
   * `<NAME>__partitionShards`: partitions per configuration and hour, nodes hashed over them
   * (1-100, default 4). Size it from the busiest configuration's peak rate: at least
   * records/s ÷ 1,000 (a partition takes 2,000 entities/s; half is left for uneven nodes).
   */
  partitionShards?: number;
  /**
   * `<NAME>__shardsPerNode`: partitions one node's records of a configuration spread over (1-100,
   * at most `partitionShards`, default 1); raise it only for a node above ~1,500 records/s of one
   * configuration (each of its events then fills that many transactions instead of one).
   */
  shardsPerNode?: number;
}

/** Settings of a Log Analytics (Logs Ingestion API) destination. */
export interface LogAnalyticsConnection {
  destination: 'loganalytics';
  name: string;
  /** `<NAME>__endpoint`: DCE or DCR logs-ingestion endpoint (https). */
  endpoint: string;
  /** `<NAME>__ruleId`: DCR immutable id, `dcr-<32 hex>`. */
  ruleId: string;
  /** `<NAME>__streamName`; default `Custom-RetinaTraces_CL`. */
  streamName: string;
  clientId?: string;
  /**
   * `<NAME>__schema`: `retina` (default, also when unset) writes `RetinaTraces_CL` rows to `streamName`; `asim`
   * writes Microsoft Sentinel ASIM rows to the `Custom-ASim...` streams of the same rule
   * (`ASimNetworkSessionLogs`, `ASimDnsActivityLogs`, `ASimWebSessionLogs`; docs/sentinel.md).
   */
  schema?: LogAnalyticsSchema;
}

/** Output schemas of a Log Analytics connection. */
export const LOG_ANALYTICS_SCHEMAS = ['retina', 'asim'] as const;
/** One of {@link LOG_ANALYTICS_SCHEMAS}. */
export type LogAnalyticsSchema = (typeof LOG_ANALYTICS_SCHEMAS)[number];

/** Settings of an OpenTelemetry (OTLP/HTTP logs) destination. */
export interface OpenTelemetryConnection {
  destination: 'opentelemetry';
  name: string;
  /** `<NAME>__endpoint`: OTLP/HTTP base URL (`/v1/logs` is appended unless already there). */
  endpoint: string;
  /** Headers read from the app setting named by `<NAME>__headersSecretName` (`k=v,k2=v2`, as OTEL_EXPORTER_OTLP_HEADERS). */
  headers: Record<string, string>;
  /**
   * `<NAME>__protocol`: the OTLP/HTTP encoding, `http/json` (default) or `http/protobuf` (what the
   * OpenTelemetry SDKs send by default: smaller and cheaper to encode; some vendors accept only
   * it). Same values as OTEL_EXPORTER_OTLP_PROTOCOL.
   */
  protocol?: 'http/json' | 'http/protobuf';
}

/** Resolved settings of any destination. */
export type ConnectionSettings =
  StdoutConnection | AzureTableConnection | LogAnalyticsConnection | OpenTelemetryConnection;

/** The connection name a configuration's output resolves to. */
export function connectionName(destination: Destination, configured: string | undefined): string {
  const name = configured?.trim() ?? '';
  return name === '' ? `TRACES_${destination.toUpperCase()}` : name;
}

const nonEmpty = z.string().trim().min(1, 'must not be empty');
const httpsUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const optional = nonEmpty.optional();
const shardCount = z.coerce
  .number({ error: 'must be a whole number from 1 to 100' })
  .int('must be a whole number from 1 to 100')
  .min(1, 'must be a whole number from 1 to 100')
  .max(100, 'must be a whole number from 1 to 100')
  .optional();

const schemas = {
  stdout: z.object({}),
  azuretable: z
    .object({
      tableServiceUri: httpsUrl.optional(),
      connectionString: optional,
      tableName: z
        .string()
        .regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, 'must be 3-63 letters or digits, starting with a letter')
        .default(DEFAULT_TABLE_NAME),
      clientId: optional,
      partitionShards: shardCount,
      shardsPerNode: shardCount,
    })
    .refine((v) => v.tableServiceUri !== undefined || v.connectionString !== undefined, {
      message: 'required app setting is missing (or set connectionString)',
      path: ['tableServiceUri'],
    })
    .refine((v) => (v.shardsPerNode ?? 1) <= (v.partitionShards ?? 4), {
      message: 'must not exceed partitionShards (default 4)',
      path: ['shardsPerNode'],
    }),
  loganalytics: z.object({
    endpoint: httpsUrl,
    ruleId: z.string().regex(/^dcr-[0-9a-fA-F]{32}$/, 'must be a DCR immutable id (dcr-<32 hex digits>)'),
    streamName: z
      .string()
      .regex(/^Custom-\w+$/, 'must be a custom stream name (Custom-...)')
      .default(DEFAULT_STREAM_NAME),
    clientId: optional,
    schema: z
      .enum(LOG_ANALYTICS_SCHEMAS, { error: `must be one of: ${LOG_ANALYTICS_SCHEMAS.join(', ')}` })
      .optional(),
  }),
  opentelemetry: z.object({
    endpoint: httpsUrl,
    headersSecretName: optional,
    protocol: z
      .enum(['http/json', 'http/protobuf'], { error: 'must be http/json or http/protobuf' })
      .optional(),
  }),
} as const;

/** Property names each destination reads, for collecting `<NAME>__<property>` settings. */
const PROPERTIES: Record<Destination, readonly string[]> = {
  stdout: [],
  azuretable: [
    'tableServiceUri',
    'connectionString',
    'tableName',
    'clientId',
    'partitionShards',
    'shardsPerNode',
  ],
  loganalytics: ['endpoint', 'ruleId', 'streamName', 'clientId', 'schema'],
  opentelemetry: ['endpoint', 'headersSecretName', 'protocol'],
};

/**
 * Resolves a destination's connection from app settings. Throws `CONNECTION_INVALID` naming
 * every missing or invalid app setting (e.g. `TRACES_LOGANALYTICS__ruleId: Required`).
 */
export function resolveConnection(
  destination: Destination,
  configured: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): ConnectionSettings {
  const name = connectionName(destination, configured);
  const raw: Record<string, string> = {};
  for (const property of PROPERTIES[destination]) {
    const value = env[`${name}__${property}`];
    if (value !== undefined && value.trim() !== '') raw[property] = value.trim();
  }
  const parsed = schemas[destination].safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const property = issue.path.map(String).join('.');
      const message =
        issue.code === 'invalid_type' && raw[property] === undefined
          ? 'required app setting is missing'
          : issue.message;
      return `${name}__${property}: ${message}`;
    });
    throw new TraceError('CONNECTION_INVALID', `${destination} connection '${name}': ${problems.join('; ')}`);
  }
  switch (destination) {
    case 'stdout':
      return { destination, name };
    case 'azuretable':
      return { destination, name, ...(parsed.data as z.infer<(typeof schemas)['azuretable']>) };
    case 'loganalytics':
      return { destination, name, ...(parsed.data as z.infer<(typeof schemas)['loganalytics']>) };
    case 'opentelemetry': {
      const data = parsed.data as z.infer<(typeof schemas)['opentelemetry']>;
      return {
        destination,
        name,
        endpoint: data.endpoint,
        headers: resolveHeaders(name, data.headersSecretName, env),
        ...(data.protocol === undefined ? {} : { protocol: data.protocol }),
      };
    }
  }
}

function resolveHeaders(
  name: string,
  secretName: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  if (secretName === undefined) return {};
  const value = env[secretName];
  if (value === undefined || value.trim() === '') {
    throw new TraceError(
      'CONNECTION_INVALID',
      `opentelemetry connection '${name}': ${name}__headersSecretName names app setting '${secretName}', which is not set`,
    );
  }
  return parseHeaderList(value, `${secretName}`);
}

/** Parses `k=v,k2=v2` (values URL-decoded, as OTEL_EXPORTER_OTLP_HEADERS). */
export function parseHeaderList(text: string, where: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const key = eq > 0 ? part.slice(0, eq).trim() : '';
    if (key === '' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key)) {
      throw new TraceError(
        'CONNECTION_INVALID',
        `${where}: header entry '${part.split('=')[0]}' is not a valid header name (expected k=v,k2=v2)`,
      );
    }
    headers[key.toLowerCase()] = decodeURIComponent(part.slice(eq + 1).trim());
  }
  return headers;
}
