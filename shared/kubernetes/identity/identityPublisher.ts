/**
 * The identity publisher: list+watch of Pods, Services, EndpointSlices, Nodes, Namespaces,
 * ReplicaSets and Jobs (one {@link Reflector} each), turned into identity snapshots
 * (`retina.sh/identities/v1`) for the backend's enrichment: a complete snapshot once everything
 * is listed, after every relist (a 410 means changes may have been missed), and periodically
 * (well inside the identity table's 15-minute TTL); deltas of what changed in between, batched
 * per tick. An address that disappears is dropped by the next complete snapshot, which is
 * brought forward (at most one per `minCompleteIntervalInMs`).
 */
import type { K8s } from '../clientNode';
import { Reflector, type ChangeType, type KubeObject, type ReflectorOptions } from '../reflector';
import { errorMessage } from '../../errors';
import { clusterEndpoints } from './clusterEndpoints';
import { objectKey, type ClusterObjects } from './clusterObjects';
import { endpointIndex, planComplete, planDelta, type PlannedSnapshot } from './snapshotPlan';
import type { SnapshotSink } from './snapshotSink';

/** Options of {@link IdentityPublisher}. */
export interface IdentityPublisherOptions {
  /** Cluster name, as trace batches carry it. */
  cluster: string;
  sink: SnapshotSink;
  /** A complete snapshot at least this often, in ms. Default 300 000 (5 minutes). */
  completeIntervalInMs?: number;
  /** Changes are gathered for this long before a delta goes out, in ms. Default 1 000. */
  tickInMs?: number;
  /** Removals bring the next complete snapshot forward, but not closer than this to the last, in ms. Default 30 000. */
  minCompleteIntervalInMs?: number;
  /** Largest snapshot JSON per event, in bytes (before gzip). Default 900 000. */
  maxEventBytes?: number;
  /** Passed to every reflector (backoff, page size, watch timeout). */
  reflector?: Pick<ReflectorOptions, 'backoff' | 'pageSize' | 'watchTimeoutSeconds'>;
  log?: (line: string) => void;
  now?: () => number;
}

/** Counts for logs and tests. */
export interface IdentityPublisherStats {
  completeSnapshots: number;
  deltaSnapshots: number;
  events: number;
  endpoints: number;
  publishFailures: number;
}

type Kind = keyof ClusterObjects;

/** The kinds watched, with their API groups (the RBAC in deploy/kubernetes must allow each). */
export const WATCHED_KINDS: readonly { kind: Kind; apiVersion: string; apiKind: string; plural: string }[] = [
  { kind: 'pods', apiVersion: 'v1', apiKind: 'Pod', plural: 'pods' },
  { kind: 'services', apiVersion: 'v1', apiKind: 'Service', plural: 'services' },
  {
    kind: 'endpointSlices',
    apiVersion: 'discovery.k8s.io/v1',
    apiKind: 'EndpointSlice',
    plural: 'endpointslices',
  },
  { kind: 'nodes', apiVersion: 'v1', apiKind: 'Node', plural: 'nodes' },
  { kind: 'namespaces', apiVersion: 'v1', apiKind: 'Namespace', plural: 'namespaces' },
  { kind: 'replicaSets', apiVersion: 'apps/v1', apiKind: 'ReplicaSet', plural: 'replicasets' },
  { kind: 'jobs', apiVersion: 'batch/v1', apiKind: 'Job', plural: 'jobs' },
];

/** Publishes the cluster's identities until stopped. */
export class IdentityPublisher {
  private readonly objects = Object.fromEntries(
    WATCHED_KINDS.map((w) => [w.kind, new Map<string, KubeObject>()]),
  ) as unknown as Record<Kind, Map<string, KubeObject>>;
  private readonly reflectors: Reflector<KubeObject>[];
  private published = new Map<string, string>();
  private dirty = false;
  private completeDue = true;
  private removalPending = false;
  private lastCompleteMs = 0;
  private lastGeneratedMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private publishing: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  readonly stats: IdentityPublisherStats = {
    completeSnapshots: 0,
    deltaSnapshots: 0,
    events: 0,
    endpoints: 0,
    publishFailures: 0,
  };

