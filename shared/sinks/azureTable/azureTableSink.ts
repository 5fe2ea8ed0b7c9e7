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
 *
 * Transactions are built and sent directly (transactionBody.ts, tableTransactionClient.ts), not
 * through the SDK's per-operation pipeline. A transaction is atomic: when the service rejects one
 * operation for what it holds (a 400 or 413 naming the operation, e.g. `PropertyValueTooLarge`), nothing
 * was written, so the sink sends the transaction again without that entity and reports only it as
 * failed (permanent, `HTTP_<status>`); the others are delivered. Throttling and server errors, of
 * the request or of an operation, fail the whole push as retryable, with the response's Retry-After;
 * `TableNotFound` (the table was deleted) is retryable too, and the table is created again.
 */
import { TableClient } from '@azure/data-tables';
import type { TokenCredential } from '@azure/core-auth';
import type { TraceRecord } from '../../record/traceRecord';
import type { AzureTableConnection } from '../connection';
import type { EncodeResult, EncodedRecord, PushOptions, PushResult, Sink } from '../sink';
import { classifyError, classifyStatus, type SendFailure } from '../send/failure';
import { encodeEntityOperation, entityJson, TABLE_LIMITS, type TraceEntity } from './encode';
import { DEFAULT_PARTITION_SHARDS, type PartitionLayout } from './partitionKey';
import {
  createTableTransactionClient,
  type TableTransactionClient,
  type TableTransactionClientOptions,
} from './tableTransactionClient';
import { entityKeyInUrl, mergeEntityJson, operationPart, type SerializedEntity } from './transactionBody';

/** Options of {@link AzureTableSink}. */
export interface AzureTableSinkOptions {
  /** Partitions per configuration-hour, nodes hashed over them (partitionKey.ts). Default 4. */
  shards?: number;
  /** Partitions one node's records spread over within a configuration-hour. Default 1. */
  shardsPerNode?: number;
}

/** Operation statuses that blame the entity itself (its size, types, property names). */
const ENTITY_STATUSES = new Set([400, 413]);

/** Most entities one push rejects one by one before giving up on the rest of the transaction. */
const MAX_REJECTED_PER_PUSH = 8;

/**
 * Creates the SDK TableClient of a connection (readers such as `tracectl query` use it); the
 * SDK's own retries are off (one retry layer: send/).
 */
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

/** One operation of a transaction: its RowKey, (merged) JSON body and the records it carries. */
interface Operation {
  rowKey: string;
  json: string;
  items: Array<EncodedRecord<SerializedEntity>>;
}

function jsonOf(item: EncodedRecord<SerializedEntity>): string {
  return item.payload.json ?? entityJson(item.record, item.payload.partitionKey, item.payload.rowKey);
}

function operationsOf(batch: ReadonlyArray<EncodedRecord<SerializedEntity>>): Operation[] {
  const byRowKey = new Map<string, Operation>();
  for (const item of batch) {
    const rowKey = item.payload.rowKey;
    const seen = byRowKey.get(rowKey);
    if (seen === undefined) byRowKey.set(rowKey, { rowKey, json: jsonOf(item), items: [item] });
    else {
      seen.json = mergeEntityJson(seen.json, jsonOf(item));
      seen.items.push(item);
    }
  }
  return [...byRowKey.values()];
}

/** A push failure already classified by the sink (returned by {@link AzureTableSink.classify}). */
export class TableTransactionError extends Error {
  override readonly name = 'TableTransactionError';
  readonly code: string;
  constructor(readonly failure: SendFailure) {
    super(failure.reason);
    this.code = failure.code;
  }
}

/**
 * Sink writing entities with Insert Or Merge transactions grouped by PartitionKey. Encoding checks
 * and sizes a record ({@link encodeEntityOperation}); its JSON is written when its transaction is
 * built ({@link entityJson}), so nothing but the keys is kept while a transaction fills.
 */
export class AzureTableSink implements Sink<SerializedEntity> {
  readonly destination = 'azuretable' as const;
  readonly connection: string;
  readonly limits = {
    maxRecords: TABLE_LIMITS.maxTransactionEntities,
    maxBytes: TABLE_LIMITS.maxTransactionBytes,
  };
  private tableReady: Promise<void> | undefined;
  private readonly layout: PartitionLayout;

