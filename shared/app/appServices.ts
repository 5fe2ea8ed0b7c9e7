/**
 * The app's composition root: every long-lived object an Azure Functions instance (or the local
 * runner) needs, built once from the app settings. Handlers in `functions/` stay thin by calling
 * into these services.
 */
import type { TokenCredential } from '@azure/core-auth';
import { DefaultAzureCredential } from '@azure/identity';
import type { LogsIngestionClientOptions } from '@azure/monitor-ingestion';
import type { Destination } from '../config/model';
import type { IdentityStore } from '../enrich/identityStore';
import { AzureTableIdentityStore } from '../enrich/azureTableIdentityStore';
import { compileConfigurations, type ConfigurationMatcher } from '../match/configurationMatcher';
import { ConfigurationCache } from '../pipeline/configurationCache';
import type { IngestDependencies } from '../pipeline/ingestEvents';
import { createPartitionState, type PartitionState } from '../pipeline/partitionState';
import { releasePartitionState } from '../pipeline/releasePartition';
import { errorMessage } from '../errors';
import { parseAppSettings, type AppSettings } from '../settings/appSettings';
import { createSink } from '../sinks/createSink';
import { resolveConnection } from '../sinks/connection';
import { BlobDeadLetterStore } from '../sinks/send/blobDeadLetterStore';
import type { Sink } from '../sinks/sink';
import type { TextWriter } from '../sinks/stdout/stdoutSink';
import type { ConfigurationStore } from '../store/configurationStore';
import { TableConfigurationStore } from '../store/tableConfigurationStore';
import { TableCounterStore, type CounterStore } from '../store/configurationCounters';
import { blobServiceClientFor, pingTable, tableClientFor } from './storageClients';
import { createTraceConfigurationValidator } from './traceConfigurationValidator';
import { connectionNameProblem } from '../config/connectionPolicy';
import { TraceError } from '../errors';
import type { StoredConfiguration } from '../store/configurationStore';
import type { ManifestValidator } from '../api/configurationApi';
import { RetentionStore } from '../retention/retentionStore';

/** Everything the handlers use. */
export interface AppServices {
  settings: AppSettings;
  /** The app settings the services were built from; connections resolve from these, and so does health. */
  env: Readonly<Record<string, string | undefined>>;
  configurationStore: ConfigurationStore;
  /** Per-configuration counters (sibling table `<config table>Counters`). */
  configurationCounters: CounterStore;
  identityStore: IdentityStore;
  /** Reads the identity table directly (the store itself serves lookups from a cache). */
  identityStorePing(options?: { abortSignal?: AbortSignal }): Promise<void>;
  deadLetter: BlobDeadLetterStore;
  validator: ManifestValidator;
  /** Dependencies of `ingestEvents`. */
  ingest: IngestDependencies;
  /** Sinks created so far, by `destination/connection` (for health checks and shutdown). */
  sinks: ReadonlyMap<string, Sink>;
  close(): Promise<void>;
}

/** Overrides for the local runner and tests. */
export interface AppServicesOptions {
  credential?: TokenCredential;
  stdoutWriter?: TextWriter;
  logsIngestionClientOptions?: LogsIngestionClientOptions;
  /** Receives configuration reload failures. */
  onWarning?: (message: string) => void;
}

