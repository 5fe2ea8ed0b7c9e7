/**
 * One Event Hubs trigger invocation: classify every event, apply identity snapshots, run each
 * trace batch through the pipeline, and deliver its records to every destination. One bad event
 * never fails the others: it is dead-lettered with its reason (and its bytes). The invocation only
 * fails (and so is retried by the Functions host) when the dead-letter store itself cannot be
 * written, because then records would be lost.
 *
 * Trace batches are inflated and processed one at a time, within a per-event and a per-invocation
 * budget of inflated bytes. Delivery is a pipeline (STYLE.md rule 11): each destination connection
 * has its own delivery queue for the invocation, which packs the records of all its events into
 * full pushes and sends each as soon as it fills while the next events are decoded, with at most
 * `maxInFlight` requests at once per destination (a limit shared with every invocation of the
 * instance). Queues run concurrently and the invocation waits for them only at its end, so a sick
 * destination never slows a healthy one; each destination's sink has a circuit breaker spanning
 * invocations. The invocation returns once every record is delivered or dead-lettered.
 */
import type { ConfigurationMatcher } from '../match/configurationMatcher';
import type { IdentityStore } from '../enrich/identityStore';
import { parseIdentitySnapshotSkippingEndpoints } from '../enrich/identitySchema';
import type { Destination } from '../config/model';
import type { Sink } from '../sinks/sink';
import type { ConfigurationCount, CounterStore } from '../store/configurationCounters';
import type { DeadLetterEventEntry, DeadLetterRecordEntry, DeadLetterWriter } from '../sinks/send/deadLetter';
import { FanOutError } from '../sinks/send/fanOut';
import {
  deadLetterTimeoutMs,
  deliver,
  type DeliverOptions,
  type DeliveryReport,
} from '../sinks/send/deliver';
import { circuitBreakerFor, type CircuitBreakerOptions } from '../sinks/send/circuitBreaker';
import { DeliveryQueue } from '../sinks/send/deliveryQueue';
import { DEFAULT_MAX_IN_FLIGHT, inFlightLimitFor } from '../sinks/send/inFlightLimit';
import type { ConfigurationCache } from './configurationCache';
import { eventMetadataAt, type EventMetadata } from './eventMetadata';
import type { PartitionState } from './partitionState';
import { runBatch, type BatchCounts } from './runBatch';
import {
  classifyEvent,
  inflateTraceBatch,
  MAX_INFLATED_BYTES,
  type RejectedEvent,
  type TraceBatchEvent,
} from './traceEvent';
import { errorMessage } from '../errors';
import type { RetentionStore } from '../retention/retentionStore';
import { RetentionSink, retainedBatchRecord, retentionDeadLetter } from '../retention/retentionSink';

/** What an invocation needs. */
export interface IngestDependencies {
  configurations: ConfigurationCache<ConfigurationMatcher>;
  identities: IdentityStore;
  /** Per-partition state, created on first use and kept across invocations. */
  partitionState(partitionId: string): PartitionState;
  /**
   * Removes and returns a partition's state (undefined when there is none), when the partition is
   * released: its open flows are then written by `releasePartitionState`.
   */
  takePartitionState?(partitionId: string): PartitionState | undefined;
  /** The sink for a destination connection; throws (e.g. `CONNECTION_INVALID`) when it cannot be built. */
  sinkFor(destination: Destination, connection: string): Sink;
  deadLetter: DeadLetterWriter;
  /** Send options (timeouts, attempts, deadline) passed to every delivery. */
  deliverOptions?: Omit<DeliverOptions, 'deadLetter' | 'batchRef'>;
  /** How records are queued and sent to each destination; defaults as documented on each field. */
  delivery?: DeliverySettings;
  /** Circuit breaker settings of each destination (created on a sink's first use); false: none. */
  circuitBreaker?: CircuitBreakerOptions | false;
  /** Most bytes one event may inflate to (a gzip bomb beyond). Default 64 MiB. */
  maxInflatedBytesPerEvent?: number;
  /**
   * Most inflated bytes of all trace batches of one invocation, bombs refused at the per-event
   * bound included; later events are dead-lettered (`INVOCATION_INFLATED_BUDGET_EXCEEDED`). Default 256 MiB.
   */
  maxInflatedBytesPerInvocation?: number;
  /** Clock in epoch ms for the lag measurement. */
  now?: () => number;
  /**
   * Where packets of `retina.sh/retain-packets` configurations are kept; absent: nothing is
   * retained (and records carry no `CaptureRef`).
   */
  retention?: RetentionStore;
  /**
   * Where the per-configuration counters go after each invocation (best effort: a failure is a
   * warning, never a failed invocation); absent: not counted. Used by the function handler.
   */
  counters?: Pick<CounterStore, 'add'>;
}

