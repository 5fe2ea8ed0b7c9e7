/**
 * One Event Hubs trigger invocation: classify every event, apply identity snapshots, run each
 * trace batch through the pipeline, and deliver its records to every destination. One bad event
 * never fails the others: it is dead-lettered with its reason. The invocation only fails (and so
 * is retried by the Functions host) when the dead-letter store itself cannot be written, because
 * then records would be lost.
 */
import type { ConfigurationMatcher } from '../match/configurationMatcher';
import type { IdentityStore } from '../enrich/identityStore';
import { parseIdentitySnapshot } from '../enrich/identitySchema';
import type { Destination } from '../config/model';
import type { Sink } from '../sinks/sink';
import type { DeadLetterEventEntry, DeadLetterRecordEntry, DeadLetterWriter } from '../sinks/send/deadLetter';
import { fanOut, type FanOutTarget } from '../sinks/send/fanOut';
import type { DeliverOptions, DeliveryReport } from '../sinks/send/deliver';
import type { ConfigurationCache } from './configurationCache';
import { eventMetadataAt, type EventMetadata } from './eventMetadata';
import type { PartitionState } from './partitionState';
import { runBatch, type BatchCounts } from './runBatch';
import { classifyEvent, type RejectedEvent, type TraceBatchEvent } from './traceEvent';
import { errorMessage } from '../errors';
import type { RetainedBatch } from '../retention/packetRetainer';
import type { RetentionStore } from '../retention/retentionStore';
import { RetentionSink, retainedBatchRecord, retentionDeadLetter } from '../retention/retentionSink';

/** What an invocation needs. */
export interface IngestDependencies {
  configurations: ConfigurationCache<ConfigurationMatcher>;
  identities: IdentityStore;
  /** Per-partition state, created on first use and kept across invocations. */
  partitionState(partitionId: string): PartitionState;
  /** The sink for a destination connection; throws (e.g. `CONNECTION_INVALID`) when it cannot be built. */
  sinkFor(destination: Destination, connection: string): Sink;
  deadLetter: DeadLetterWriter;
  /** Send options (timeouts, attempts, deadline) passed to every delivery. */
  deliverOptions?: Omit<DeliverOptions, 'deadLetter' | 'batchRef'>;
  /** Clock in epoch ms for the lag measurement. */
  now?: () => number;
  /**
   * Where packets of `retina.sh/retain-packets` configurations are kept; absent: nothing is
   * retained (and records carry no `CaptureRef`).
   */
  retention?: RetentionStore;
}

/** The once-per-invocation summary (logged as one line and emitted as metrics). */
export interface IngestSummary {
  events: number;
  traceBatches: number;
  identitySnapshots: number;
  /** Events dead-lettered without being processed. */
  rejectedEvents: number;
  packets: number;
  malformed: number;
  matched: number;
  records: number;
  delivered: number;
  deadLettered: number;
  /** Records per `destination/connection`. */
  recordsByDestination: Record<string, number>;
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
}

const MAX_PROBLEMS = 50;

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
  const rejected: RejectedEvent[] = [];
  const batches: TraceBatchEvent[] = [];

  for (const [index, body] of bodies.entries()) {
    const metadata = eventMetadataAt(triggerMetadata, index);
    if (metadata.enqueuedTimeMs !== undefined)
      summary.maxLagMs = Math.max(summary.maxLagMs ?? 0, now() - metadata.enqueuedTimeMs);
    const event = classifyEvent(body, metadata, index);
    if (event.kind === 'rejected') {
      rejected.push(event);
      continue;
    }
    if (event.kind === 'traces') {
      batches.push(event);
      continue;
    }
    // Identity snapshots apply in arrival order, before the batches of the same invocation.
    const parsed = parseIdentitySnapshot(event.body);
    if (!parsed.ok) {
      rejected.push({
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
    await deps.identities.apply(parsed.snapshot);
    summary.identitySnapshots += 1;
  }

  for (const batch of batches) {
    const ref = batchRef(batch.metadata, batch.index);
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
      rejected.push({
        kind: 'rejected',
        index: batch.index,
        code: 'PIPELINE_FAILED',
        reason: `event ${batch.index}: ${errorMessage(caught)}`,
        body: batch.capture,
        metadata: batch.metadata,
      });
      continue;
    }
    summary.traceBatches += 1;
    addCounts(summary, result.counts);
    for (const text of result.problems) problem(`event ${batch.index} (${ref}): ${text}`);

    const targets: FanOutTarget[] = [];
    for (const delivery of result.deliveries) {
      const key = `${delivery.destination}/${delivery.connection}`;
      summary.records += delivery.records.length;
      summary.recordsByDestination[key] = (summary.recordsByDestination[key] ?? 0) + delivery.records.length;
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
        await deps.deadLetter.write({
          destination: delivery.destination,
          connection: delivery.connection,
          batchRef: ref,
          entries,
        });
        summary.deadLettered += entries.length;
        continue;
      }
      targets.push({ sink, records: delivery.records });
    }
    // Retention is one more fan-out target: uploaded beside the record deliveries, never before them.
    const retained: RetainedBatch[] = [];
    if (result.retained !== undefined && deps.retention !== undefined) {
      retained.push(result.retained);
      summary.retainedPackets = (summary.retainedPackets ?? 0) + result.counts.retainedPackets;
      targets.push({
        sink: new RetentionSink(deps.retention, result.retained),
        records: [retainedBatchRecord(result.retained)],
      });
    }
    const reports = await fanOut(targets, {
      ...deps.deliverOptions,
      deadLetter: retentionDeadLetter(deps.deadLetter, retained),
      batchRef: ref,
    });
    for (const report of reports) {
      if (report.destination === 'retention') {
        summary.retainedBlobs = (summary.retainedBlobs ?? 0) + report.delivered;
        summary.retainedDeadLettered = (summary.retainedDeadLettered ?? 0) + report.deadLettered;
        summary.deliveries.push(report);
        for (const failure of report.failures)
          problem(
            `retention: ${failure.count} × ${failure.code}: ${failure.reason} (packets kept in ${report.deadLetterBlob ?? 'the dead-letter store'})`,
          );
        continue;
      }
      summary.delivered += report.delivered;
      summary.deadLettered += report.deadLettered;
      summary.deliveries.push(report);
      for (const failure of report.failures)
        problem(
          `${report.destination}/${report.connection}: ${failure.count} × ${failure.code}: ${failure.reason}`,
        );
    }
  }

  if (rejected.length > 0) {
    summary.rejectedEvents = rejected.length;
    for (const event of rejected) problem(event.reason);
    const byRef = new Map<string, RejectedEvent[]>();
    for (const event of rejected) {
      const ref = batchRef(event.metadata, event.index);
      byRef.set(ref, [...(byRef.get(ref) ?? []), event]);
    }
    for (const [ref, events] of byRef) {
      await deps.deadLetter.write({
        destination: 'input',
        connection: '',
        batchRef: ref,
        entries: events.map(eventEntry),
      });
    }
  }
  return summary;
}