  constructor(
    private readonly client: TableTransactionClient,
    connection: string,
    options: AzureTableSinkOptions = {},
  ) {
    this.connection = connection;
    this.layout = {
      shards: options.shards ?? DEFAULT_PARTITION_SHARDS,
      shardsPerNode: options.shardsPerNode ?? 1,
    };
  }

  encode(record: TraceRecord): EncodeResult<SerializedEntity> {
    return encodeEntityOperation(record, this.layout);
  }

  async push(
    batch: ReadonlyArray<EncodedRecord<SerializedEntity>>,
    options: PushOptions,
  ): Promise<PushResult<SerializedEntity>> {
    if (batch.length === 0) return { ok: true };
    // Tables are created on first use; "already exists" is success.
    this.tableReady ??= this.client.createTable(options.abortSignal);
    try {
      await this.tableReady;
    } catch (caught) {
      this.tableReady = undefined;
      throw caught;
    }
    const operations = operationsOf(batch);
    const boundaries = this.client.boundaries();
    const partitionKey = entityKeyInUrl(batch[0]!.payload.partitionKey);
    const parts = operations.map((operation) =>
      operationPart(this.client.target, boundaries.changeset, partitionKey, operation.rowKey, operation.json),
    );
    const rejected: Array<EncodedRecord<SerializedEntity>> = [];
    let firstRejection: SendFailure | undefined;
    for (;;) {
      const { outcome, headers } = await this.client.submitTransaction(
        boundaries,
        parts,
        options.abortSignal,
      );
      if (outcome.ok) {
        return firstRejection === undefined
          ? { ok: true }
          : { ok: false, failed: rejected, failure: firstRejection };
      }
      const reason = `table transaction operation ${outcome.index ?? '?'} of ${parts.length} failed with HTTP ${outcome.status}${outcome.code === '' ? '' : `: ${outcome.code}`}${outcome.message === '' ? '' : `: ${outcome.message}`}`;
      if (outcome.code === 'TableNotFound') {
        // Deleted since it was created: create it again on the next attempt.
        this.tableReady = undefined;
        throw new TableTransactionError({ kind: 'retryable', code: `HTTP_${outcome.status}`, reason });
      }
      const failure =
        outcome.code === 'TABLE_RESPONSE_INVALID'
          ? ({ kind: 'retryable', code: outcome.code, reason } as const)
          : classifyStatus(outcome.status, reason, (name) => headers[name]);
      if (failure.kind === 'retryable') throw new TableTransactionError(failure);
      // Only a 400/413 naming an operation is about that entity's content; anything else (403, 404,
      // 409, …) would be refused for every entity, so it fails the transaction as a whole.
      const index = ENTITY_STATUSES.has(outcome.status) ? outcome.index : undefined;
      if (index === undefined || rejected.length >= MAX_REJECTED_PER_PUSH) {
        // Not one entity's fault (or too many are): nothing of this transaction was written.
        for (const operation of operations) rejected.push(...operation.items);
        return { ok: false, failed: rejected, failure: firstRejection ?? failure };
      }
      const [operation] = operations.splice(index, 1);
      parts.splice(index, 1);
      rejected.push(...operation!.items);
      firstRejection ??= failure;
      if (operations.length === 0) return { ok: false, failed: rejected, failure: firstRejection };
    }
  }

  classify(error: unknown): SendFailure {
    return error instanceof TableTransactionError ? error.failure : classifyError(error);
  }

  async close(): Promise<void> {
    this.client.close();
  }
}

/** Options of {@link createAzureTableSink}. */
export interface CreateAzureTableSinkOptions extends AzureTableSinkOptions, TableTransactionClientOptions {
  /** Credential for `tableServiceUri` connections (DefaultAzureCredential in production). */
  credential?: TokenCredential;
}

/**
 * The sink of a resolved connection; its partition layout comes from the connection's
 * `partitionShards` and `shardsPerNode` settings unless `options` give one.
 */
export function createAzureTableSink(
  connection: AzureTableConnection,
  options: CreateAzureTableSinkOptions = {},
): AzureTableSink {
  const { credential, shards, shardsPerNode, ...clientOptions } = options;
  const layout: AzureTableSinkOptions = {};
  const partitions = shards ?? connection.partitionShards;
  const perNode = shardsPerNode ?? connection.shardsPerNode;
  if (partitions !== undefined) layout.shards = partitions;
  if (perNode !== undefined) layout.shardsPerNode = perNode;
  return new AzureTableSink(
    createTableTransactionClient(connection, credential, clientOptions),
    connection.name,
    layout,
  );
}
