/** The Azure Table destination: idempotent upserts in per-partition transactions. */
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

/** Sink writing entities with `upsert` (Replace) transactions grouped by PartitionKey. */
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
    const actions: TransactionAction[] = batch.map((item) => ['upsert', item.payload, 'Replace']);
    await this.client.submitTransaction(actions, { abortSignal: options.abortSignal });
    return { ok: true };
  }

  async close(): Promise<void> {}
}