/** Builds the services from app settings (`env`); throws `APP_SETTINGS_INVALID` naming bad settings. */
export function createAppServices(
  env: Readonly<Record<string, string | undefined>>,
  options: AppServicesOptions = {},
): AppServices {
  const settings = parseAppSettings(env);
  let defaultCredential: TokenCredential | undefined;
  const credentialFor = (clientId?: string) => (): TokenCredential =>
    options.credential ??
    (defaultCredential ??= new DefaultAzureCredential(
      clientId === undefined ? {} : { managedIdentityClientId: clientId },
    ));

  const configurationStore = new TableConfigurationStore(
    tableClientFor(
      settings.configStore,
      settings.configStore.tableName,
      credentialFor(settings.configStore.clientId),
    ),
  );
  // Azure table names are at most 63 characters.
  const countersTableName = `${settings.configStore.tableName.slice(0, 55)}Counters`;
  // Counters live in a sibling table of the configuration table, in the same account.
  const configurationCounters = new TableCounterStore(
    tableClientFor(settings.configStore, countersTableName, credentialFor(settings.configStore.clientId)),
  );
  const identityTable = tableClientFor(
    settings.identityStore,
    settings.identityStore.tableName,
    credentialFor(settings.identityStore.clientId),
  );
  const identityStore = new AzureTableIdentityStore(identityTable);
  const deadLetter = new BlobDeadLetterStore(
    blobServiceClientFor(settings.deadLetter, credentialFor(settings.deadLetter.clientId)).getContainerClient(
      settings.deadLetter.containerName,
    ),
  );
  // A configuration stored before the connection policy existed (or under a wider one) is left
  // out of tracing, reported once per reload, instead of writing into a store it must not reach.
  const allowed = (configuration: StoredConfiguration): boolean => {
    const output = configuration.spec?.output;
    const problem =
      output === undefined ? undefined : connectionNameProblem(output.connection, settings.connectionPolicy);
    if (problem !== undefined)
      options.onWarning?.(
        `${configuration.namespace}/${configuration.name} is not traced: outputConfiguration.connectionConfiguration ${problem}`,
      );
    return problem === undefined;
  };
  const ownTables = new Set(
    [settings.configStore.tableName, countersTableName, settings.identityStore.tableName].map((t) =>
      t.toLowerCase(),
    ),
  );
  const retention = new RetentionStore(
    blobServiceClientFor(settings.retention, credentialFor(settings.retention.clientId)).getContainerClient(
      settings.retention.containerName,
    ),
  );
  const configurations = new ConfigurationCache<ConfigurationMatcher>({
    store: configurationStore,
    refreshIntervalInMs: settings.configRefreshIntervalInMs,
    compile: (stored) =>
      compileConfigurations(
        stored.flatMap((c) =>
          c.spec === undefined || !allowed(c) ? [] : [{ key: `${c.namespace}/${c.name}`, spec: c.spec }],
        ),
      ),
    ...(options.onWarning !== undefined ? { onReloadError: options.onWarning } : {}),
  });
  const partitions = new Map<string, PartitionState>();
  const sinks = new Map<string, Sink>();
  const sinkFor = (destination: Destination, connection: string): Sink => {
    const key = `${destination}/${connection}`;
    let sink = sinks.get(key);
    if (sink === undefined) {
      const problem = connectionNameProblem(connection, settings.connectionPolicy);
      if (problem !== undefined) throw new TraceError('CONNECTION_NOT_ALLOWED', `connection ${problem}`);
      const resolved = resolveConnection(destination, connection, env);
      // Defence in depth: even a declared connection must not point at the app's own tables.
      if (resolved.destination === 'azuretable' && ownTables.has(resolved.tableName.toLowerCase()))
        throw new TraceError(
          'CONNECTION_NOT_ALLOWED',
          `connection '${connection}' points at table '${resolved.tableName}', which the backend uses for itself`,
        );
      sink = createSink(resolved, {
        ...(options.credential !== undefined ? { credential: options.credential } : {}),
        ...(options.stdoutWriter !== undefined ? { stdoutWriter: options.stdoutWriter } : {}),
        ...(options.logsIngestionClientOptions !== undefined
          ? { logsIngestionClientOptions: options.logsIngestionClientOptions }
          : {}),
      });
      sinks.set(key, sink);
    }
    return sink;
  };
  return {
    settings,
    env,
    configurationStore,
    configurationCounters,
    identityStore,
    identityStorePing: (pingOptions) => pingTable(identityTable, pingOptions),
    deadLetter,
    validator: createTraceConfigurationValidator({ connectionPolicy: settings.connectionPolicy }),
    sinks,
    ingest: {
      counters: configurationCounters,
      configurations,
      identities: identityStore,
      partitionState: (partitionId) => {
        let state = partitions.get(partitionId);
        if (state === undefined) {
          state = createPartitionState({ captureLevel: { maxFlows: settings.maxTrackedFlows } });
          partitions.set(partitionId, state);
        }
        return state;
      },
      takePartitionState: (partitionId) => {
        const state = partitions.get(partitionId);
        partitions.delete(partitionId);
        return state;
      },
      sinkFor,
      deadLetter,
      retention,
      delivery: {
        maxInFlight: settings.deliveryMaxInFlight,
        maxPendingRecords: settings.deliveryMaxPendingRecords,
      },
    },
    async close() {
      // Shutting down releases every partition: their open FlowSummary flows are written first.
      for (const [partitionId, state] of [...partitions]) {
        partitions.delete(partitionId);
        await releasePartitionState(state, partitionId, { sinkFor, deadLetter }).catch((caught: unknown) =>
          options.onWarning?.(
            `partition ${partitionId}: open flows could be neither delivered nor dead-lettered at shutdown: ${errorMessage(caught)}`,
          ),
        );
      }
      await Promise.allSettled([...sinks.values()].map((sink) => sink.close()));
    },
  };
}
