/**
 * The whole system on one machine, no Azure account and no Docker: Azurite, the local Event Hubs
 * endpoint, the local Logs Ingestion (HTTPS) and OTLP endpoints, the app's HTTP functions on a
 * local host, and an `EventHubConsumerClient` driving the real `ingestTraces` handler with the
 * host's input shape. `npm run local` and the end-to-end tests both start it.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { TableClient } from '@azure/data-tables';
import { EventHubConsumerClient } from '@azure/event-hubs';
import { createAppServices, type AppServices } from '../app/appServices';
import { HTTP_FUNCTIONS } from '../../functions/httpFunctions';
import { createIngestTracesHandler } from '../../functions/ingestTraces';
import { INGEST_RETRY_POLICY } from '../../functions/ingestRetryPolicy';
import type { RetryOptions } from '@azure/functions';
import { subscribeLikeHost, type HostLikeSubscription, type InvocationOutcome } from './hostLikeSubscription';
import { setAppServices } from '../../functions/services';
import { releasePartitionState } from '../pipeline/releasePartition';
import { startAzurite, type AzuriteInstance } from './azurite';
import { startLocalEventHubs, type LocalEventHubs } from './eventHubs/localEventHubs';
import { TRACE_CONSUMER_GROUP } from './eventHubs/settings';
import { startHttpFunctionHost, type HttpFunctionHost } from './httpFunctionHost';
import { LocalTokenCredential } from './localTokenCredential';
import { LogsIngestionServer } from './logsIngestionServer';
import { OtlpReceiver } from './otlpReceiver';
import { TableCheckpointStore } from './tableCheckpointStore';

/** Options of {@link startLocalSystem}. */
export interface LocalSystemOptions {
  /** Folder for Azurite data and the files the local endpoints write; undefined keeps everything in memory. */
  dataDir?: string;
  /** Azurite's ports; free ones are picked when absent. */
  azuritePorts?: { blobPort: number; queuePort: number; tablePort: number };
  /** Port of the HTTP functions; 0 picks a free one. Default 0. */
  httpPort?: number;
  /** Port of the local Event Hubs endpoint; 0 picks a free one. Default 0. */
  eventHubsPort?: number;
  /** Hub name. Default `retina-traces`. */
  hubName?: string;
  /** Partitions of the hub. Default 4. */
  partitions?: number;
  /** Extra app settings (e.g. connections named by your own configurations). */
  extraSettings?: Record<string, string>;
  /** Receives one line per invocation and per notable event. */
  log?: (line: string) => void;
  /**
   * Retry policy of failed invocations; default the production trigger's (functions/ingestRetryPolicy.ts).
   * Tests scale its intervals down.
   */
  retryPolicy?: RetryOptions;
  /** The host's functionTimeout for the ingest handler, in ms; default as production resolves it. */
  functionTimeoutMs?: number;
  /** False: do not start the in-process consumer (a consumer process will). Default true. */
  consumer?: boolean;
  /**
   * More app settings computed from the started local services (applied after `extraSettings`),
   * e.g. connections that go through a fault proxy in front of Azurite or the Logs Ingestion server.
   */
  settingsFor?: (services: {
    azurite: AzuriteInstance;
    logsIngestion: LogsIngestionServer;
    otlp: OtlpReceiver;
  }) => Promise<Record<string, string>>;
}

/** Running totals of what the consumer processed. */
export interface LocalSystemStats {
  invocations: number;
  events: number;
  packets: number;
  records: number;
  delivered: number;
  deadLettered: number;
  rejectedEvents: number;
  recordsByDestination: Record<string, number>;
  maxLagMs: number;
  /** Failed invocations that were retried (the same events again, as the host does). */
  retries: number;
  /** Events checkpointed past after the retry policy gave up (only with a bounded maxRetryCount). */
  abandonedEvents: number;
  /** Longest invocation (failed ones included), in ms. */
  slowestInvocationMs: number;
  /** Packets retained for `retina.sh/retain-packets` configurations, and the blobs they went to. */
  retainedPackets: number;
  retainedBlobs: number;
  /** Retained-packet blobs dead-lettered. */
  retainedDeadLettered: number;
}

