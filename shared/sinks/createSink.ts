/** Builds the sink of a resolved connection. */
import { DefaultAzureCredential } from '@azure/identity';
import type { TokenCredential } from '@azure/core-auth';
import type { LogsIngestionClientOptions } from '@azure/monitor-ingestion';
import type { ConnectionSettings } from './connection';
import type { Sink } from './sink';
import { StdoutSink, type TextWriter } from './stdout/stdoutSink';
import { createAzureTableSink } from './azureTable/azureTableSink';
import { LogAnalyticsSink, createLogsIngestionClient } from './logAnalytics/logAnalyticsSink';
import { OpenTelemetrySink } from './openTelemetry/openTelemetrySink';
import { AsimLogAnalyticsSink } from './logAnalytics/asim/asimLogAnalyticsSink';

/** Options of {@link createSink}. */
export interface CreateSinkOptions {
  /** Credential override (tests, local runner); default DefaultAzureCredential with the connection's clientId. */
  credential?: TokenCredential;
  /** Where stdout writes; default process.stdout. */
  stdoutWriter?: TextWriter;
  /** Extra LogsIngestionClient options, e.g. `tlsOptions: { ca }` for the local server. */
  logsIngestionClientOptions?: LogsIngestionClientOptions;
}

/** The sink for `connection`. Credentials are only created for destinations that need them. */
export function createSink(connection: ConnectionSettings, options: CreateSinkOptions = {}): Sink {
  const credential = (clientId: string | undefined): TokenCredential =>
    options.credential ??
    new DefaultAzureCredential(clientId === undefined ? {} : { managedIdentityClientId: clientId });
  switch (connection.destination) {
    case 'stdout':
      return new StdoutSink(options.stdoutWriter);
    case 'azuretable':
      return createAzureTableSink(
        connection,
        connection.connectionString === undefined ? { credential: credential(connection.clientId) } : {},
      );
    case 'loganalytics': {
      const client = createLogsIngestionClient(
        connection,
        credential(connection.clientId),
        options.logsIngestionClientOptions,
      );
      return connection.schema === 'asim'
        ? new AsimLogAnalyticsSink(client, connection)
        : new LogAnalyticsSink(client, connection);
    }
    case 'opentelemetry':
      return new OpenTelemetrySink(connection);
  }
}
