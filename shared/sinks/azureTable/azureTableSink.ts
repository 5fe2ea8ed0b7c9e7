/**
 * The Azure Table destination: idempotent upserts in per-partition transactions.
 *
 * Two rules keep delivery safe to repeat (docs/reliability.md):
 * - Upserts **merge**: a record written again (an at-least-once redelivery, a replay) only adds or
 *   refreshes the properties it carries, so a bare L3/L4 record produced on redelivery (when
 *   layer-7 state has moved on) never erases the HTTP/DNS/TLS fields stored before.
 * - One action per RowKey per transaction: the service rejects a whole transaction that names an
 *   entity twice. Byte-identical frames (same bytes, time and trace point) share a RecordId by
 *   design (it identifies the observation), so their entities are merged into one action.
 */
import { TableClient, type TransactionAction } from '@azure/data-tables';
import type { TokenCredential } from '@azure/core-auth';
import type { TraceRecord } from '../../record/traceRecord';
import type { AzureTableConnection } from '../connection';
import type { EncodeResult, EncodedRecord, PushOptions, PushResult, Sink } from '../sink';
import { encodeEntity, TABLE_LIMITS, type TraceEntity } from './encode';
import { DEFAULT_PARTITION_SHARDS } from './partitionKey';

/** Options of {@link AzureTableSink}. */
export interface AzureTableSinkOptions {
  /** Partitions per configuration-hour. Default 4. */
  shards?: number;
  /** Credential for `tableServiceUri` connections (DefaultAzureCredential in production). */
  credential?: TokenCredential;
}

/** Creates the TableClient of a connection; the SDK's own retries are off (one retry layer: send/). */
export function createTableClient(
  connection: AzureTableConnection,
  credential?: TokenCredential,
): TableClient {
  const options = { retryOptions: { maxRetries: 0 } };
  if (connection.connectionString !== undefined) {
    return TableClient.fromConnectionString(connection.connectionString, connection.tableName, {
      ...options,
      allowInsecureConnection:
        /^https?:\/\/(127\.0\.0\.1|localhost)[:/]|UseDevelopmentStorage=true|=http:/i.test(
          connection.connectionString,
        ),
    });
  }
  if (connection.tableServiceUri === undefined || credential === undefined) {
    throw new Error(
      `azuretable connection '${connection.name}' needs a credential for ${String(connection.tableServiceUri)}`,
    );
  }
  return new TableClient(connection.tableServiceUri, connection.tableName, credential, options);
}

/**
 * Merges entities that share a RowKey (same PartitionKey is given: a batch holds one group) into one,
 * later properties over earlier ones, keeping first-seen order. Pure.
 */
export function mergeByRowKey(entities: readonly TraceEntity[]): TraceEntity[] {
  const byRowKey = new Map<string, TraceEntity>();
  for (const entity of entities) {
    const seen = byRowKey.get(entity.rowKey);
    byRowKey.set(entity.rowKey, seen === undefined ? entity : { ...seen, ...entity });
  }
  return [...byRowKey.values()];
}

/** Sink writing entities with `upsert` (Merge) transactions grouped by PartitionKey. */
export class AzureTableSink implements Sink<TraceEntity> {
  readonly destination = 'azuretable' as const;
  readonly connection: string;
  readonly limits = {
    maxRecords: TABLE_LIMITS.maxTransactionEntities,
    maxBytes: TABLE_LIMITS.maxTransactionBytes,
  };
  private tableReady: Promise<void> | undefined;
  private readonly shards: number;

  constructor(
    private readonly client: TableClient,
    connection: string,
    options: AzureTableSinkOptions = {},
  ) {
    this.connection = connection;
    this.shards = options.shards ?? DEFAULT_PARTITION_SHARDS;
  }

  encode(record: TraceRecord): EncodeResult<TraceEntity> {
    return encodeEntity(record, this.shards);
  }

  async push(
    batch: ReadonlyArray<EncodedRecord<TraceEntity>>,
    options: PushOptions,
  ): Promise<PushResult<TraceEntity>> {
    if (batch.length === 0) return { ok: true };
    // Tables are created on first use; createTable treats "already exists" as success.
    this.tableReady ??= this.client.createTable({ abortSignal: options.abortSignal });
    try {
      await this.tableReady;
    } catch (caught) {
      this.tableReady = undefined;
      throw caught;
    }
    const actions: TransactionAction[] = mergeByRowKey(batch.map((item) => item.payload)).map((entity) => [
      'upsert',
      entity,
      'Merge',
    ]);
    await this.client.submitTransaction(actions, { abortSignal: options.abortSignal });
    return { ok: true };
  }

  async close(): Promise<void> {}
}
