import type { IdentityLookup, IdentitySnapshot } from './identity';
import { EMPTY_IDENTITY_LOOKUP, type IdentityStore } from './identityStore';
import { IdentityTable, type IdentityApplyOutcome, type IdentityTableOptions } from './identityTable';

/**
 * An {@link IdentityStore} held in process memory: for tests, `tracectl inspect --identities`, and
 * as the cache layer of persistent stores.
 */
export class MemoryIdentityStore implements IdentityStore {
  private readonly tables = new Map<string, IdentityTable>();

  constructor(private readonly options: IdentityTableOptions = {}) {}

  /** Applies a snapshot to its cluster's table, creating the table on first use. */
  async apply(snapshot: IdentitySnapshot): Promise<IdentityApplyOutcome> {
    let table = this.tables.get(snapshot.cluster);
    if (!table) {
      table = new IdentityTable(this.options);
      this.tables.set(snapshot.cluster, table);
    }
    return table.apply(snapshot);
  }

  /** The cluster's table with expired entries removed, or an empty lookup. */
  async lookupFor(cluster: string): Promise<IdentityLookup> {
    const table = this.tables.get(cluster);
    if (!table) return EMPTY_IDENTITY_LOOKUP;
    table.expire();
    return table;
  }

  /** The cluster's table, if any (synchronous access for offline tools). */
  tableFor(cluster: string): IdentityTable | undefined {
    return this.tables.get(cluster);
  }
}
