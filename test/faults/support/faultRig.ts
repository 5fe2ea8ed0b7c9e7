/**
 * The fault-injection rig: the whole local system (Azurite, the local Event Hubs endpoint, the HTTPS
 * Logs Ingestion server, the OTLP receiver, the app and its consumer) with a TCP fault proxy in
 * front of each destination and of the dead-letter store, three catch-all configurations (one per
 * destination), and the accounting by RecordId of what each destination holds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { gzipSync } from 'node:zlib';
import { TableClient } from '@azure/data-tables';
import { EventHubProducerClient } from '@azure/event-hubs';
import { BlobServiceClient } from '@azure/storage-blob';
import { publishEvents, identitiesEvent, type PublishableEvent } from '../../../shared/agent/publishEvents';
import { callBackend } from '../../../shared/cli/backendClient';
import { MemoryIdentityStore } from '../../../shared/enrich/memoryIdentityStore';
import { demoBatches, demoIdentities, DEMO_CLUSTER } from '../../../shared/local/demo/demoCluster';
import { azuriteConnectionString } from '../../../shared/local/azurite';
import { startLocalSystem, type LocalSystem } from '../../../shared/local/localSystem';
import { TcpFaultProxy } from '../../../shared/local/tcpFaultProxy';
import { compileConfigurations } from '../../../shared/match/configurationMatcher';
import { createPartitionState } from '../../../shared/pipeline/partitionState';
import { runBatch } from '../../../shared/pipeline/runBatch';
import { TRACE_BATCH_SCHEMA } from '../../../shared/pipeline/traceEvent';
import { BlobDeadLetterStore } from '../../../shared/sinks/send/blobDeadLetterStore';
import { replayDeadLetters } from '../../../shared/sinks/send/replay';
import { configurationsFromYaml } from '../../pipeline/support/pipelineFixtures';

/** The destinations every scenario is counted on. */
export const DESTINATIONS = ['azuretable', 'loganalytics', 'opentelemetry'] as const;
export type FaultDestination = (typeof DESTINATIONS)[number];

/** host.json functionTimeout of the rig's handler: scenarios scale every timeout from it. */
export const FUNCTION_TIMEOUT_MS = 20_000;

const catchAll = (destination: FaultDestination) => `apiVersion: retina.sh/v1alpha1
kind: TraceConfiguration
metadata: { name: all-${destination}, namespace: faults }
spec:
  traceConfigurations: [{ captureLevel: AllPackets, includeLayer7Data: true, to: [{ ipBlock: { cidr: 0.0.0.0/0 } }] }]
  outputConfiguration: { destination: ${destination} }
`;

const NODE_KEY = 'fault-suite';
const DEAD_LETTER_CONTAINER = 'trace-deadletter';

/** One scenario's input: an identity snapshot, then `minutes` minutes of the demo cluster's two nodes. */
export function demoEvents(minutes: number, startMs: number): PublishableEvent[] {
  const events: PublishableEvent[] = [
    identitiesEvent(demoIdentities(new Date(startMs - 60_000).toISOString())),
  ];
  for (let minute = 0; minute < minutes; minute++) {
    for (const batch of demoBatches(startMs + minute * 60_000)) {
      events.push({
        body: gzipSync(batch.capture),
        properties: {
          'trace-schema': TRACE_BATCH_SCHEMA,
          cluster: DEMO_CLUSTER,
          node: batch.node,
          'content-encoding': 'gzip',
        },
      });
    }
  }
  return events;
}

/** What a destination should hold: RecordId → whether the record carries layer-7 fields. */
export type Expected = Record<FaultDestination, Map<string, boolean>>;

/**
 * The records the pipeline produces for `events` processed once, in order, on one partition (the
 * rig publishes everything with one partition key): what a fault-free run delivers.
 */
