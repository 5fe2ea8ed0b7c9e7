/**
 * The Functions app's settings (environment variables), parsed once at start. A missing or
 * malformed setting fails fast with its name. Destination connections (`TRACES_*__...` and any
 * connection a TraceConfiguration names) are resolved by the sinks when first used, because their
 * names come from user manifests.
 */
import { z } from 'zod';
import { TraceError } from '../errors';
import { DEFAULT_MAX_IN_FLIGHT } from '../sinks/send/inFlightLimit';
import {
  connectionPolicyFromSetting,
  TRACE_OUTPUT_CONNECTIONS_SETTING,
  type ConnectionPolicy,
} from '../config/connectionPolicy';

const nonEmpty = z.string().trim().min(1);
const positiveInt = (fallback: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().positive())
    .optional()
    .transform((value) => value ?? fallback);

/** A storage location given either as a connection string (Azurite, local) or a service URI (managed identity). */
export interface StorageLocation {
  connectionString?: string;
  serviceUri?: string;
  /** Client id of a user-assigned managed identity (`<NAME>__clientId`). */
  clientId?: string;
}

/** Parsed app settings. */
export interface AppSettings {
  /** Event Hub carrying trace batches and identity snapshots. Default `retina-traces`. */
  traceHubName: string;
  /** Consumer group of the ingest function. Default `$Default`. */
  traceConsumerGroup: string;
  /** Where TraceConfigurations are stored (Azure Table). */
  configStore: StorageLocation & { tableName: string };
  /** Where identity tables are stored (Azure Table). */
  identityStore: StorageLocation & { tableName: string };
  /** Where failed records and rejected events are dead-lettered (Azure Blob). */
  deadLetter: StorageLocation & { containerName: string };
  /**
   * Where packets of `retina.sh/retain-packets` configurations are kept (Azure Blob,
   * `RETENTION__*`; default the dead-letter account, container `trace-retained`).
   */
  retention: StorageLocation & { containerName: string };
  /** How often the ingest function looks for changed configurations, in ms. Default 10 000. */
  configRefreshIntervalInMs: number;
  /** Largest request body the HTTP API accepts, in bytes. Default 262 144. */
  maxRequestBodyBytes: number;
  /** Flows tracked per partition for `FirstPacket`. Default 1 000 000. */
  maxTrackedFlows: number;
  /**
   * Requests in flight at once per destination connection and instance (`DELIVERY_MAX_IN_FLIGHT`).
   * Default 16: enough to hide 20–50 ms of latency at one core's throughput (docs/operations.md).
   */
  deliveryMaxInFlight: number;
  /**
   * Records per destination an invocation holds waiting for full pushes before sending them early
   * (`DELIVERY_MAX_PENDING_RECORDS`). Default 10 000.
   */
  deliveryMaxPendingRecords: number;
  /**
   * Connections TraceConfigurations may name: every `TRACES_*` plus the names listed in
   * `TRACE_OUTPUT_CONNECTIONS` (comma separated, e.g. `PARTNER_OTLP,AUDIT_TABLE`). Never an
   * internal connection (`CONFIG_STORE`, `DEADLETTER`, `AzureWebJobsStorage`, ...).
   */
  connectionPolicy: ConnectionPolicy;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads `<prefix>__connectionString` / `<prefix>__<uriProperty>`, falling back to AzureWebJobsStorage. */
function storageLocation(env: Env, prefix: string, uriProperty: string, issues: string[]): StorageLocation {
  const connectionString = env[`${prefix}__connectionString`]?.trim() || undefined;
  const serviceUri = env[`${prefix}__${uriProperty}`]?.trim() || undefined;
  const clientId = env[`${prefix}__clientId`]?.trim() || undefined;
  const location: StorageLocation = {};
  if (connectionString !== undefined) location.connectionString = connectionString;
  else if (serviceUri !== undefined) {
    if (!/^https?:\/\//.test(serviceUri))
      issues.push(`${prefix}__${uriProperty}: must be an http(s) URL, got '${serviceUri}'`);
    location.serviceUri = serviceUri;
  } else {
    const hostStorage = env.AzureWebJobsStorage?.trim();
    if (hostStorage !== undefined && hostStorage !== '') location.connectionString = hostStorage;
    else
      issues.push(
        `${prefix}__${uriProperty} (or ${prefix}__connectionString, or AzureWebJobsStorage) must be set`,
      );
  }
  if (clientId !== undefined) location.clientId = clientId;
  return location;
}

const scalarSchema = z.object({
  TRACE_HUB_NAME: nonEmpty.optional().default('retina-traces'),
  TRACE_CONSUMER_GROUP: nonEmpty.optional().default('$Default'),
  CONFIG_STORE__tableName: z
    .string()
    .trim()
    .regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, 'must be a valid Azure table name')
    .optional()
    .default('TraceConfigurations'),
  IDENTITY_STORE__tableName: z
    .string()
    .trim()
    .regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, 'must be a valid Azure table name')
    .optional()
    .default('TraceIdentities'),
  DEADLETTER__containerName: z
    .string()
    .trim()
    .regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, 'must be a valid blob container name')
    .optional()
    .default('trace-deadletter'),
  RETENTION__containerName: z
    .string()
    .trim()
    .regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, 'must be a valid blob container name')
    .optional()
    .default('trace-retained'),
  CONFIG_REFRESH_INTERVAL_MS: positiveInt(10_000),
  MAX_REQUEST_BODY_BYTES: positiveInt(256 * 1024),
  MAX_TRACKED_FLOWS: positiveInt(1_000_000),
  DELIVERY_MAX_IN_FLIGHT: positiveInt(DEFAULT_MAX_IN_FLIGHT),
  DELIVERY_MAX_PENDING_RECORDS: positiveInt(10_000),
});