/** A running local system. */
export interface LocalSystem {
  /** The app settings the local app runs with. */
  env: Record<string, string>;
  httpUrl: string;
  hubName: string;
  /** Connection string of the local Event Hubs endpoint (emulator form). */
  eventHubsConnectionString: string;
  azurite: AzuriteInstance;
  logsIngestion: LogsIngestionServer;
  otlp: OtlpReceiver;
  services: AppServices;
  /** Records the stdout destination wrote (also appended to `<dataDir>/stdout.ndjson`). */
  stdoutLines: string[];
  stats: LocalSystemStats;
  /** Resolves once at least `events` events were processed; rejects after `timeoutMs`. */
  waitForEvents(events: number, timeoutMs?: number): Promise<void>;
  /** Stops the consumer (as a Functions instance going away). */
  stopConsumer(): Promise<void>;
  /**
   * Starts the consumer again. It resumes after the last checkpoint of each partition (the consumer
   * checkpoints after every successful invocation, as the Functions host does).
   */
  startConsumer(): void;
  /** Where the consumer keeps ownership and checkpoints (Azure Table `EventHubCheckpoints`). */
  checkpointStore: TableCheckpointStore;
  stop(): Promise<void>;
}

const RULE_ID = 'dcr-00000000000000000000000000000000';