  constructor(
    config: K8s.KubeConfig,
    private readonly options: IdentityPublisherOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.reflectors = WATCHED_KINDS.map(
      (watched) =>
        new Reflector<KubeObject>(
          config,
          {
            apiVersion: watched.apiVersion,
            kind: watched.apiKind,
            plural: watched.plural,
            ...options.reflector,
            ...(options.log === undefined ? {} : { log: options.log }),
          },
          {
            onChange: (type, object) => this.change(watched.kind, type, object),
            onSynced: (relist) => {
              // A relist means watch events may have been missed: publish the whole truth again.
              if (relist) this.completeDue = true;
            },
          },
        ),
    );
  }

  /** True once every watched kind has been listed. */
  get hasSynced(): boolean {
    return this.reflectors.every((r) => r.hasSynced);
  }

  /** The reflectors, for their statistics. */
  get watches(): readonly Reflector<KubeObject>[] {
    return this.reflectors;
  }

  private change(kind: Kind, type: ChangeType, object: KubeObject): void {
    const key = objectKey(object);
    if (type === 'deleted') this.objects[kind].delete(key);
    else this.objects[kind].set(key, object);
    this.dirty = true;
  }

  /** Lists and watches everything, then publishes every tick. */
  async start(): Promise<void> {
    await Promise.all(this.reflectors.map((r) => r.start()));
    const tick = () => {
      this.timer = setTimeout(() => {
        void this.flush().finally(() => {
          if (this.timer !== undefined) tick();
        });
      }, this.options.tickInMs ?? 1000);
    };
    tick();
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.all(this.reflectors.map((r) => r.stop()));
    await this.publishing;
  }

  /** Publishes what is due now (a complete snapshot or a delta); resolves when sent. */
  flush(): Promise<void> {
    this.publishing = this.publishing.then(() => this.publishDue());
    return this.publishing;
  }

  private generatedAt(): string {
    // Strictly increasing, so a later snapshot always wins in the identity table.
    this.lastGeneratedMs = Math.max(this.now(), this.lastGeneratedMs + 1);
    return new Date(this.lastGeneratedMs).toISOString();
  }

  private async publishDue(): Promise<void> {
    if (!this.hasSynced) return;
    const now = this.now();
    const maxBytes = this.options.maxEventBytes ?? 900_000;
    const periodic = now - this.lastCompleteMs >= (this.options.completeIntervalInMs ?? 300_000);
    const removalsMayGo = now - this.lastCompleteMs >= (this.options.minCompleteIntervalInMs ?? 30_000);
    if (!this.completeDue && !periodic && !this.dirty && !(this.removalPending && removalsMayGo)) return;
    const endpoints = clusterEndpoints(this.objects);
    let plan: PlannedSnapshot[] = [];
    let complete = this.completeDue || periodic || (this.removalPending && removalsMayGo);
    if (!complete) {
      const delta = planDelta(this.options.cluster, this.published, endpoints, this.generatedAt(), maxBytes);
      if (delta.removed > 0) {
        if (removalsMayGo) complete = true;
        else this.removalPending = true;
      }
      plan = delta.snapshots;
    }
    if (complete) plan = planComplete(this.options.cluster, endpoints, this.generatedAt(), maxBytes);
    this.dirty = false;
    if (plan.length === 0) return;
    try {
      this.stats.events += await this.options.sink(plan);
    } catch (caught) {
      this.stats.publishFailures += 1;
      // What was not sent is sent again in full next time.
      this.completeDue = true;
      this.options.log?.(
        `identity snapshot for ${this.options.cluster} not published: ${errorMessage(caught)}`,
      );
      return;
    }
    if (complete) {
      this.stats.completeSnapshots += 1;
      this.completeDue = false;
      this.removalPending = false;
      this.lastCompleteMs = now;
      this.published = endpointIndex(endpoints);
    } else {
      this.stats.deltaSnapshots += 1;
      for (const planned of plan)
        for (const endpoint of planned.snapshot.endpoints)
          this.published.set(endpoint.ip, JSON.stringify(endpoint));
    }
    this.stats.endpoints = endpoints.length;
    this.options.log?.(
      `identities of ${this.options.cluster}: ${complete ? 'complete snapshot' : 'delta'} of ${plan.reduce((n, p) => n + p.snapshot.endpoints.length, 0)} endpoints in ${plan.length} events (${endpoints.length} known)`,
    );
  }
}
