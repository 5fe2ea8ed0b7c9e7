/**
 * An {@link IdentityStore} persisted in Azure Table, so identities survive restarts and are shared
 * by every instance. Each cluster is one partition, loaded lazily and cached in memory with a TTL
 * and a bound on the number of cached clusters (least recently used goes first).
 *
 * Concurrency: two instances applying snapshots of the same cluster at once each write their own
 * merge; the per-address "newest generatedAt wins" rule is re-applied on the next load, so the
 * table converges once snapshots stop racing.
 */
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import type { IdentityLookup, IdentitySnapshot } from './identity';
import { COMPLETE_ROW_PREFIX, fromIdentityEntity, identityRowKey, toIdentityEntity } from './identityEntity';
import type { IdentityStore, IdentityStoreOperationOptions } from './identityStore';
import {
  IdentityTable,
  type IdentityApplyOutcome,
  type IdentityEntry,
  type IdentityTableOptions,
} from './identityTable';
import { ipKeyOfText, type IpKey } from './ipKey';

/** Options of an {@link AzureTableIdentityStore}. */
export interface AzureTableIdentityStoreOptions extends IdentityTableOptions {
  /** How long a loaded cluster is served from memory before it is read again, in ms. Default 60 000. */
  cacheTtlInMs?: number;
  /** Most clusters kept in memory at once. Default 64. */
  maxCachedClusters?: number;
}

interface CachedCluster {
  table: IdentityTable;
  /** Entity RowKey of each address, to write and delete rows. */
  rowKeys: Map<IpKey, string>;
  loadedAtMs: number;
}

const TRANSACTION_LIMIT = 100;

/** Identity store over one Azure Table (PartitionKey = cluster, RowKey = hex of the address). */
export class AzureTableIdentityStore implements IdentityStore {
  private readonly cache = new Map<string, CachedCluster>();
  private readonly cacheTtlInMs: number;
  private readonly maxCachedClusters: number;
  private readonly now: () => number;
  private tableCreated = false;
  /** Rows skipped while loading because they were damaged (counted, never fatal). */
  damagedRows = 0;

  constructor(
    private readonly client: TableClient,
    private readonly options: AzureTableIdentityStoreOptions = {},
  ) {
    this.cacheTtlInMs = options.cacheTtlInMs ?? 60_000;
    this.maxCachedClusters = Math.max(1, options.maxCachedClusters ?? 64);
    this.now = options.now ?? Date.now;
  }

  /** The cluster's table (from cache when fresh), with expired entries removed. */
  async lookupFor(cluster: string, options: IdentityStoreOperationOptions = {}): Promise<IdentityLookup> {
    const cached = await this.cluster(cluster, options);
    cached.table.expire();
    return cached.table;
  }

  /** Merges the snapshot into the cluster's table and writes the changed rows. */
  async apply(
    snapshot: IdentitySnapshot,
    options: IdentityStoreOperationOptions = {},
  ): Promise<IdentityApplyOutcome> {
    const cached = await this.cluster(snapshot.cluster, options);
    const before = new Map<IpKey, IdentityEntry>(cached.table.allEntries());
    const completeBefore = new Map(cached.table.completeTimes());
    const outcome = cached.table.apply(snapshot);
    const actions: TransactionAction[] = [];
    for (const endpoint of snapshot.endpoints) {
      const rowKey = identityRowKey(endpoint.ip);
      const key = ipKeyOfText(endpoint.ip);
      if (rowKey !== undefined && key !== undefined) cached.rowKeys.set(key, rowKey);
    }
    for (const [key, entry] of cached.table.allEntries()) {
      if (before.get(key) === entry) continue;
      const rowKey = cached.rowKeys.get(key);
      if (rowKey !== undefined)
        actions.push(['upsert', toIdentityEntity(snapshot.cluster, rowKey, entry), 'Replace']);
    }
    for (const [scope, generatedAtMs] of cached.table.completeTimes()) {
      if (completeBefore.get(scope) === generatedAtMs) continue;
      actions.push([
        'upsert',
        {
          partitionKey: snapshot.cluster,
          rowKey: COMPLETE_ROW_PREFIX + scope,
          GeneratedAt: new Date(generatedAtMs).toISOString(),
        },
        'Replace',
      ]);
    }
    // Every known row whose address left the table (replaced by a complete snapshot, expired now
    // or already expired when loaded) is deleted.
    const deletions: string[] = [];
    for (const [key, rowKey] of cached.rowKeys) {
      if (!cached.table.hasKey(key)) {
        deletions.push(rowKey);
        cached.rowKeys.delete(key);
      }
    }
    try {
      await this.write(snapshot.cluster, actions, deletions, options);
    } catch (caught) {
      // The cached table is ahead of storage now; forget it so the next use reads storage again.
      this.cache.delete(snapshot.cluster);
      throw caught;
    }
    return outcome;
  }

  private async write(
    cluster: string,
    actions: TransactionAction[],
    deletions: string[],
    options: IdentityStoreOperationOptions,
  ): Promise<void> {
    await this.ensureTable(options);
    for (let i = 0; i < actions.length; i += TRANSACTION_LIMIT) {
      await this.client.submitTransaction(actions.slice(i, i + TRANSACTION_LIMIT), {
        abortSignal: options.abortSignal,
      });
    }
    for (const rowKey of deletions) {
      try {
        await this.client.deleteEntity(cluster, rowKey, { abortSignal: options.abortSignal });
      } catch (caught) {
        // Another instance may have removed the row already.
        if ((caught as { statusCode?: number }).statusCode !== 404) throw caught;
      }
    }
  }

  private async cluster(cluster: string, options: IdentityStoreOperationOptions): Promise<CachedCluster> {
    const cached = this.cache.get(cluster);
    if (cached && this.now() - cached.loadedAtMs < this.cacheTtlInMs) {
      this.cache.delete(cluster);
      this.cache.set(cluster, cached);
      return cached;
    }
    const loaded = await this.load(cluster, options);
    this.cache.delete(cluster);
    this.cache.set(cluster, loaded);
    while (this.cache.size > this.maxCachedClusters) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
    return loaded;
  }

  private async load(cluster: string, options: IdentityStoreOperationOptions): Promise<CachedCluster> {
    await this.ensureTable(options);
    const table = new IdentityTable(this.options);
    const rowKeys = new Map<IpKey, string>();
    const entities = this.client.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${cluster}` },
      abortSignal: options.abortSignal,
    });
    for await (const entity of entities) {
      const rowKey = String(entity.rowKey);
      if (rowKey.startsWith(COMPLETE_ROW_PREFIX)) {
        const at = Date.parse(typeof entity.GeneratedAt === 'string' ? entity.GeneratedAt : '');
        if (!Number.isNaN(at)) table.restoreComplete(rowKey.slice(COMPLETE_ROW_PREFIX.length), at);
        continue;
      }
      const decoded = fromIdentityEntity(entity);
      if (!decoded.ok) {
        this.damagedRows++;
        continue;
      }
      const key = ipKeyOfText(decoded.entry.endpoint.ip);
      if (key === undefined) {
        this.damagedRows++;
        continue;
      }
      table.put(key, decoded.entry);
      rowKeys.set(key, rowKey);
    }
    table.expire();
    return { table, rowKeys, loadedAtMs: this.now() };
  }

  private async ensureTable(options: IdentityStoreOperationOptions): Promise<void> {
    if (this.tableCreated) return;
    // createTable tolerates an existing table.
    await this.client.createTable({ abortSignal: options.abortSignal });
    this.tableCreated = true;
  }
}
