/**
 * The app settings the Azure deployment (`infra/modules/functionApp.bicep`) sets on the Function
 * App, in one list shared by the app and the infrastructure. `test/infra/appSettings.test.ts`
 * fails when the Bicep and this list disagree. Every connection is identity-based: service URIs
 * plus the client id of the app's user-assigned managed identity, never keys.
 * Each name is documented in docs/deploy.md ("App settings").
 */
export const APP_SETTING_NAMES = [
  /** Storage account of the Functions host (leases, checkpoints, timers), reached with managed identity. */
  'AzureWebJobsStorage__accountName',
  /** `managedidentity`: the host authenticates to its storage with a managed identity. */
  'AzureWebJobsStorage__credential',
  /** Client id of the user-assigned identity the host uses for its storage. */
  'AzureWebJobsStorage__clientId',
  /** Event Hubs namespace host name, e.g. `evhns-retina.servicebus.windows.net` (trigger connection `EventHubConnection`). */
  'EventHubConnection__fullyQualifiedNamespace',
  /** `managedidentity`: the Event Hubs trigger authenticates with a managed identity. */
  'EventHubConnection__credential',
  /** Client id of the user-assigned identity the Event Hubs trigger uses. */
  'EventHubConnection__clientId',
  /** Name of the Event Hub carrying trace batches and identity snapshots, e.g. `retina-traces`. */
  'TRACE_HUB_NAME',
  /** Consumer group of the ingest function, e.g. `retina-trace-backend`. */
  'TRACE_CONSUMER_GROUP',
  /** Client id of the user-assigned identity; `DefaultAzureCredential` picks it for every SDK client. */
  'AZURE_CLIENT_ID',
  /** Table endpoint of the default `azuretable` destination, e.g. `https://st.table.core.windows.net/`. */
  'TRACES_AZURETABLE__tableServiceUri',
  /** Table of the default `azuretable` destination, e.g. `RetinaTraces`. */
  'TRACES_AZURETABLE__tableName',
  /** Client id of the identity writing to the default `azuretable` destination. */
  'TRACES_AZURETABLE__clientId',
  /** Partitions per TraceConfiguration and hour of the default `azuretable` destination (`tablePartitionShards`, default 4). */
  'TRACES_AZURETABLE__partitionShards',
  /** Logs ingestion endpoint of the Data Collection Rule (`kind: Direct`) of the default `loganalytics` destination. */
  'TRACES_LOGANALYTICS__endpoint',
  /** Immutable id (`dcr-…`) of that Data Collection Rule. */
  'TRACES_LOGANALYTICS__ruleId',
  /** Input stream of that rule: `Custom-RetinaTraces_CL`. */
  'TRACES_LOGANALYTICS__streamName',
  /** Client id of the identity holding Monitoring Metrics Publisher on that rule. */
  'TRACES_LOGANALYTICS__clientId',
  /** OTLP/HTTP endpoint of the default `opentelemetry` destination; set only when the deployment is given one. */
  'TRACES_OPENTELEMETRY__endpoint',
  /** Its OTLP/HTTP encoding, `http/json` or `http/protobuf` (Bicep `openTelemetryProtocol`); set with the endpoint. */
  'TRACES_OPENTELEMETRY__protocol',
  /** Table endpoint holding TraceConfigurations. */
  'CONFIG_STORE__tableServiceUri',
  /** Table holding TraceConfigurations, e.g. `TraceConfigurations`. */
  'CONFIG_STORE__tableName',
  /** Client id of the identity reading and writing TraceConfigurations. */
  'CONFIG_STORE__clientId',
  /** Table endpoint holding the per-cluster identity tables. */
  'IDENTITY_STORE__tableServiceUri',
  /** Table holding the per-cluster identity tables, e.g. `TraceIdentities`. */
  'IDENTITY_STORE__tableName',
  /** Client id of the identity reading and writing identity tables. */
  'IDENTITY_STORE__clientId',
  /** Blob endpoint of the dead-letter container. */
  'DEADLETTER__blobServiceUri',
  /** Dead-letter container for failed records and rejected events, e.g. `trace-deadletter`. */
  'DEADLETTER__containerName',
  /** Client id of the identity writing dead letters. */
  'DEADLETTER__clientId',
  /** Blob endpoint of the retained-packets container (docs/retention.md). */
  'RETENTION__blobServiceUri',
  /** Container of retained packets, e.g. `trace-retained`. */
  'RETENTION__containerName',
  /** Client id of the identity writing retained packets (Storage Blob Data Contributor on that container). */
  'RETENTION__clientId',
  /** Application Insights connection string (not a secret: it identifies the resource; ingestion needs Entra ID). */
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  /** `ClientId=<id>;Authorization=AAD`: telemetry is sent with the managed identity (local auth is disabled). */
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
] as const;

/** One app setting name the deployment sets. */
export type AppSettingName = (typeof APP_SETTING_NAMES)[number];
