/**
 * Where identity tables live between batches. The pipeline asks for one lookup per batch
 * (`lookupFor(cluster)`); identity events are applied as they arrive.
 */
import type { IdentityLookup, IdentitySnapshot } from './identity';
import type { IdentityApplyOutcome } from './identityTable';

/** Options of store operations (Azure SDK convention). */
export interface IdentityStoreOperationOptions {
  abortSignal?: AbortSignal;
}

/** A store of per-cluster identity tables. */
export interface IdentityStore {
  /** Applies a validated snapshot to its cluster's table. */
  apply(snapshot: IdentitySnapshot, options?: IdentityStoreOperationOptions): Promise<IdentityApplyOutcome>;
  /** A lookup for the cluster's current table (empty when nothing is known). Call once per batch. */
  lookupFor(cluster: string, options?: IdentityStoreOperationOptions): Promise<IdentityLookup>;
}

/** A lookup that knows nothing: every address stays unenriched. */
export const EMPTY_IDENTITY_LOOKUP: IdentityLookup = { lookup: () => undefined };
