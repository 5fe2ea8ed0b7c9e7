/**
 * The storage behind the fake Kubernetes API server, with etcd's semantics as the API server
 * exposes them: one cluster-wide increasing resourceVersion, a bounded history of changes that
 * watches resume from (older versions are "gone": 410), optimistic concurrency on
 * `metadata.resourceVersion`, `generation` bumped on spec changes, the status subresource, and
 * finalizers with `deletionTimestamp`.
 */
import { randomUUID } from 'node:crypto';
import type { ApiResource } from './apiResources';
import type { ObjectPredicate } from './selectors';

/** A Kubernetes object as JSON. */
export type KubeObject = Record<string, unknown> & { metadata: KubeMetadata };

/** The metadata fields the store manages. */
export interface KubeMetadata {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  finalizers?: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
  [field: string]: unknown;
}

/** A change, as a watch sends it. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
}

/** A failed request, as the API server's `Status` reports it. */
export class ApiStatusError extends Error {
  override readonly name = 'ApiStatusError';
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

interface HistoryEntry extends WatchEvent {
  resourceVersion: number;
  plural: string;
}

/** A registered watch. */
export interface StoreWatcher {
  plural: string;
  namespace: string | undefined;
  matches: ObjectPredicate;
  send(event: WatchEvent): void;
}

/** What a write is, for {@link ObjectStoreOptions.beforeWrite}. */
export interface WriteIntent {
  verb: 'create' | 'update' | 'updateStatus' | 'delete';
  plural: string;
  namespace: string | undefined;
  name: string;
}

/** Options of {@link ObjectStore}. */
export interface ObjectStoreOptions {
  /** Changes kept for watches to resume from; older resourceVersions are gone (410). Default 1000. */
  historySize?: number;
  /** Clock, for creation and deletion timestamps. */
  now?: () => Date;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** JSON with object keys sorted, so equal objects compare equal whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

function keyOf(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

/** The objects of every served resource. */
export class ObjectStore {
  private revision = 1000;
  /** Changes at or below this revision are no longer in the history. */
  private compactedRevision = 1000;
  private readonly history: HistoryEntry[] = [];
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly watchers = new Set<StoreWatcher>();
  private readonly historySize: number;
  private readonly now: () => Date;
  /** Called before every write is checked: tests use it to make another writer win a race. */
  beforeWrite: ((intent: WriteIntent) => void) | undefined;

  constructor(options: ObjectStoreOptions = {}) {
    this.historySize = options.historySize ?? 1000;
    this.now = options.now ?? (() => new Date());
  }

  /** The current resourceVersion of the whole store. */
  get resourceVersion(): string {
    return String(this.revision);
  }

  private bucket(plural: string): Map<string, KubeObject> {
    let bucket = this.objects.get(plural);
    if (bucket === undefined) {
      bucket = new Map();
      this.objects.set(plural, bucket);
    }
    return bucket;
  }

  /** One object, or undefined. */
  get(resource: ApiResource, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.bucket(resource.plural).get(keyOf(resource.namespaced ? namespace : undefined, name));
    return found === undefined ? undefined : clone(found);
  }

  /** Matching objects sorted by namespace and name, with the store's resourceVersion. */
  list(
    resource: ApiResource,
    namespace: string | undefined,
    matches: ObjectPredicate,
  ): { items: KubeObject[]; resourceVersion: string } {
    const items = [...this.bucket(resource.plural).values()]
      .filter((o) => (namespace === undefined || o.metadata.namespace === namespace) && matches(o))
      .sort((a, b) =>
        keyOf(a.metadata.namespace, a.metadata.name).localeCompare(
          keyOf(b.metadata.namespace, b.metadata.name),
        ),
      )
      .map(clone);
    return { items, resourceVersion: this.resourceVersion };
  }

  private record(plural: string, type: WatchEvent['type'], object: KubeObject): void {
    this.history.push({ resourceVersion: this.revision, plural, type, object: clone(object) });
    while (this.history.length > this.historySize) {
      const dropped = this.history.shift()!;
      this.compactedRevision = dropped.resourceVersion;
    }
    for (const watcher of this.watchers) {
      if (watcher.plural !== plural) continue;
      if (watcher.namespace !== undefined && watcher.namespace !== object.metadata.namespace) continue;
      if (!watcher.matches(object)) continue;
      watcher.send({ type, object: clone(object) });
    }
  }

  private stamp(object: KubeObject): KubeObject {
    this.revision += 1;
    object.metadata.resourceVersion = String(this.revision);
    return object;
  }

  /** Creates an object; 409 AlreadyExists when the name is taken. Status is kept only when `keepStatus`. */
  create(resource: ApiResource, body: KubeObject, options: { keepStatus?: boolean } = {}): KubeObject {
    const namespace = resource.namespaced ? (body.metadata.namespace ?? 'default') : undefined;
    const name = body.metadata.name;
    this.beforeWrite?.({ verb: 'create', plural: resource.plural, namespace, name });
    const bucket = this.bucket(resource.plural);
    const key = keyOf(namespace, name);
    if (bucket.has(key))
      throw new ApiStatusError(409, 'AlreadyExists', `${resource.plural} "${name}" already exists`);
    const object = clone(body);
    if (resource.statusSubresource && options.keepStatus !== true) delete object.status;
    object.apiVersion = resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
    object.kind = resource.kind;
    object.metadata = {
      ...object.metadata,
      ...(namespace === undefined ? {} : { namespace }),
      uid: randomUUID(),
      generation: 1,
      creationTimestamp: this.now()
        .toISOString()
        .replace(/\.\d+Z$/, 'Z'),
    };
    delete object.metadata.deletionTimestamp;
    bucket.set(key, this.stamp(object));
    this.record(resource.plural, 'ADDED', object);
    return clone(object);
  }

  private existing(resource: ApiResource, namespace: string | undefined, name: string): KubeObject {
    const found = this.bucket(resource.plural).get(keyOf(resource.namespaced ? namespace : undefined, name));
    if (found === undefined)
      throw new ApiStatusError(404, 'NotFound', `${resource.plural} "${name}" not found`);
    return found;
  }

  private checkVersion(resource: ApiResource, current: KubeObject, body: KubeObject): void {
    const wanted = body.metadata.resourceVersion;
    if (wanted !== undefined && wanted !== '' && wanted !== current.metadata.resourceVersion) {
      throw new ApiStatusError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${resource.plural} "${current.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
  }

  /**
   * Replaces an object (PUT). With `subresource: 'status'` only the status changes; on the main
   * resource of a kind with a status subresource the status is kept. `generation` grows when the
   * spec changes. An object being deleted whose last finalizer goes away is removed.
   */
  update(
    resource: ApiResource,
    namespace: string | undefined,
    name: string,
    body: KubeObject,
    subresource?: 'status',
  ): KubeObject {
    const ns = resource.namespaced ? namespace : undefined;
    this.beforeWrite?.({
      verb: subresource === 'status' ? 'updateStatus' : 'update',
      plural: resource.plural,
      namespace: ns,
      name,
    });
    const current = this.existing(resource, ns, name);
    this.checkVersion(resource, current, body);
    let next: KubeObject;
    if (subresource === 'status') {
      next = { ...clone(current), status: clone(body.status) };
    } else {
      next = clone(body);
      if (resource.statusSubresource) {
        if (current.status === undefined) delete next.status;
        else next.status = clone(current.status);
      }
      const newFinalizers = (next.metadata.finalizers ?? []).filter(
        (f) => !(current.metadata.finalizers ?? []).includes(f),
      );
      if (current.metadata.deletionTimestamp !== undefined && newFinalizers.length > 0) {
        throw new ApiStatusError(
          422,
          'Invalid',
          `metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(newFinalizers)}`,
        );
      }
      next.metadata = {
        ...next.metadata,
        name: current.metadata.name,
        ...(ns === undefined ? {} : { namespace: ns }),
        uid: current.metadata.uid!,
        resourceVersion: current.metadata.resourceVersion!,
        creationTimestamp: current.metadata.creationTimestamp!,
        generation:
          (current.metadata.generation ?? 1) + (canonical(next.spec) !== canonical(current.spec) ? 1 : 0),
      };
      if (current.metadata.deletionTimestamp !== undefined)
        next.metadata.deletionTimestamp = current.metadata.deletionTimestamp;
      else delete next.metadata.deletionTimestamp;
    }
    next.apiVersion = current.apiVersion;
    next.kind = current.kind;
    // A write that changes nothing keeps the resourceVersion and sends no event, as the API server does.
    if (canonical(next) === canonical(current)) return clone(current);
    const bucket = this.bucket(resource.plural);
    const key = keyOf(ns, name);
    if (next.metadata.deletionTimestamp !== undefined && (next.metadata.finalizers ?? []).length === 0) {
      bucket.delete(key);
      this.stamp(next);
      this.record(resource.plural, 'DELETED', next);
      return clone(next);
    }
    bucket.set(key, this.stamp(next));
    this.record(resource.plural, 'MODIFIED', next);
    return clone(next);
  }

  /**
   * Deletes an object: with finalizers it only gains a `deletionTimestamp` (MODIFIED) and stays
   * until they are removed; without, it goes (DELETED).
   */
  delete(resource: ApiResource, namespace: string | undefined, name: string): KubeObject {
    const ns = resource.namespaced ? namespace : undefined;
    this.beforeWrite?.({ verb: 'delete', plural: resource.plural, namespace: ns, name });
    const current = this.existing(resource, ns, name);
    const bucket = this.bucket(resource.plural);
    if ((current.metadata.finalizers ?? []).length > 0) {
      if (current.metadata.deletionTimestamp !== undefined) return clone(current);
      const marked = clone(current);
      marked.metadata.deletionTimestamp = this.now()
        .toISOString()
        .replace(/\.\d+Z$/, 'Z');
      bucket.set(keyOf(ns, name), this.stamp(marked));
      this.record(resource.plural, 'MODIFIED', marked);
      return clone(marked);
    }
    bucket.delete(keyOf(ns, name));
    const gone = this.stamp(clone(current));
    this.record(resource.plural, 'DELETED', gone);
    return clone(gone);
  }

  /**
   * Registers a watch from `resourceVersion`: `''`/`'0'` starts with an ADDED event per existing
   * object; a version still in the history replays what followed it; an older one is gone (410).
   */
  watch(resource: ApiResource, from: string, watcher: StoreWatcher): () => void {
    const replay: WatchEvent[] = [];
    if (from === '' || from === '0') {
      for (const object of this.list(resource, watcher.namespace, watcher.matches).items)
        replay.push({ type: 'ADDED', object });
    } else {
      const version = Number(from);
      if (!Number.isInteger(version) || version < 0)
        throw new ApiStatusError(400, 'BadRequest', `invalid resourceVersion "${from}"`);
      if (version < this.compactedRevision)
        throw new ApiStatusError(
          410,
          'Expired',
          `too old resource version: ${from} (${this.compactedRevision})`,
        );
      for (const entry of this.history) {
        if (entry.resourceVersion <= version || entry.plural !== resource.plural) continue;
        if (watcher.namespace !== undefined && watcher.namespace !== entry.object.metadata.namespace)
          continue;
        if (watcher.matches(entry.object)) replay.push({ type: entry.type, object: clone(entry.object) });
      }
    }
    for (const event of replay) watcher.send(event);
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  /** Whether a list continue token's version is still in the history. */
  isGone(resourceVersion: string): boolean {
    return Number(resourceVersion) < this.compactedRevision;
  }

  /** Forgets the whole history, as etcd compaction does: every older resourceVersion is now gone. */
  compact(): void {
    this.history.length = 0;
    this.compactedRevision = this.revision;
  }
}