/** How an invocation's records are queued per destination (app settings `DELIVERY_*`, docs/operations.md). */
export interface DeliverySettings {
  /**
   * Requests in flight at once per destination connection, shared by every invocation of the
   * instance (set when the destination's sink is first used). Default 16.
   */
  maxInFlight?: number;
  /**
   * Records per destination waiting for their push to fill before every open push is sent early;
   * also how many dead-lettered records make one dead-letter blob. Default 10,000.
   */
  maxPendingRecords?: number;
  /** Encoded bytes per destination waiting for their push to fill. Default 16 MiB. */
  maxPendingBytes?: number;
}

/** The once-per-invocation summary (logged as one line and emitted as metrics). */
export interface IngestSummary {
  events: number;
  traceBatches: number;
  identitySnapshots: number;
  /** Events dead-lettered without being processed. */
  rejectedEvents: number;
  /** Trace batches whose capture was not wholly readable: processed as far as readable, and dead-lettered (`CAPTURE_UNREADABLE`). */
  unreadableEvents?: number;
  /**
   * Dead-letter blobs written for whole events (rejected or unreadable) and for records that had
   * no usable connection; blobs of failed deliveries are in `deliveries[].deadLetterBlob`.
   */
  deadLetterBlobs?: string[];
  packets: number;
  malformed: number;
  matched: number;
  records: number;
  delivered: number;
  deadLettered: number;
  /** Records per `destination/connection`. */
  recordsByDestination: Record<string, number>;
  /**
   * Records, dead-lettered records and newest record time per configuration (`namespace/name`),
   * for the configuration counters (shared/store/configurationCounters.ts).
   */
  byConfiguration?: Record<string, ConfigurationCount>;
  /** Largest end-to-end lag (now − enqueued time), in ms, when the host gave enqueued times. */
  maxLagMs?: number;
  /** Reasons for rejected events and damaged packets (bounded). */
  problems: string[];
  deliveries: DeliveryReport[];
  /** Packets retained for `retina.sh/retain-packets` configurations. */
  retainedPackets?: number;
  /** Retained capture blobs uploaded. */
  retainedBlobs?: number;
  /** Retained capture blobs dead-lettered (their packets are kept in the dead-letter blob). */
  retainedDeadLettered?: number;
  /** Address-to-name mappings learned from DNS responses (present when any was). */
  dnsNamesLearned?: number;
  /** DNS names forgotten before their TTL because a node's name cache was full (present when any was). */
  dnsNameEvictions?: number;
  /**
   * Endpoints of identity snapshots left out because they broke the schema (present when any was;
   * each snapshot's other endpoints were applied, and the first issues are in `problems`).
   */
  identityEndpointsSkipped?: number;
}

const MAX_PROBLEMS = 50;

/** Default of {@link IngestDependencies.maxInflatedBytesPerInvocation}. */
export const MAX_INFLATED_BYTES_PER_INVOCATION = 256 * 1024 * 1024;

function batchRef(metadata: EventMetadata, index: number): string {
  return `eventhub:${metadata.partitionId ?? '?'}:${metadata.sequenceNumber ?? `index-${index}`}`;
}

function eventEntry(event: RejectedEvent): DeadLetterEventEntry {
  return {
    kind: 'event',
    code: event.code,
    reason: event.reason,
    body: Buffer.from(event.body).toString('base64'),
    properties: event.metadata.properties,
  };
}

function addCounts(summary: IngestSummary, counts: BatchCounts): void {
  summary.packets += counts.packets;
  summary.malformed += counts.malformed;
  summary.matched += counts.matched;
  if (counts.dnsNamesLearned > 0)
    summary.dnsNamesLearned = (summary.dnsNamesLearned ?? 0) + counts.dnsNamesLearned;
  if (counts.dnsNameEvictions > 0)
    summary.dnsNameEvictions = (summary.dnsNameEvictions ?? 0) + counts.dnsNameEvictions;
}

