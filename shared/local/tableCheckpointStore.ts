/**
 * An `@azure/event-hubs` {@link CheckpointStore} over Azure Table (Azurite locally), so the local
 * host checkpoints like the Functions host does with blobs: a restarted consumer resumes after the
 * last processed event instead of reading the partition again. Ownership claims use the table's
 * ETags, so two consumers never both own a partition.
 *
 * Layout: PartitionKey = `<namespace>:<hub>:<consumer group>` (each part URI-encoded, since keys
 * may not hold `/ \ # ?`), RowKey = `ownership:<partition>` or `checkpoint:<partition>`.
 */
import { odata, RestError, type TableClient, type TableEntityResult } from '@azure/data-tables';
import type { Checkpoint, CheckpointStore, OperationOptions, PartitionOwnership } from '@azure/event-hubs';
import { TraceError } from '../errors';

interface OwnershipEntity {
  partitionKey: string;
  rowKey: string;
  ownerId: string;
  lastModifiedTimeInMs: number;
}

interface CheckpointEntity {
  partitionKey: string;
  rowKey: string;
  /** Int64 as text: sequence numbers exceed Int32. */
  sequenceNumber: string;
  offset: string;
}

const OWNERSHIP = 'ownership:';
const CHECKPOINT = 'checkpoint:';

/** The PartitionKey of one consumer group of one hub. */
export function checkpointPartitionKey(
  fullyQualifiedNamespace: string,
  eventHubName: string,
  consumerGroup: string,
): string {
  return [fullyQualifiedNamespace, eventHubName, consumerGroup]
    .map((part) => encodeURIComponent(part.toLowerCase()))
    .join(':');
}

function statusOf(caught: unknown): number | undefined {
  return caught instanceof RestError ? caught.statusCode : undefined;
}

/** {@link CheckpointStore} on one Azure Table; the table is created on first use. */
export class TableCheckpointStore implements CheckpointStore {
  private tableReady: Promise<void> | undefined;

  constructor(private readonly client: TableClient) {}

  private async ensureTable(options: OperationOptions = {}): Promise<void> {
    this.tableReady ??= this.client
      .createTable({ abortSignal: options.abortSignal })
      .catch((caught: unknown) => {
        this.tableReady = undefined;
        throw caught;
      });
    await this.tableReady;
  }

  private async rows<T extends object>(
    partitionKey: string,
    prefix: string,
    options: OperationOptions,
  ): Promise<TableEntityResult<T>[]> {
    await this.ensureTable(options);
    const filter = odata`PartitionKey eq ${partitionKey} and RowKey ge ${prefix} and RowKey lt ${`${prefix.slice(0, -1)};`}`;
    const rows: TableEntityResult<T>[] = [];
    for await (const entity of this.client.listEntities<T>({
      queryOptions: { filter },
      abortSignal: options.abortSignal,
    }))
      rows.push(entity);
    return rows;
  }

  async listOwnership(
    fullyQualifiedNamespace: string,
    eventHubName: string,
    consumerGroup: string,
    options: OperationOptions = {},
  ): Promise<PartitionOwnership[]> {
    const key = checkpointPartitionKey(fullyQualifiedNamespace, eventHubName, consumerGroup);
    return (await this.rows<OwnershipEntity>(key, OWNERSHIP, options)).map((entity) => ({
      fullyQualifiedNamespace,
      eventHubName,
      consumerGroup,
      partitionId: (entity.rowKey ?? '').slice(OWNERSHIP.length),
      ownerId: entity.ownerId,
      lastModifiedTimeInMs: Number(entity.lastModifiedTimeInMs),
      etag: entity.etag,
    }));
  }

  /**
   * Claims each ownership: an update conditional on its etag, or a create when it has none. Claims
   * lost to another consumer (412, or 409 on create) are left out of the result, as the SDK expects.
   */
  async claimOwnership(
    ownerships: PartitionOwnership[],
    options: OperationOptions = {},
  ): Promise<PartitionOwnership[]> {
    await this.ensureTable(options);
    const claimed: PartitionOwnership[] = [];
    for (const ownership of ownerships) {
      const lastModifiedTimeInMs = Date.now();
      const entity: OwnershipEntity = {
        partitionKey: checkpointPartitionKey(
          ownership.fullyQualifiedNamespace,
          ownership.eventHubName,
          ownership.consumerGroup,
        ),
        rowKey: OWNERSHIP + ownership.partitionId,
        ownerId: ownership.ownerId,
        lastModifiedTimeInMs,
      };
      try {
        const response =
          ownership.etag === undefined
            ? await this.client.createEntity(entity, { abortSignal: options.abortSignal })
            : await this.client.updateEntity(entity, 'Replace', {
                etag: ownership.etag,
                abortSignal: options.abortSignal,
              });
        claimed.push({ ...ownership, lastModifiedTimeInMs, etag: response.etag ?? '' });
      } catch (caught) {
        const status = statusOf(caught);
        if (status === 412 || status === 409 || status === 404) continue;
        throw caught;
      }
    }
    return claimed;
  }

  async updateCheckpoint(checkpoint: Checkpoint, options: OperationOptions = {}): Promise<void> {
    if (
      !Number.isInteger(checkpoint.sequenceNumber) ||
      typeof checkpoint.offset !== 'string' ||
      checkpoint.offset === ''
    ) {
      throw new TraceError(
        'CHECKPOINT_INVALID',
        `checkpoint of partition ${checkpoint.partitionId} needs a sequence number and an offset (got ${String(checkpoint.sequenceNumber)}, '${String(checkpoint.offset)}')`,
      );
    }
    await this.ensureTable(options);
    const entity: CheckpointEntity = {
      partitionKey: checkpointPartitionKey(
        checkpoint.fullyQualifiedNamespace,
        checkpoint.eventHubName,
        checkpoint.consumerGroup,
      ),
      rowKey: CHECKPOINT + checkpoint.partitionId,
      sequenceNumber: String(checkpoint.sequenceNumber),
      offset: checkpoint.offset,
    };
    await this.client.upsertEntity(entity, 'Replace', { abortSignal: options.abortSignal });
  }

  async listCheckpoints(
    fullyQualifiedNamespace: string,
    eventHubName: string,
    consumerGroup: string,
    options: OperationOptions = {},
  ): Promise<Checkpoint[]> {
    const key = checkpointPartitionKey(fullyQualifiedNamespace, eventHubName, consumerGroup);
    return (await this.rows<CheckpointEntity>(key, CHECKPOINT, options)).map((entity) => ({
      fullyQualifiedNamespace,
      eventHubName,
      consumerGroup,
      partitionId: (entity.rowKey ?? '').slice(CHECKPOINT.length),
      sequenceNumber: Number(entity.sequenceNumber),
      offset: String(entity.offset),
    }));
  }

  /**
   * Forgets every ownership and checkpoint of one consumer group, for a hub that starts empty again
   * (the local Event Hubs endpoint keeps events in memory, while Azurite may persist the table).
   */
  async reset(
    fullyQualifiedNamespace: string,
    eventHubName: string,
    consumerGroup: string,
    options: OperationOptions = {},
  ): Promise<number> {
    await this.ensureTable(options);
    const key = checkpointPartitionKey(fullyQualifiedNamespace, eventHubName, consumerGroup);
    let removed = 0;
    for await (const entity of this.client.listEntities({
      queryOptions: { filter: odata`PartitionKey eq ${key}` },
      abortSignal: options.abortSignal,
    })) {
      await this.client.deleteEntity(key, entity.rowKey ?? '', { abortSignal: options.abortSignal });
      removed += 1;
    }
    return removed;
  }
}
