/**
 * The identity table of one cluster: IP → Kubernetes endpoint, fed by identity snapshots
 * (docs/wire-format.md). Lookups are one map hit on the packet's address bytes.
 */
import { ipKey, ipKeyOfText, type IpKey } from './ipKey';
import type { Endpoint, EndpointKind, IdentityLookup, IdentitySnapshot } from './identity';

/** Default time an entry lives after the last snapshot that mentioned it: 15 minutes. */
export const DEFAULT_IDENTITY_TTL_MS = 15 * 60 * 1000;

/** Options of an {@link IdentityTable}. */
export interface IdentityTableOptions {
  /** How long an entry lives after the last snapshot that carried it, in ms. Default 15 minutes. */
  ttlInMs?: number;
  /** Clock in epoch ms (injected for tests). Default `Date.now`. */
  now?: () => number;
}

/** One stored entry, with what is needed to order and expire it (and to persist it). */
export interface IdentityEntry {
  endpoint: Endpoint;
  /** `generatedAt` of the snapshot that wrote it, epoch ms. */
  generatedAtMs: number;
  /** The publishing node of that snapshot, `''` when the snapshot named none. */
  scope: string;
  /** Clock time (epoch ms) of the last snapshot that carried it; expiry counts from here. */
  refreshedAtMs: number;
}

/** What applying one snapshot did. */
export interface IdentityApplyOutcome {
  /** Endpoints written. */
  applied: number;
  /** Endpoints skipped because the table held a newer entry for the same address. */
  stale: number;
  /** Endpoints skipped because their address did not parse. */
  invalid: number;
  /** Entries removed because a complete snapshot no longer listed them. */
  removed: number;
  /** True when a complete snapshot was older than the last complete one of its scope and ignored. */
  ignored: boolean;
}

// When two endpoints claim one address with the same generatedAt (a hostNetwork pod and its node),
// the node is the more honest answer, then the service.
const KIND_PRECEDENCE: Record<EndpointKind, number> = { pod: 0, service: 1, node: 2 };

/**
 * Identity table of one cluster.
 *
 * - A complete snapshot replaces the entries of its scope: the whole cluster when it names no
 *   `node`, otherwise the entries previously published by that node. A complete snapshot older
 *   than the last complete one of the same scope is ignored.
 * - A delta upserts its endpoints.
 * - Per address, the entry with the newest `generatedAt` wins; at equal times node beats service
 *   beats pod.
 * - Entries expire `ttlInMs` after the last snapshot that carried them ({@link expire}).
 */
export class IdentityTable implements IdentityLookup {
  private readonly entries = new Map<IpKey, IdentityEntry>();
  private readonly lastComplete = new Map<string, number>();
  private readonly ttlInMs: number;
  private readonly now: () => number;

  constructor(options: IdentityTableOptions = {}) {
    this.ttlInMs = options.ttlInMs ?? DEFAULT_IDENTITY_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  /** Number of addresses known. */
  get size(): number {
    return this.entries.size;
  }

  /** The endpoint owning `ip` (4 or 16 bytes), or undefined. O(1), allocation-free for IPv4. */
  lookup(ip: Uint8Array): Endpoint | undefined {
    return this.entries.get(ipKey(ip))?.endpoint;
  }

  /** The endpoint owning an address in text form, or undefined. */
  lookupText(ip: string): Endpoint | undefined {
    const key = ipKeyOfText(ip);
    return key === undefined ? undefined : this.entries.get(key)?.endpoint;
  }

  /** True when an entry holds the address key. */
  hasKey(key: IpKey): boolean {
    return this.entries.has(key);
  }

  /** Applies a snapshot (already validated, e.g. by `parseIdentitySnapshot`). */
  apply(snapshot: IdentitySnapshot): IdentityApplyOutcome {
    const generatedAtMs = Date.parse(snapshot.generatedAt);
    const scope = snapshot.node ?? '';
    const refreshedAtMs = this.now();
    const outcome: IdentityApplyOutcome = { applied: 0, stale: 0, invalid: 0, removed: 0, ignored: false };
    if (snapshot.complete) {
      const previous = this.lastComplete.get(scope);
      if (previous !== undefined && previous > generatedAtMs) return { ...outcome, ignored: true };
      this.lastComplete.set(scope, generatedAtMs);
    }
    const written = new Set<IpKey>();
    for (const endpoint of snapshot.endpoints) {
      const key = ipKeyOfText(endpoint.ip);
      if (key === undefined) {
        outcome.invalid++;
        continue;
      }
      if (this.put(key, { endpoint, generatedAtMs, scope, refreshedAtMs })) {
        outcome.applied++;
        written.add(key);
      } else {
        outcome.stale++;
      }
    }
    if (snapshot.complete) {
      for (const [key, entry] of this.entries) {
        const inScope = scope === '' || entry.scope === scope;
        if (inScope && !written.has(key) && entry.generatedAtMs <= generatedAtMs) {
          this.entries.delete(key);
          outcome.removed++;
        }
      }
    }
    this.expire();
    return outcome;
  }

  /**
   * Stores an entry unless a newer one holds the address; true when stored. Used by `apply` and
   * to restore persisted entries.
   */
  put(key: IpKey, entry: IdentityEntry): boolean {
    const existing = this.entries.get(key);
    if (existing && !supersedes(entry, existing)) return false;
    this.entries.set(key, entry);
    return true;
  }

  /** Removes entries not refreshed within the TTL; returns how many. */
  expire(): number {
    const cutoff = this.now() - this.ttlInMs;
    let removed = 0;
    for (const [key, entry] of this.entries) {
      if (entry.refreshedAtMs < cutoff) {
        this.entries.delete(key);
        removed++;
      }
    }
    return removed;
  }

  /** `generatedAt` (epoch ms) of the last complete snapshot per scope (for persistence). */
  completeTimes(): IterableIterator<[string, number]> {
    return this.lastComplete.entries();
  }

  /** Restores a persisted complete-snapshot time of a scope. */
  restoreComplete(scope: string, generatedAtMs: number): void {
    const previous = this.lastComplete.get(scope);
    if (previous === undefined || previous < generatedAtMs) this.lastComplete.set(scope, generatedAtMs);
  }

  /** All entries with their keys (for persistence and inspection). */
  allEntries(): IterableIterator<[IpKey, IdentityEntry]> {
    return this.entries.entries();
  }
}

function supersedes(incoming: IdentityEntry, existing: IdentityEntry): boolean {
  if (incoming.generatedAtMs !== existing.generatedAtMs)
    return incoming.generatedAtMs > existing.generatedAtMs;
  return KIND_PRECEDENCE[incoming.endpoint.kind] >= KIND_PRECEDENCE[existing.endpoint.kind];
}
