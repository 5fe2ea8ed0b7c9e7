/**
 * Releasing a partition's pipeline state: when an instance loses a partition (another instance
 * took it over) or shuts down, every FlowSummary flow it still holds is written — `shutdown`, or
 * `fin` / `rst` for flows that had closed — and delivered like a batch's records, so a partition
 * moving elsewhere loses no flow. The new owner starts with empty state: a flow that goes on
 * there is a new flow record from its next packet (docs/flows.md).
 */
import { EMPTY_IDENTITY_LOOKUP } from '../enrich/identityStore';
import { compileConfigurations } from '../match/configurationMatcher';
import { fanOut, type FanOutTarget } from '../sinks/send/fanOut';
import type { DeadLetterRecordEntry } from '../sinks/send/deadLetter';
import type { Sink } from '../sinks/sink';
import { errorMessage } from '../errors';
import type { IngestDependencies, IngestSummary } from './ingestEvents';
import type { PartitionState } from './partitionState';
import { PacketPipeline } from './runBatch';

const NO_CONFIGURATIONS = compileConfigurations([]);

/** Writes and delivers what `state` (the state of partition `partitionId`) still holds. */
export async function releasePartitionState(
  state: PartitionState,
  partitionId: string,
  deps: Pick<IngestDependencies, 'sinkFor' | 'deadLetter' | 'deliverOptions'>,
): Promise<IngestSummary> {
  const pipeline = new PacketPipeline(
    { cluster: '', node: '' },
    { matcher: NO_CONFIGURATIONS, identities: EMPTY_IDENTITY_LOOKUP, state },
  );
  pipeline.flushFlows();
  const summary: IngestSummary = {
    events: 0,
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
  const batchRef = `eventhub:${partitionId}:released`;
  const targets: FanOutTarget[] = [];
  for (const delivery of pipeline.takeDeliveries()) {
    const key = `${delivery.destination}/${delivery.connection}`;
    summary.records += delivery.records.length;
    summary.recordsByDestination[key] = (summary.recordsByDestination[key] ?? 0) + delivery.records.length;
    let sink: Sink;
    try {
      sink = deps.sinkFor(delivery.destination, delivery.connection);
    } catch (caught) {
      const reason = errorMessage(caught);
      summary.problems.push(`${key}: ${reason}`);
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
        batchRef,
        entries,
      });
      summary.deadLettered += entries.length;
      continue;
    }
    targets.push({ sink, records: delivery.records });
  }
  const reports = await fanOut(targets, { ...deps.deliverOptions, deadLetter: deps.deadLetter, batchRef });
  for (const report of reports) {
    summary.delivered += report.delivered;
    summary.deadLettered += report.deadLettered;
    summary.deliveries.push(report);
  }
  return summary;
}