/** Raised when app settings are missing or malformed; the message names every bad setting. */
export class AppSettingsError extends TraceError {
  constructor(readonly issues: string[]) {
    super(
      'APP_SETTINGS_INVALID',
      `Invalid app settings:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`,
    );
  }
}

/** Parses the app settings from the environment; throws {@link AppSettingsError} naming every bad setting. */
export function parseAppSettings(env: Env): AppSettings {
  const issues: string[] = [];
  const parsed = scalarSchema.safeParse(env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) issues.push(`${issue.path.join('.')}: ${issue.message}`);
  }
  const configStore = storageLocation(env, 'CONFIG_STORE', 'tableServiceUri', issues);
  const identityStore = storageLocation(env, 'IDENTITY_STORE', 'tableServiceUri', issues);
  const deadLetter = storageLocation(env, 'DEADLETTER', 'blobServiceUri', issues);
  let connectionPolicy: ConnectionPolicy = { allowedNames: [] };
  try {
    connectionPolicy = connectionPolicyFromSetting(env[TRACE_OUTPUT_CONNECTIONS_SETTING]);
  } catch (caught) {
    issues.push((caught as Error).message);
  }
  const retentionSet = ['connectionString', 'blobServiceUri'].some(
    (p) => (env[`RETENTION__${p}`]?.trim() ?? '') !== '',
  );
  const retention = retentionSet ? storageLocation(env, 'RETENTION', 'blobServiceUri', issues) : deadLetter;
  if (!parsed.success || issues.length > 0) throw new AppSettingsError(issues);
  const values = parsed.data;
  return {
    traceHubName: values.TRACE_HUB_NAME,
    traceConsumerGroup: values.TRACE_CONSUMER_GROUP,
    configStore: { ...configStore, tableName: values.CONFIG_STORE__tableName },
    identityStore: { ...identityStore, tableName: values.IDENTITY_STORE__tableName },
    deadLetter: { ...deadLetter, containerName: values.DEADLETTER__containerName },
    retention: { ...retention, containerName: values.RETENTION__containerName },
    configRefreshIntervalInMs: values.CONFIG_REFRESH_INTERVAL_MS,
    maxRequestBodyBytes: values.MAX_REQUEST_BODY_BYTES,
    maxTrackedFlows: values.MAX_TRACKED_FLOWS,
    deliveryMaxInFlight: values.DELIVERY_MAX_IN_FLIGHT,
    deliveryMaxPendingRecords: values.DELIVERY_MAX_PENDING_RECORDS,
    connectionPolicy,
  };
}
