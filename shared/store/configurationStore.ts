/**
 * Where TraceConfiguration resources live between requests and across instances. The HTTP API
 * writes through it with optimistic concurrency; the ingest function reads it through a cache.
 */
import type { TraceConfigurationSpec, TraceConfigurationStatus } from '../config/model';
import { TraceError } from '../errors';

/** A stored configuration resource. */
export interface StoredConfiguration {
  namespace: string;
  name: string;
  /** Incremented whenever the submitted spec changes (as Kubernetes `metadata.generation`). */
  generation: number;
  /** The manifest as last submitted (JSON), for `tracectl get -o yaml` and audits. */
  manifest: unknown;
  /** The spec in force: the newest accepted one. Absent when nothing was ever accepted. */
  spec?: TraceConfigurationSpec;
  status: TraceConfigurationStatus;
  /** Cluster the configuration is limited to (`retina.sh/cluster` label); absent: every cluster. */
  cluster?: string;
  /** ISO time of the last write. */
  updatedAt: string;
  /** Opaque version for `If-Match`. */
  etag: string;
}

/** A configuration to write; the store assigns the etag. */
export type ConfigurationWrite = Omit<StoredConfiguration, 'etag'>;

/** Preconditions of a write or delete. */
export interface WriteConditions {
  /** Only write if the stored etag equals this (HTTP `If-Match`); `*` means "must exist". */
  ifMatch?: string;
  /** `*`: only write if nothing is stored (HTTP `If-None-Match: *`). */
  ifNoneMatch?: '*';
  abortSignal?: AbortSignal;
}

/** Raised when a write's precondition does not hold; maps to HTTP 412. */
export class PreconditionFailedError extends TraceError {
  constructor(message: string) {
    super('PRECONDITION_FAILED', message);
  }
}

/** Raised when a value does not fit the store's limits; maps to HTTP 413. */
export class StoredValueTooLargeError extends TraceError {
  constructor(message: string) {
    super('STORED_VALUE_TOO_LARGE', message);
  }
}

/** Storage of TraceConfiguration resources. */
export interface ConfigurationStore {
  get(
    namespace: string,
    name: string,
    options?: { abortSignal?: AbortSignal },
  ): Promise<StoredConfiguration | undefined>;
  /** All configurations, or those of one namespace, sorted by namespace then name. */
  list(options?: { namespace?: string; abortSignal?: AbortSignal }): Promise<StoredConfiguration[]>;
  /** Writes a configuration; throws {@link PreconditionFailedError} when a condition fails. */
  put(configuration: ConfigurationWrite, conditions?: WriteConditions): Promise<StoredConfiguration>;
  /** Deletes; resolves false when nothing was stored. Throws {@link PreconditionFailedError} on etag mismatch. */
  delete(namespace: string, name: string, conditions?: WriteConditions): Promise<boolean>;
  /** Cheap reachability check for the health endpoint. */
  ping(options?: { abortSignal?: AbortSignal }): Promise<void>;
}
