/**
 * The whole system on one machine, no Azure account and no Docker: Azurite, the local Event Hubs
 * endpoint, the local Logs Ingestion (HTTPS) and OTLP endpoints, the app's HTTP functions on a
 * local host, and an `EventHubConsumerClient` driving the real `ingestTraces` handler with the
 * host's input shape. `npm run local` and the end-to-end tests both start it.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { TableClient } from '@azure/data-tables';
import { EventHubConsumerClient, earliestEventPosition, type Subscription } from '@azure/event-hubs';
import { InvocationContext } from '@azure/functions';
import { createAppServices, type AppServices } from '../app/appServices';
import { HTTP_FUNCTIONS } from '../../functions/httpFunctions';
import { createIngestTracesHandler } from '../../functions/ingestTraces';
import { setAppServices } from '../../functions/services';
import type { IngestSummary } from '../pipeline/ingestEvents';
import { startAzurite, type AzuriteInstance } from './azurite';
import { startLocalEventHubs, type LocalEventHubs } from './eventHubs/localEventHubs';
import { hostEventBatch } from './hostEventBatch';
import { startHttpFunctionHost, type HttpFunctionHost } from './httpFunctionHost';
import { LocalTokenCredential } from './localTokenCredential';
import { LogsIngestionServer } from './logsIngestionServer';
import { OtlpReceiver } from './otlpReceiver';
import { TableCheckpointStore } from './tableCheckpointStore';
import { errorMessage } from '../errors';

/** Options of {@link startLocalSystem}. */
export interface LocalSystemOptions {
  /** Folder for Azurite data and the files the local endpoints write; undefined keeps everything in memory. */
  dataDir?: string;
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
      dataDir === undefined ? {} : { persistLocation: path.join(dataDir, 'azurite') },
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
      TRACE_CONSUMER_GROUP: '$Default',
      CONFIG_STORE__connectionString: storage,
      IDENTITY_STORE__connectionString: storage,
      DEADLETTER__connectionString: storage,
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
    };
    const waiters: { events: number; resolve: () => void }[] = [];
    const ingest = createIngestTracesHandler(() => services.ingest);
    const checkpointStore = new TableCheckpointStore(
      TableClient.fromConnectionString(storage, 'EventHubCheckpoints', { allowInsecureConnection: true }),
    );
    // Greedy, frequent claims: one local consumer owns every partition within a second of starting.
    const consumer = new EventHubConsumerClient(
      '$Default',
      eventHubs.connectionString(hubName),
      checkpointStore,
      {
        loadBalancingOptions: { strategy: 'greedy', updateIntervalInMs: 1000 },
      },
    );
    // The hub is new (in memory) each run while Azurite may persist: old checkpoints would skip its events.
    await checkpointStore.reset(consumer.fullyQualifiedNamespace, hubName, '$Default');
    cleanups.push(() => consumer.close());
    let subscription: Subscription | undefined;
    const account = (summary: IngestSummary, events: number) => {
      stats.invocations += 1;
      stats.events += events;
      stats.packets += summary.packets;
      stats.records += summary.records;
      stats.delivered += summary.delivered;
      stats.deadLettered += summary.deadLettered;
      stats.rejectedEvents += summary.rejectedEvents;
      stats.maxLagMs = Math.max(stats.maxLagMs, summary.maxLagMs ?? 0);
      for (const [key, count] of Object.entries(summary.recordsByDestination))
        stats.recordsByDestination[key] = (stats.recordsByDestination[key] ?? 0) + count;
      for (const waiter of [...waiters]) {
        if (stats.events >= waiter.events) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    };
    const startConsumer = () => {
      subscription = consumer.subscribe(
        {
          processEvents: async (events, context) => {
            if (events.length === 0) return;
            const batch = hostEventBatch(events, {
              fullyQualifiedNamespace: context.fullyQualifiedNamespace,
              eventHubName: context.eventHubName,
              consumerGroup: context.consumerGroup,
              partitionId: context.partitionId,
            });
            const invocation = new InvocationContext({
              functionName: 'ingestTraces',
              triggerMetadata: batch.triggerMetadata,
              logHandler: (level, ...args) =>
                log(`ingestTraces[${context.partitionId}] ${level}: ${args.map(String).join(' ')}`),
            });
            let summary: IngestSummary;
            try {
              summary = await ingest(batch.messages, invocation);
            } catch (caught) {
              // Not checkpointed: a restarted consumer delivers the batch again.
              log(`ingestTraces[${context.partitionId}] failed: ${errorMessage(caught)}`);
              stats.invocations += 1;
              return;
            }
            // Checkpoint before counting, so whoever waits for the count finds the checkpoint written.
            await context.updateCheckpoint(events[events.length - 1]!);
            account(summary, events.length);
          },
          processError: async (error, context) => {
            log(`consumer error on partition ${context.partitionId}: ${errorMessage(error)}`);
          },
        },
        // Without a checkpoint, start at the beginning (the Functions host's initialOffsetOptions fromStart).
        {
          startPosition: earliestEventPosition,
          maxBatchSize: 16,
          maxWaitTimeInSeconds: 1,
          skipParsingBodyAsJson: true,
        },
      );
    };
    startConsumer();
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
