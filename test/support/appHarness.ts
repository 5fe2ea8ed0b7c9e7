/**
 * The Functions app's services against real local dependencies, for handler tests: Azurite (Table
 * and Blob) and the local Logs Ingestion HTTPS server, built with `createAppServices` exactly as
 * the local runner builds them. Each test gets fresh tables and containers through {@link AppFixture.create}.
 */
import { TableClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import type { ReceivedEventData } from '@azure/event-hubs';
import { HttpRequest, HttpResponse, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { createAppServices, type AppServices } from '../../shared/app/appServices';
import { hostEventBatch, type HostEventBatch } from '../../shared/local/hostEventBatch';
import { LocalTokenCredential } from '../../shared/local/localTokenCredential';
import { LogsIngestionServer } from '../../shared/local/logsIngestionServer';
import { BlobDeadLetterStore } from '../../shared/sinks/send/blobDeadLetterStore';
import { useAzurite } from './azurite';

/** The DCR immutable id the local Logs Ingestion server accepts. */
export const RULE_ID = 'dcr-0123456789abcdef0123456789abcdef';

/** One app instance over fresh storage names. */
export interface AppInstance {
  env: Record<string, string>;
  services: AppServices;
  /** Lines the stdout destination wrote. */
  stdout: string[];
  /** Table of the `TRACES_AZURETABLE` connection. */
  traceTable: TableClient;
  deadLetters: BlobDeadLetterStore;
  logs: LogsIngestionServer;
  /** Every row in the trace table. */
  tableRows(): Promise<Record<string, unknown>[]>;
}

/** Per test file: Azurite and a Logs Ingestion server, and a factory of app instances. */
export interface AppFixture {
  connectionString(): string;
  logs(): LogsIngestionServer;
  /** Builds app services over fresh table and container names (plus `extra` settings). */
  create(extra?: Record<string, string>): AppInstance;
}

let counter = 0;

/** Registers beforeAll/afterAll for Azurite and the Logs Ingestion server; call at describe level. */
export function useApp(): AppFixture {
  const azurite = useAzurite();
  const logs = new LogsIngestionServer({ ruleIds: [RULE_ID] });
  const instances: AppInstance[] = [];
  beforeAll(async () => {
    await logs.start();
  });
  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.services.close()));
    await logs.stop();
  });
  return {
    connectionString: () => azurite().connectionString,
    logs: () => logs,
    create(extra = {}) {
      counter += 1;
      const storage = azurite().connectionString;
      const env: Record<string, string> = {
        AzureWebJobsStorage: storage,
        CONFIG_STORE__tableName: `Configs${counter}`,
        IDENTITY_STORE__tableName: `Identities${counter}`,
        DEADLETTER__containerName: `deadletter-${counter}`,
        CONFIG_REFRESH_INTERVAL_MS: '1',
        TRACES_AZURETABLE__connectionString: storage,
        TRACES_AZURETABLE__tableName: `Traces${counter}`,
        TRACES_LOGANALYTICS__endpoint: logs.endpoint,
        TRACES_LOGANALYTICS__ruleId: RULE_ID,
        ...extra,
      };
      const stdout: string[] = [];
      const services = createAppServices(env, {
        credential: new LocalTokenCredential(),
        logsIngestionClientOptions: { tlsOptions: { ca: logs.certificate } },
        stdoutWriter: async (text) => {
          stdout.push(...text.split('\n').filter((line) => line !== ''));
        },
      });
      const traceTable = TableClient.fromConnectionString(storage, env.TRACES_AZURETABLE__tableName!, {
        allowInsecureConnection: true,
      });
      const deadLetters = new BlobDeadLetterStore(
        BlobServiceClient.fromConnectionString(storage).getContainerClient(env.DEADLETTER__containerName!),
      );
      const instance: AppInstance = {
        env,
        services,
        stdout,
        traceTable,
        deadLetters,
        logs,
        async tableRows() {
          const rows: Record<string, unknown>[] = [];
          try {
            for await (const entity of traceTable.listEntities()) rows.push(entity);
          } catch (caught) {
            if ((caught as { statusCode?: number }).statusCode === 404) return rows;
            throw caught;
          }
          return rows;
        },
      };
      instances.push(instance);
      return instance;
    },
  };
}

/** An event as an `EventHubConsumerClient` would receive it. */
export interface TestEvent {
  body: Buffer;
  properties: Record<string, string>;
  partitionKey?: string;
}

/** Builds the host's trigger input (`Buffer[]` + `triggerMetadata`) for events of one partition. */
export function hostInput(
  events: readonly TestEvent[],
  options: { partitionId?: string; firstSequenceNumber?: number; enqueuedAt?: Date } = {},
): HostEventBatch {
  const first = options.firstSequenceNumber ?? 0;
  const received: ReceivedEventData[] = events.map((event, index) => ({
    body: event.body,
    properties: event.properties,
    enqueuedTimeUtc: options.enqueuedAt ?? new Date(),
    partitionKey: event.partitionKey ?? null,
    offset: String((first + index) * 1000),
    sequenceNumber: first + index,
    getRawAmqpMessage: () => {
      throw new Error('not used by hostEventBatch');
    },
  }));
  return hostEventBatch(received, {
    fullyQualifiedNamespace: 'localhost',
    eventHubName: 'retina-traces',
    consumerGroup: '$Default',
    partitionId: options.partitionId ?? '0',
  });
}

/** What a handler logged through its InvocationContext. */
export interface ContextLog {
  level: string;
  text: string;
}

/** A real InvocationContext that records log lines. */
export function invocationContext(
  functionName: string,
  triggerMetadata?: Record<string, unknown>,
): { context: InvocationContext; logs: ContextLog[] } {
  const logs: ContextLog[] = [];
  const context = new InvocationContext({
    functionName,
    invocationId: `test-${functionName}-${++counter}`,
    ...(triggerMetadata !== undefined ? { triggerMetadata } : {}),
    logHandler: (level, ...args) => logs.push({ level, text: args.map(String).join(' ') }),
  });
  return { context, logs };
}

/** A real HttpRequest as the host builds it for a route with `params`. */
export function httpRequest(
  method: string,
  path: string,
  options: {
    params?: Record<string, string>;
    headers?: Record<string, string>;
    body?: string | Buffer;
    query?: Record<string, string>;
  } = {},
): HttpRequest {
  const url = new URL(`http://localhost:7071/api/${path}`);
  for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
  const body = options.body;
  return new HttpRequest({
    method,
    url: url.toString(),
    headers: options.headers ?? {},
    query: Object.fromEntries(url.searchParams),
    params: options.params ?? {},
    // The host hands the worker the raw bytes; a string body would make undici add a text/plain content type.
    ...(body === undefined ? {} : { body: { bytes: typeof body === 'string' ? Buffer.from(body) : body } }),
  });
}

/** A parsed JSON response body; tests read nested fields freely and let assertions fail on surprises. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type HostJson = Record<string, any>;

/** What the host sends for a handler's result: status, headers and body text. */
export async function asHostResponse(
  init: HttpResponseInit,
): Promise<{ status: number; headers: Headers; json: HostJson | undefined }> {
  const response = new HttpResponse(init);
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: text === '' ? undefined : (JSON.parse(text) as HostJson),
  };
}