/** Starts everything; a port in use is an error naming it. */
export async function startLocalSystem(options: LocalSystemOptions = {}): Promise<LocalSystem> {
  const log = options.log ?? (() => undefined);
  const hubName = options.hubName ?? 'retina-traces';
  const dataDir = options.dataDir;
  const cleanups: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const azurite = await startAzurite(
      { ...options.azuritePorts, ...(dataDir === undefined ? {} : { persistLocation: path.join(dataDir, 'azurite') }) },
    );
    cleanups.push(() => azurite.stop());
    const eventHubs: LocalEventHubs = await startLocalEventHubs({
      port: options.eventHubsPort ?? 0,
      hubs: [{ name: hubName, partitionCount: options.partitions ?? 4 }],
    });
    cleanups.push(() => eventHubs.close());
    const logsIngestion = new LogsIngestionServer({
      ruleIds: [RULE_ID],
      ...(dataDir === undefined ? {} : { outputDir: path.join(dataDir, 'loganalytics') }),
    });
    await logsIngestion.start();
    cleanups.push(() => logsIngestion.stop());
    const otlp = new OtlpReceiver(dataDir === undefined ? {} : { outputDir: path.join(dataDir, 'otlp') });
    await otlp.start();
    cleanups.push(() => otlp.stop());

    const storage = azurite.connectionString;
    const env: Record<string, string> = {
      AzureWebJobsStorage: storage,
      EventHubConnection: eventHubs.connectionString(),
      TRACE_HUB_NAME: hubName,
      TRACE_CONSUMER_GROUP,
      CONFIG_STORE__connectionString: storage,
      IDENTITY_STORE__connectionString: storage,
      DEADLETTER__connectionString: storage,
      RETENTION__connectionString: storage,
      CONFIG_REFRESH_INTERVAL_MS: '1000',
      TRACES_AZURETABLE__connectionString: storage,
      TRACES_AZURETABLE__tableName: 'RetinaTraces',
      TRACES_LOGANALYTICS__endpoint: logsIngestion.endpoint,
      TRACES_LOGANALYTICS__ruleId: RULE_ID,
      TRACES_LOGANALYTICS__streamName: 'Custom-RetinaTraces_CL',
      // The same local rule, written as Microsoft Sentinel ASIM rows (samples/local/shop-sentinel-asim.yaml).
      TRACES_SENTINEL__endpoint: logsIngestion.endpoint,
      TRACES_SENTINEL__ruleId: RULE_ID,
      TRACES_SENTINEL__schema: 'asim',
      TRACES_OPENTELEMETRY__endpoint: otlp.endpoint,
      ...options.extraSettings,
      ...(options.settingsFor === undefined
        ? {}
        : await options.settingsFor({ azurite, logsIngestion, otlp })),
    };
    const stdoutLines: string[] = [];
    const stdoutFile = dataDir === undefined ? undefined : path.join(dataDir, 'stdout.ndjson');
    if (dataDir !== undefined) await mkdir(dataDir, { recursive: true });
    const services = createAppServices(env, {
      credential: new LocalTokenCredential(),
      logsIngestionClientOptions: { tlsOptions: { ca: logsIngestion.certificate } },
      stdoutWriter: async (text) => {
        stdoutLines.push(...text.split('\n').filter((line) => line !== ''));
        if (stdoutFile !== undefined) await appendFile(stdoutFile, text);
      },
      onWarning: (message) => log(`warning: ${message}`),
    });
    setAppServices(services);
    cleanups.push(async () => {
      setAppServices(undefined);
      await services.close();
    });

    const host: HttpFunctionHost = await startHttpFunctionHost({
      functions: HTTP_FUNCTIONS,
      port: options.httpPort ?? 0,
      log: (level, name, message) => {
        if (level !== 'information' && level !== 'debug' && level !== 'trace') log(`${name}: ${message}`);
      },
    });
    cleanups.push(() => host.close());

    const stats: LocalSystemStats = {
      invocations: 0,
      events: 0,
      packets: 0,
      records: 0,
      delivered: 0,
      deadLettered: 0,
      rejectedEvents: 0,
      recordsByDestination: {},
      maxLagMs: 0,
      retries: 0,
      abandonedEvents: 0,
      slowestInvocationMs: 0,
      retainedPackets: 0,
      retainedBlobs: 0,
      retainedDeadLettered: 0,
    };
    const waiters: { events: number; resolve: () => void }[] = [];
    const ingest = createIngestTracesHandler(
      () => services.ingest,
      undefined,
      options.functionTimeoutMs === undefined ? {} : { functionTimeoutMs: options.functionTimeoutMs },
    );
    const retryPolicy = options.retryPolicy ?? INGEST_RETRY_POLICY;
    const checkpointStore = new TableCheckpointStore(
      TableClient.fromConnectionString(storage, 'EventHubCheckpoints', { allowInsecureConnection: true }),
    );
    // Greedy, frequent claims: one local consumer owns every partition within a second of starting.
    const consumer = new EventHubConsumerClient(
      TRACE_CONSUMER_GROUP,
      eventHubs.connectionString(hubName),
      checkpointStore,
      {
        loadBalancingOptions: { strategy: 'greedy', updateIntervalInMs: 1000 },
      },
    );
    // The hub is new (in memory) each run while Azurite may persist: old checkpoints would skip its events.
    await checkpointStore.reset(consumer.fullyQualifiedNamespace, hubName, TRACE_CONSUMER_GROUP);
    cleanups.push(() => consumer.close());
    let subscription: HostLikeSubscription | undefined;
    const releaseWaiters = () => {
      for (const waiter of [...waiters]) {
        if (stats.events >= waiter.events) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    };
    const account = (outcome: InvocationOutcome) => {
      stats.invocations += 1;
      stats.slowestInvocationMs = Math.max(stats.slowestInvocationMs, outcome.elapsedMs);
      if (outcome.result === 'failed') {
        stats.retries += 1;
        return;
      }
      stats.events += outcome.events;
      if (outcome.result === 'abandoned') stats.abandonedEvents += outcome.events;
      const summary = outcome.summary;
      if (summary !== undefined) {
        stats.packets += summary.packets;
        stats.records += summary.records;
        stats.delivered += summary.delivered;
        stats.deadLettered += summary.deadLettered;
        stats.rejectedEvents += summary.rejectedEvents;
        stats.maxLagMs = Math.max(stats.maxLagMs, summary.maxLagMs ?? 0);
        stats.retainedPackets += summary.retainedPackets ?? 0;
        stats.retainedBlobs += summary.retainedBlobs ?? 0;
        stats.retainedDeadLettered += summary.retainedDeadLettered ?? 0;
        for (const [key, count] of Object.entries(summary.recordsByDestination))
          stats.recordsByDestination[key] = (stats.recordsByDestination[key] ?? 0) + count;
      }
      releaseWaiters();
    };
    const startConsumer = () => {
      subscription = subscribeLikeHost({
        consumer,
        ingest,
        retryPolicy,
        log,
        onInvocation: account,
        // Ownership lost or the consumer stopping: the partition's open flows are written now.
        onPartitionClose: async (partitionId) => {
          const state = services.ingest.takePartitionState?.(partitionId);
          if (state === undefined) return;
          const summary = await releasePartitionState(state, partitionId, services.ingest);
          account({ partitionId, events: 0, lastSequenceNumber: -1, elapsedMs: 0, result: 'ok', summary });
        },
      });
    };
    if (options.consumer !== false) startConsumer();
    cleanups.push(async () => {
      await subscription?.close();
    });

    return {
      env,
      httpUrl: host.url,
      hubName,
      eventHubsConnectionString: eventHubs.connectionString(hubName),
      azurite,
      logsIngestion,
      otlp,
      services,
      stdoutLines,
      stats,
      waitForEvents: (events, timeoutMs = 60_000) =>
        new Promise<void>((resolve, reject) => {
          if (stats.events >= events) return resolve();
          const timer = setTimeout(
            () =>
              reject(
                new Error(`only ${stats.events} of ${events} events were processed within ${timeoutMs} ms`),
              ),
            timeoutMs,
          );
          waiters.push({ events, resolve: () => (clearTimeout(timer), resolve()) });
        }),
      stopConsumer: async () => {
        await subscription?.close();
        subscription = undefined;
      },
      startConsumer,
      checkpointStore,
      stop: stopAll,
    };
  } catch (caught) {
    await stopAll();
    throw caught;
  }
}
