/**
 * Where identity snapshots go: Event Hubs, each snapshot gzip-compressed as one event with
 * `trace-schema: retina.sh/identities/v1`, in order per partition key.
 */
import { gzipSync } from 'node:zlib';
import type { EventHubProducerClient } from '@azure/event-hubs';
import { identitiesEvent, publishEvents } from '../../agent/publishEvents';
import type { PlannedSnapshot } from './snapshotPlan';

/** Publishes planned snapshots; resolves to the number of events sent. */
export type SnapshotSink = (snapshots: readonly PlannedSnapshot[]) => Promise<number>;

/** A sink over an Event Hubs producer (the caller owns and closes it). */
export function eventHubSnapshotSink(producer: EventHubProducerClient): SnapshotSink {
  return async (snapshots) => {
    let sent = 0;
    // Consecutive snapshots with one key go in one call, so their order holds on the partition.
    let index = 0;
    while (index < snapshots.length) {
      const key = snapshots[index]!.partitionKey;
      const group = [];
      while (index < snapshots.length && snapshots[index]!.partitionKey === key) {
        const event = identitiesEvent(snapshots[index]!.snapshot);
        group.push({
          body: gzipSync(event.body),
          properties: { ...event.properties, 'content-encoding': 'gzip' },
        });
        index += 1;
      }
      sent += await publishEvents(producer, group, { partitionKey: key });
    }
    return sent;
  };
}
