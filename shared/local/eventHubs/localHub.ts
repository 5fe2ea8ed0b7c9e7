import { DEFAULT_CONSUMER_GROUP } from './settings';
import type { LocalHubDefinition } from './settings';
import { PartitionLog } from './partitionLog';
import type { PartitionLogLimits } from './partitionLog';
import { partitionForKey } from './partitionForKey';

/** The state of one served event hub: its partitions and consumer groups. */
export class LocalHub {
  /** Hub name as configured. */
  readonly name: string;
  /** When the endpoint created it. */
  readonly createdAt: Date;
  /** `"0"` … `"n-1"`. */
  readonly partitionIds: readonly string[];
  private readonly logs: ReadonlyMap<string, PartitionLog>;
  private readonly consumerGroups: ReadonlySet<string> | undefined;
  private nextRoundRobin = 0;

  constructor(definition: LocalHubDefinition, limits: PartitionLogLimits, createdAt: Date) {
    this.name = definition.name;
    this.createdAt = createdAt;
    this.partitionIds = Array.from({ length: definition.partitionCount }, (_, index) => String(index));
    this.logs = new Map(this.partitionIds.map((id) => [id, new PartitionLog(limits)]));
    this.consumerGroups =
      definition.consumerGroups &&
      new Set([DEFAULT_CONSUMER_GROUP, ...definition.consumerGroups].map((group) => group.toLowerCase()));
  }

  /** The partition with this id, if it exists. */
  partition(partitionId: string): PartitionLog | undefined {
    return this.logs.get(partitionId);
  }

  /** Whether receivers may use this consumer group (any name when none were configured). */
  hasConsumerGroup(name: string): boolean {
    return this.consumerGroups === undefined || this.consumerGroups.has(name.toLowerCase());
  }

  /** Where an event sent to the hub itself goes: hashed by partition key, round-robin without one. */
  routeToPartition(partitionKey: string | undefined): string {
    const count = this.partitionIds.length;
    const index =
      partitionKey === undefined ? this.nextRoundRobin++ % count : partitionForKey(partitionKey, count);
    return this.partitionIds[index] ?? '0';
  }
}