/**
 * Processes one invocation's events (`messages` as the host delivers them: `Buffer[]` with
 * cardinality `many`) with the host's `triggerMetadata`.
 */
export async function ingestEvents(
  messages: unknown,
  triggerMetadata: Record<string, unknown> | undefined,
  deps: IngestDependencies,
): Promise<IngestSummary> {
  const bodies: unknown[] = Array.isArray(messages) ? messages : [messages];
  const now = deps.now ?? Date.now;
  const summary: IngestSummary = {
    events: bodies.length,
    traceBatches: 0,
    identitySnapshots: 0,
    rejectedEvents: 0,
    unreadableEvents: 0,
    packets: 0,
    malformed: 0,
    matched: 0,
    records: 0,
    delivered: 0,
    deadLettered: 0,
    recordsByDestination: {},
    problems: [],
    deliveries: [],
  };
  const problem = (text: string) => {
    if (summary.problems.length < MAX_PROBLEMS) summary.problems.push(text);
  };
  const lanes = new DeliveryLanes();
  const queues = new Map<string, DeliveryQueue>();
  const byConfiguration: Record<string, ConfigurationCount> = (summary.byConfiguration = {});
  const countFor = (key: string): ConfigurationCount =>
    (byConfiguration[key] ??= { records: 0, deadLettered: 0 });
  // Dead-lettered records carry their configuration: counted once the dead-letter blob is written.
  const recordDeadLetter: DeadLetterWriter = {
    write: async (batch, options) => {
      const blob = await deps.deadLetter.write(batch, options);
      for (const entry of batch.entries)
        if (entry.kind === 'record' && typeof entry.record.TraceConfiguration === 'string')
          countFor(entry.record.TraceConfiguration).deadLettered += 1;
      return blob;
    },
  };
  const deadLetterOptions = (): { abortSignal: AbortSignal } => ({
    abortSignal: AbortSignal.timeout(deadLetterTimeoutMs(deps.deliverOptions ?? {}, Date.now())),
  });
  const deadLetterEvent = (event: RejectedEvent): void => {
    problem(event.reason);
    const ref = batchRef(event.metadata, event.index);
    lanes.enqueue('input', async () => {
      const blob = await deps.deadLetter.write(
        { destination: 'input', connection: '', batchRef: ref, entries: [eventEntry(event)] },
        deadLetterOptions(),
      );
      (summary.deadLetterBlobs ??= []).push(blob);
    });
  };
  const reject = (event: RejectedEvent): void => {
    summary.rejectedEvents += 1;
    deadLetterEvent(event);
  };

  // Pass 1: classify without inflating trace batches, and apply identity snapshots in arrival
  // order, before the batches of the same invocation.
  const batches: TraceBatchEvent[] = [];
  for (const [index, body] of bodies.entries()) {
    const metadata = eventMetadataAt(triggerMetadata, index);
    if (metadata.enqueuedTimeMs !== undefined)
      summary.maxLagMs = Math.max(summary.maxLagMs ?? 0, now() - metadata.enqueuedTimeMs);
    const event = classifyEvent(body, metadata, index, {
      inflate: false,
      maxInflatedBytes: deps.maxInflatedBytesPerEvent ?? MAX_INFLATED_BYTES,
    });
    if (event.kind === 'rejected') {
      reject(event);
      continue;
    }
    if (event.kind === 'traces') {
      batches.push(event);
      continue;
    }
    const parsed = parseIdentitySnapshotSkippingEndpoints(event.body);
    if (!parsed.ok) {
      reject({
        kind: 'rejected',
        index,
        code: 'IDENTITIES_INVALID',
        reason: `event ${index}: identity snapshot is invalid: ${parsed.issues.slice(0, 10).join('; ')}`,
        // The body as received (possibly gzip), so a replay reads it with the same properties.
        body:
          body instanceof Uint8Array
            ? body
            : body instanceof ArrayBuffer
              ? new Uint8Array(body)
              : Buffer.from(JSON.stringify(event.body)),
        metadata,
      });
      continue;
    }
    if (parsed.skippedEndpoints > 0) {
      summary.identityEndpointsSkipped = (summary.identityEndpointsSkipped ?? 0) + parsed.skippedEndpoints;
      problem(
        `event ${index}: identity snapshot: ${parsed.skippedEndpoints} of ${parsed.snapshot.endpoints.length + parsed.skippedEndpoints} endpoints skipped, the rest applied: ${parsed.skippedIssues.slice(0, 3).join('; ')}`,
      );
    }
    await deps.identities.apply(parsed.snapshot);
    summary.identitySnapshots += 1;
  }

  // Pass 2: one trace batch at a time; its inflated bytes die before the next is inflated.
  const perEvent = deps.maxInflatedBytesPerEvent ?? MAX_INFLATED_BYTES;
  let budget = deps.maxInflatedBytesPerInvocation ?? MAX_INFLATED_BYTES_PER_INVOCATION;
  for (const compressed of batches) {
    const ref = batchRef(compressed.metadata, compressed.index);
    const raw = compressed.raw ?? compressed.capture;
    if (budget <= 0) {
      reject({
        kind: 'rejected',
        index: compressed.index,
        code: 'INVOCATION_INFLATED_BUDGET_EXCEEDED',
        reason: `event ${compressed.index}: the invocation's budget of ${deps.maxInflatedBytesPerInvocation ?? MAX_INFLATED_BYTES_PER_INVOCATION} inflated bytes is spent; re-publish it with \`tracectl replay\``,
        body: raw,
        metadata: compressed.metadata,
      });
      continue;
    }
    const batch = inflateTraceBatch(compressed, Math.min(perEvent, budget));
    if (batch.kind === 'rejected') {
      if (batch.code === 'EVENT_INFLATED_TOO_LARGE') {
        if (budget < perEvent) batch.code = 'INVOCATION_INFLATED_BUDGET_EXCEEDED';
        // A bomb was inflated up to its bound before it was refused: that work is spent too, or
        // 16 bombs would cost 16 full inflations (a CPU bomb) however small the budget.
        budget -= Math.min(perEvent, budget);
      }
      reject(batch);
      continue;
    }
    budget -= batch.capture.length;
    let result;
    try {
      const generation = await deps.configurations.forCluster(batch.cluster);
      const identities = await deps.identities.lookupFor(batch.cluster);
      const state = deps.partitionState(batch.metadata.partitionId ?? 'default');
      result = runBatch(batch, {
        matcher: generation.compiled,
        identities,
        state,
        retainPackets: deps.retention !== undefined,
      });
    } catch (caught) {
      // A failure here is ours, not the batch's; keep the event so it can be replayed once fixed.
      reject({
        kind: 'rejected',
        index: batch.index,
        code: 'PIPELINE_FAILED',
        reason: `event ${batch.index}: ${errorMessage(caught)}`,
        body: raw,
        metadata: batch.metadata,
      });
      continue;
    }
    summary.traceBatches += 1;
    addCounts(summary, result.counts);
    for (const text of result.problems) problem(`event ${batch.index} (${ref}): ${text}`);
    if (result.captureProblem !== undefined) {
      // The readable part was processed (its records are delivered below); the body is kept whole.
      summary.unreadableEvents = (summary.unreadableEvents ?? 0) + 1;
      deadLetterEvent({
        kind: 'rejected',
        index: batch.index,
        code: 'CAPTURE_UNREADABLE',
        reason: `event ${batch.index}: capture is not wholly readable (${result.counts.packets} packets read): ${result.captureProblem.code}: ${result.captureProblem.message}`,
        body: raw,
        metadata: batch.metadata,
      });
    }

    for (const delivery of result.deliveries) {
      const key = `${delivery.destination}/${delivery.connection}`;
      summary.records += delivery.records.length;
      summary.recordsByDestination[key] = (summary.recordsByDestination[key] ?? 0) + delivery.records.length;
      for (const record of delivery.records) {
        if (typeof record.TraceConfiguration !== 'string') continue;
        const count = countFor(record.TraceConfiguration);
        count.records += 1;
        if (
          typeof record.TimeGenerated === 'string' &&
          (count.lastRecordTime === undefined ||
            Date.parse(record.TimeGenerated) > Date.parse(count.lastRecordTime))
        )
          count.lastRecordTime = record.TimeGenerated;
      }
      let sink: Sink;
      try {
        sink = deps.sinkFor(delivery.destination, delivery.connection);
      } catch (caught) {
        const reason = errorMessage(caught);
        problem(`${key}: ${reason}`);
        const entries: DeadLetterRecordEntry[] = delivery.records.map((record) => ({
          kind: 'record',
          code: 'CONNECTION_INVALID',
          reason,
          attempts: 0,
          record,
        }));
        lanes.enqueue(key, async () => {
          const blob = await recordDeadLetter.write(
            { destination: delivery.destination, connection: delivery.connection, batchRef: ref, entries },
            deadLetterOptions(),
          );
          summary.deadLettered += entries.length;
          (summary.deadLetterBlobs ??= []).push(blob);
        });
        continue;
      }
      let queue = queues.get(key);
      if (queue === undefined) {
        const breaker =
          deps.circuitBreaker === false ? undefined : circuitBreakerFor(sink, deps.circuitBreaker);
        queue = new DeliveryQueue(sink, {
          ...deps.deliverOptions,
          ...(breaker !== undefined ? { breaker } : {}),
          ...(deps.delivery?.maxPendingRecords !== undefined
            ? { maxPendingRecords: deps.delivery.maxPendingRecords }
            : {}),
          ...(deps.delivery?.maxPendingBytes !== undefined
            ? { maxPendingBytes: deps.delivery.maxPendingBytes }
            : {}),
          inFlightLimit: inFlightLimitFor(sink, deps.delivery?.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT),
          deadLetter: recordDeadLetter,
        });
        queues.set(key, queue);
      }
      queue.add(delivery.records, ref);
    }
    // Retention is one more lane: uploaded beside the record deliveries, never holding them back.
    if (result.retained !== undefined && deps.retention !== undefined) {
      const retained = result.retained;
      const store = deps.retention;
      summary.retainedPackets = (summary.retainedPackets ?? 0) + result.counts.retainedPackets;
      lanes.enqueue('retention', async () => {
        const report = await deliver(new RetentionSink(store, retained), [retainedBatchRecord(retained)], {
          ...deps.deliverOptions,
          deadLetter: retentionDeadLetter(deps.deadLetter, [retained]),
          batchRef: ref,
        });
        summary.retainedBlobs = (summary.retainedBlobs ?? 0) + report.delivered;
        summary.retainedDeadLettered = (summary.retainedDeadLettered ?? 0) + report.deadLettered;
        summary.deliveries.push(report);
        for (const failure of report.failures)
          problem(
            `retention: ${failure.count} × ${failure.code}: ${failure.reason} (packets kept in ${report.deadLetterBlob ?? 'the dead-letter store'})`,
          );
      });
    }
    // Let the pushes started so far reach the network (and their answers in) before the next batch.
    await new Promise((resolve) => setImmediate(resolve));
  }

  const [laneErrors, finished] = await Promise.all([
    lanes.settle(),
    Promise.allSettled([...queues.values()].map((queue) => queue.finish())),
  ]);
  const errors = [...laneErrors];
  for (const outcome of finished) {
    if (outcome.status === 'rejected') {
      errors.push(outcome.reason);
      continue;
    }
    const report = outcome.value;
    summary.delivered += report.delivered;
    summary.deadLettered += report.deadLettered;
    summary.deliveries.push(report);
    for (const failure of report.failures)
      problem(
        `${report.destination}/${report.connection}: ${failure.count} × ${failure.code}: ${failure.reason}`,
      );
  }
  if (errors.length > 0) throw new FanOutError(errors, summary.deliveries);
  return summary;
}

/**
 * One promise chain per key: tasks of a key run in order, keys run concurrently. After a task of a
 * key fails (the dead-letter store could not be written), that key's later tasks are skipped: the
 * invocation fails and the host delivers every event again.
 */
class DeliveryLanes {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly failed = new Set<string>();
  private readonly errors: unknown[] = [];

  enqueue(key: string, task: () => Promise<void>): void {
    const previous = this.tails.get(key) ?? Promise.resolve();
    this.tails.set(
      key,
      previous.then(async () => {
        if (this.failed.has(key)) return;
        try {
          await task();
        } catch (caught) {
          this.failed.add(key);
          this.errors.push(caught);
        }
      }),
    );
  }

  /** Waits for every lane; resolves to the errors of the lanes that failed. */
  async settle(): Promise<unknown[]> {
    await Promise.all(this.tails.values());
    return this.errors;
  }
}