export async function expectedRecords(events: readonly PublishableEvent[]): Promise<Expected> {
  const matcher = compileConfigurations(DESTINATIONS.flatMap((d) => configurationsFromYaml(catchAll(d))));
  const identities = await new MemoryIdentityStore({ now: () => 0 }).lookupFor(DEMO_CLUSTER);
  const state = createPartitionState();
  const expected: Expected = { azuretable: new Map(), loganalytics: new Map(), opentelemetry: new Map() };
  for (const event of events) {
    if (event.properties['trace-schema'] !== TRACE_BATCH_SCHEMA) continue;
    const { gunzipSync } = await import('node:zlib');
    const result = runBatch(
      { cluster: DEMO_CLUSTER, node: event.properties.node ?? '', capture: gunzipSync(event.body) },
      { matcher, identities, state },
    );
    for (const delivery of result.deliveries) {
      const into = expected[delivery.destination as FaultDestination];
      for (const record of delivery.records) into.set(record.RecordId, record.L7Protocol !== undefined);
    }
  }
  return expected;
}

/** A running rig. */
export interface FaultRig {
  system: LocalSystem;
  proxies: Record<FaultDestination | 'deadletter', TcpFaultProxy>;
  producer: EventHubProducerClient;
  /** Dead-letter store read directly (not through its proxy). */
  deadLetters: BlobDeadLetterStore;
  /** Consumer log lines. */
  log: string[];
  /** Stops consumer processes still running when the rig stops. */
  children: Set<() => Promise<void>>;
  publish(events: readonly PublishableEvent[], pacingMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** The rig's retry policy: the trigger's (unbounded, exponential backoff) on a test time scale. */
const RETRY_POLICY = {
  strategy: 'exponentialBackoff',
  maxRetryCount: -1,
  minimumInterval: 200,
  maximumInterval: 1000,
} as const;

/** Starts the rig and applies the three catch-all configurations; `consumer: false` leaves consuming to {@link startConsumerProcess}. */
export async function startFaultRig(options: { consumer?: boolean } = {}): Promise<FaultRig> {
  const proxies = {} as FaultRig['proxies'];
  const log: string[] = [];
  const system = await startLocalSystem({
    functionTimeoutMs: FUNCTION_TIMEOUT_MS,
    retryPolicy: RETRY_POLICY,
    consumer: options.consumer ?? true,
    log: (line) => log.push(line),
    settingsFor: async ({ azurite, logsIngestion, otlp }) => {
      const port = (url: string) => Number(new URL(url).port);
      proxies.azuretable = new TcpFaultProxy(azurite.tablePort);
      proxies.deadletter = new TcpFaultProxy(azurite.blobPort);
      proxies.loganalytics = new TcpFaultProxy(port(logsIngestion.endpoint));
      proxies.opentelemetry = new TcpFaultProxy(port(otlp.endpoint));
      for (const proxy of Object.values(proxies)) await proxy.start();
      return {
        TRACES_AZURETABLE__connectionString: azuriteConnectionString({
          tablePort: proxies.azuretable.port,
          blobPort: azurite.blobPort,
        }),
        DEADLETTER__connectionString: azuriteConnectionString({
          blobPort: proxies.deadletter.port,
          tablePort: azurite.tablePort,
        }),
        TRACES_LOGANALYTICS__endpoint: `https://127.0.0.1:${proxies.loganalytics.port}`,
        TRACES_OPENTELEMETRY__endpoint: `http://127.0.0.1:${proxies.opentelemetry.port}`,
      };
    },
  });
  const producer = new EventHubProducerClient(system.eventHubsConnectionString);
  for (const destination of DESTINATIONS) {
    const put = await callBackend(
      { server: system.httpUrl },
      'PUT',
      `traceconfigurations/faults/all-${destination}`,
      {
        body: catchAll(destination),
        contentType: 'application/yaml',
      },
    );
    if (put.status !== 201) throw new Error(`could not apply all-${destination}: HTTP ${put.status}`);
  }
  const children = new Set<() => Promise<void>>();
  const deadLetters = new BlobDeadLetterStore(
    BlobServiceClient.fromConnectionString(system.azurite.connectionString).getContainerClient(
      DEAD_LETTER_CONTAINER,
    ),
  );
  return {
    system,
    proxies,
    producer,
    deadLetters,
    log,
    children,
    async publish(events, pacingMs = 0) {
      for (const event of events) {
        await publishEvents(producer, [event], { partitionKey: NODE_KEY });
        if (pacingMs > 0) await new Promise((resolve) => setTimeout(resolve, pacingMs));
      }
    },
    async stop() {
      for (const kill of [...children]) await kill();
      await producer.close();
      await system.stop();
      for (const proxy of Object.values(proxies)) await proxy.stop();
    },
  };
}

/** What one destination holds: rows per RecordId and whether any copy carries layer-7 fields. */
export type Held = Map<string, { copies: number; l7: boolean }>;

function hold(held: Held, recordId: string, l7: boolean): void {
  const seen = held.get(recordId);
  if (seen === undefined) held.set(recordId, { copies: 1, l7 });
  else {
    seen.copies += 1;
    seen.l7 ||= l7;
  }
}

/** Reads what every destination holds now, straight from the services (not through the proxies). */
export async function heldByDestination(rig: FaultRig): Promise<Record<FaultDestination, Held>> {
  const table: Held = new Map();
  const client = TableClient.fromConnectionString(rig.system.azurite.connectionString, 'RetinaTraces', {
    allowInsecureConnection: true,
  });
  try {
    for await (const entity of client.listEntities())
      hold(table, String(entity.RecordId), entity.L7Protocol !== undefined && entity.L7Protocol !== null);
  } catch (caught) {
    if ((caught as { statusCode?: number }).statusCode !== 404) throw caught;
  }
  const logs: Held = new Map();
  for (const { row } of rig.system.logsIngestion.accepted)
    hold(logs, String(row.RecordId), row.L7Protocol !== undefined && row.L7Protocol !== null);
  const otlp: Held = new Map();
  for (const { logRecord } of rig.system.otlp.received) {
    const attributes = (logRecord.attributes ?? []) as Array<{
      key: string;
      value: { stringValue?: string };
    }>;
    const uid = attributes.find((a) => a.key === 'log.record.uid')?.value.stringValue ?? '';
    hold(
      otlp,
      uid,
      attributes.some((a) => a.key === 'network.protocol.name'),
    );
  }
  return { azuretable: table, loganalytics: logs, opentelemetry: otlp };
}

/** Distinct RecordIds dead-lettered per destination, and the code of each distinct input event dead-lettered. */
export async function deadLettered(
  rig: FaultRig,
): Promise<{ records: Record<FaultDestination, Set<string>>; inputCodes: Map<string, string> }> {
  const records: Record<FaultDestination, Set<string>> = {
    azuretable: new Set(),
    loganalytics: new Set(),
    opentelemetry: new Set(),
  };
  // Input events by batch reference (`eventhub:<partition>:<sequence>`): a retried invocation
  // dead-letters its poison events again, which is at-least-once, not a new poison event.
  const inputCodes = new Map<string, string>();
  let blobs;
  try {
    blobs = await rig.deadLetters.list();
  } catch (caught) {
    if ((caught as { statusCode?: number }).statusCode === 404) return { records, inputCodes };
    throw caught;
  }
  for (const blob of blobs) {
    const parsed = await rig.deadLetters.read(blob.name);
    for (const entry of parsed.entries) {
      if (entry.kind === 'event') inputCodes.set(parsed.batchRef, entry.code);
      else records[parsed.destination as FaultDestination]?.add(entry.record.RecordId);
    }
  }
  return { records, inputCodes };
}

/** `tracectl deadletter replay` of every blob (the same function the CLI runs). */
export async function replayAll(rig: FaultRig): Promise<Record<FaultDestination, number>> {
  const results = await replayDeadLetters({
    store: rig.deadLetters,
    sinkFor: rig.system.services.ingest.sinkFor,
    deliverOptions: { attemptTimeoutMs: 5000 },
  });
  const replayed: Record<FaultDestination, number> = { azuretable: 0, loganalytics: 0, opentelemetry: 0 };
  for (const result of results) {
    if (result.destination in replayed) replayed[result.destination as FaultDestination] += result.delivered;
    if (result.outcome === 'failed')
      throw new Error(`replay of ${result.blob} failed: ${result.reason ?? ''}`);
  }
  return replayed;
}

/** One row of the reliability table. */
export interface ReliabilityRow {
  scenario: string;
  destination: FaultDestination;
  expected: number;
  /** Expected records carrying layer-7 fields (the ones redelivery could degrade). */
  expectedL7: number;
  delivered: number;
  deadLettered: number;
  replayed: number;
  lost: number;
  degraded: number;
  duplicated: number;
  unexpected: number;
  slowestInvocationMs: number;
}

/** Counts one destination of a finished scenario. */
export function countRow(
  scenario: string,
  destination: FaultDestination,
  expected: Map<string, boolean>,
  before: Held,
  after: Held,
  dead: Set<string>,
  replayed: number,
  slowestInvocationMs: number,
): ReliabilityRow {
  let delivered = 0;
  let lost = 0;
  let degraded = 0;
  let expectedL7 = 0;
  for (const [recordId, l7] of expected) {
    if (l7) expectedL7 += 1;
    if (before.has(recordId)) delivered += 1;
    const held = after.get(recordId);
    if (held === undefined) lost += 1;
    else if (l7 && !held.l7) degraded += 1;
  }
  let duplicated = 0;
  let unexpected = 0;
  for (const [recordId, held] of after) {
    duplicated += held.copies - 1;
    if (!expected.has(recordId)) unexpected += 1;
  }
  return {
    scenario,
    destination,
    expected: expected.size,
    expectedL7,
    delivered,
    deadLettered: dead.size,
    replayed,
    lost,
    degraded,
    duplicated,
    unexpected,
    slowestInvocationMs,
  };
}

/** The table as Markdown. */
export function formatTable(rows: readonly ReliabilityRow[]): string {
  const header =
    '| scenario | destination | expected (layer 7) | delivered | dead-lettered | replayed | lost | degraded | duplicated | unexpected | slowest invocation |';
  const rule = '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|';
  const lines = rows.map(
    (r) =>
      `| ${r.scenario} | ${r.destination} | ${r.expected} (${r.expectedL7}) | ${r.delivered} | ${r.deadLettered} | ${r.replayed} | ${r.lost} | ${r.degraded} | ${r.duplicated} | ${r.unexpected} | ${(r.slowestInvocationMs / 1000).toFixed(1)} s |`,
  );
  return [header, rule, ...lines].join('\n');
}

/** One invocation outcome a consumer process reported. */
export interface ProcessOutcome {
  events: number;
  lastSequenceNumber: number;
  elapsedMs: number;
  result: 'ok' | 'failed' | 'abandoned';
}

/** A consumer running as its own process (shared/local/consumerProcess.ts). */
export interface ConsumerProcess {
  outcomes: ProcessOutcome[];
  /** Resolves when the process printed its start line. */
  started: Promise<void>;
  /** Resolves once an `ok` outcome reached `sequenceNumber`. */
  checkpointed(sequenceNumber: number, timeoutMs: number): Promise<void>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

const ROOT = path.join(__dirname, '..', '..', '..');

/** Starts a consumer process against the rig's services, with the rig's settings. */
export function startConsumerProcess(rig: FaultRig): ConsumerProcess {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'shared/local/consumerProcess.ts'],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        ...rig.system.env,
        AzureFunctionsJobHost__functionTimeout: `00:00:${String(FUNCTION_TIMEOUT_MS / 1000).padStart(2, '0')}`,
        LOCAL_CONSUMER_CA: rig.system.logsIngestion.certificate,
        LOCAL_CONSUMER_RETRY_POLICY: JSON.stringify(RETRY_POLICY),
        LOCAL_CONSUMER_OWNERSHIP_EXPIRY_MS: '3000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const outcomes: ProcessOutcome[] = [];
  const listeners = new Set<() => void>();
  let onStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (onStarted = resolve));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const value = JSON.parse(line) as ProcessOutcome | { started: number };
    if ('started' in value) onStarted();
    else outcomes.push(value);
    for (const listener of [...listeners]) listener();
  });
  createInterface({ input: child.stderr! }).on('line', (line) =>
    rig.log.push(`[consumer ${child.pid}] ${line}`),
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killNow = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  rig.children.add(killNow);
  void exited.then(() => rig.children.delete(killNow));
  return {
    outcomes,
    started,
    checkpointed: (sequenceNumber, timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        const done = () => outcomes.some((o) => o.result === 'ok' && o.lastSequenceNumber >= sequenceNumber);
        if (done()) return resolve();
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(
            new Error(
              `the consumer process did not checkpoint sequence number ${sequenceNumber} within ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs);
        const check = () => {
          if (!done()) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve();
        };
        listeners.add(check);
      }),
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
