/**
 * The TraceConfiguration controller: while it leads (a Lease), it watches TraceConfiguration
 * objects and keeps the backend's configuration store in step with them.
 *
 * Per object: a finalizer first (so a delete waits until the backend forgot the configuration),
 * then validation with the code of `tracectl validate` (a refused manifest, e.g. one holding a
 * secret, never leaves the cluster), then a PUT to the backend, then the status subresource with
 * the verdict. Status writes are conditional on the resourceVersion read and retried on 409.
 * Writes happen only when something changed, so a restarted controller converges without churn.
 */
import { k8s, type K8s } from '../clientNode';
import { statusCodeOf } from '../kubeConfig';
import { Reflector, type KubeObject } from '../reflector';
import { LeaderElector } from '../leaderElection';
import { WorkQueue } from './workQueue';
import { clusterStatus, type BackendVerdict, type ClusterStatus } from './clusterStatus';
import { deleteConfiguration, getCounters, putConfiguration } from './backendConfigurations';
import type { ConfigurationCounters } from '../../store/configurationCounters';
import { validateTraceConfigurationObject } from '../../config/validateObject';
import type { BackendOptions } from '../../cli/backendClient';
import { errorMessage } from '../../errors';

/** The finalizer that holds a deleted object until the backend removed its configuration. */
export const BACKEND_FINALIZER = 'retina.sh/backend-configuration';
/** The label naming the cluster a configuration applies to (the backend scopes it by this). */
export const CLUSTER_LABEL = 'retina.sh/cluster';

const GROUP = 'retina.sh';
const VERSION = 'v1alpha1';

/** A TraceConfiguration object as the API returns it. */
export interface TraceConfigurationObject extends KubeObject {
  metadata: {
    namespace: string;
    name: string;
    resourceVersion?: string;
    generation?: number;
    deletionTimestamp?: string;
    finalizers?: string[];
    labels?: Record<string, string>;
    [field: string]: unknown;
  };
  spec?: unknown;
  status?: Partial<ClusterStatus>;
}

/** Options of {@link TraceConfigurationController}. */
export interface TraceConfigurationControllerOptions {
  /** The backend's HTTP API. */
  backend: BackendOptions;
  /** This cluster's name: sent as the `retina.sh/cluster` label unless a manifest sets its own. */
  cluster: string;
  /** This candidate's identity (the pod name). */
  identity: string;
  /** Namespace of the leader-election Lease. */
  leaseNamespace: string;
  /** Lease name. Default `retina-trace-controller`. */
  leaseName?: string;
  leaseDurationSeconds?: number;
  renewDeadlineInMs?: number;
  retryPeriodInMs?: number;
  /** Plurals watched: the documented kind, and the upstream one when its CRD is installed. Default `['traceconfigurations']`. */
  plurals?: readonly string[];
  /** Every object is reconciled again this often, in ms. Default 300 000. */
  resyncIntervalInMs?: number;
  /**
   * The backend's counters are copied into status at most this often per object, in ms.
   * Default 300 000 (the backend's counter interval).
   */
  countersIntervalInMs?: number;
  /** Status writes tried before the object is requeued. Default 5. */
  conflictRetries?: number;
  initialRetryInMs?: number;
  log?: (line: string) => void;
}

/** Counts for logs and tests. */
export interface ControllerStats {
  reconciles: number;
  backendPuts: number;
  backendDeletes: number;
  statusWrites: number;
  conflicts: number;
  refused: number;
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

/** The controller; {@link start} campaigns for the lease and works while leading. */
export class TraceConfigurationController {
  private readonly custom: K8s.CustomObjectsApi;
  private readonly elector: LeaderElector;
  private readonly queue: WorkQueue;
  private readonly plurals: readonly string[];
  private reflectors: Reflector<TraceConfigurationObject>[] = [];
  private resync: NodeJS.Timeout | undefined;
  private readonly log: (line: string) => void;
  /** When each object's counters were last fetched (ms). */
  private readonly countersFetchedAt = new Map<string, number>();
  readonly stats: ControllerStats = {
    reconciles: 0,
    backendPuts: 0,
    backendDeletes: 0,
    statusWrites: 0,
    conflicts: 0,
    refused: 0,
  };

  constructor(
    private readonly config: K8s.KubeConfig,
    private readonly options: TraceConfigurationControllerOptions,
  ) {
    this.custom = config.makeApiClient(k8s.CustomObjectsApi);
    this.plurals = options.plurals ?? ['traceconfigurations'];
    this.log = options.log ?? (() => undefined);
    this.queue = new WorkQueue({
      process: (key) => this.reconcile(key),
      ...(options.initialRetryInMs === undefined ? {} : { initialRetryInMs: options.initialRetryInMs }),
      log: this.log,
    });
    this.elector = new LeaderElector(config, {
      namespace: options.leaseNamespace,
      name: options.leaseName ?? 'retina-trace-controller',
      identity: options.identity,
      ...(options.leaseDurationSeconds === undefined
        ? {}
        : { leaseDurationSeconds: options.leaseDurationSeconds }),
      ...(options.renewDeadlineInMs === undefined ? {} : { renewDeadlineInMs: options.renewDeadlineInMs }),
      ...(options.retryPeriodInMs === undefined ? {} : { retryPeriodInMs: options.retryPeriodInMs }),
      onStartedLeading: () => this.lead(),
      onStoppedLeading: () => this.follow(),
      log: this.log,
    });
  }

  /** True while this instance leads and works. */
  get isLeader(): boolean {
    return this.elector.isLeader;
  }

  /** Campaigns for the lease; works whenever it leads. */
  start(): void {
    this.elector.start();
  }

  /** Stops working and releases the lease. */
  async stop(): Promise<void> {
    await this.elector.stop();
    await this.follow();
  }

  /** Resolves when every known object has been reconciled and nothing waits for a retry. */
  async idle(): Promise<void> {
    await this.queue.idle();
  }

  private async lead(): Promise<void> {
    this.queue.start();
    this.reflectors = this.plurals.map(
      (plural) =>
        new Reflector<TraceConfigurationObject>(
          this.config,
          {
            apiVersion: `${GROUP}/${VERSION}`,
            kind: plural === 'tracesconfigurations' ? 'TracesConfiguration' : 'TraceConfiguration',
            plural,
            log: this.log,
          },
          {
            onChange: (_type, object) =>
              this.queue.add(`${plural}/${object.metadata.namespace}/${object.metadata.name}`),
          },
        ),
    );
    await Promise.all(this.reflectors.map((reflector) => reflector.start()));
    const interval = this.options.resyncIntervalInMs ?? 300_000;
    this.resync = setInterval(() => {
      for (const [index, reflector] of this.reflectors.entries()) {
        for (const object of reflector.list())
          this.queue.add(`${this.plurals[index]!}/${object.metadata.namespace}/${object.metadata.name}`);
      }
    }, interval);
  }

  private async follow(): Promise<void> {
    if (this.resync !== undefined) clearInterval(this.resync);
    this.resync = undefined;
    const reflectors = this.reflectors;
    this.reflectors = [];
    await Promise.all(reflectors.map((reflector) => reflector.stop()));
    await this.queue.stop();
  }

  private async read(
    plural: string,
    namespace: string,
    name: string,
  ): Promise<TraceConfigurationObject | undefined> {
    try {
      return (await this.custom.getNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace,
        plural,
        name,
      })) as TraceConfigurationObject;
    } catch (caught) {
      if (statusCodeOf(caught) === 404) return undefined;
      throw caught;
    }
  }

  /**
   * Applies `change` to a fresh read of the object and writes it, re-reading and retrying on 409.
   * `change` returns undefined when nothing needs writing.
   */
  private async writeWithRetry(
    plural: string,
    start: TraceConfigurationObject,
    change: (object: TraceConfigurationObject) => TraceConfigurationObject | undefined,
    subresource: 'main' | 'status',
  ): Promise<TraceConfigurationObject | undefined> {
    let object: TraceConfigurationObject | undefined = start;
    const attempts = this.options.conflictRetries ?? 5;
    for (let attempt = 1; object !== undefined; attempt++) {
      const next = change(object);
      if (next === undefined) return object;
      const request = {
        group: GROUP,
        version: VERSION,
        namespace: object.metadata.namespace,
        plural,
        name: object.metadata.name,
        body: next,
      };
      try {
        const written = (await (subresource === 'status'
          ? this.custom.replaceNamespacedCustomObjectStatus(request)
          : this.custom.replaceNamespacedCustomObject(request))) as TraceConfigurationObject;
        if (subresource === 'status') this.stats.statusWrites += 1;
        return written;
      } catch (caught) {
        if (statusCodeOf(caught) !== 409 || attempt >= attempts) throw caught;
        this.stats.conflicts += 1;
        object = await this.read(plural, object.metadata.namespace, object.metadata.name);
      }
    }
    return undefined;
  }

  /** Brings one object, the backend and the object's status in step. Throws to be retried. */
  private async reconcile(key: string): Promise<void> {
    const [plural = '', namespace = '', name = ''] = key.split('/');
    this.stats.reconciles += 1;
    let object = await this.read(plural, namespace, name);
    if (object === undefined) return;
    const finalizers = object.metadata.finalizers ?? [];

    if (object.metadata.deletionTimestamp !== undefined) {
      if (!finalizers.includes(BACKEND_FINALIZER)) return;
      await deleteConfiguration(this.options.backend, namespace, name);
      this.countersFetchedAt.delete(key);
      this.stats.backendDeletes += 1;
      await this.writeWithRetry(
        plural,
        object,
        (o) => {
          if (!(o.metadata.finalizers ?? []).includes(BACKEND_FINALIZER)) return undefined;
          return {
            ...o,
            metadata: {
              ...o.metadata,
              finalizers: (o.metadata.finalizers ?? []).filter((f) => f !== BACKEND_FINALIZER),
            },
          };
        },
        'main',
      );
      this.log(`${namespace}/${name}: deleted from the backend`);
      return;
    }

    if (!finalizers.includes(BACKEND_FINALIZER)) {
      object = await this.writeWithRetry(
        plural,
        object,
        (o) =>
          (o.metadata.finalizers ?? []).includes(BACKEND_FINALIZER) ||
          o.metadata.deletionTimestamp !== undefined
            ? undefined
            : {
                ...o,
                metadata: {
                  ...o.metadata,
                  finalizers: [...(o.metadata.finalizers ?? []), BACKEND_FINALIZER],
                },
              },
        'main',
      );
      if (object === undefined || object.metadata.deletionTimestamp !== undefined) return;
    }

    const manifest = {
      apiVersion: object.apiVersion,
      kind: object.kind,
      metadata: {
        namespace,
        name,
        ...(object.metadata.labels === undefined ? {} : { labels: object.metadata.labels }),
      },
      spec: object.spec,
    };
    const validation = validateTraceConfigurationObject(manifest);
    const generation = object.metadata.generation ?? 1;
    let backend: BackendVerdict | { error: string } | undefined;
    if (validation.state === 'Errored') {
      // Refused here: the manifest (which may hold a secret) is not sent anywhere.
      this.stats.refused += 1;
    } else {
      const labels = { [CLUSTER_LABEL]: this.options.cluster, ...manifest.metadata.labels };
      try {
        backend = await putConfiguration(this.options.backend, {
          ...manifest,
          metadata: { ...manifest.metadata, labels },
        });
        this.stats.backendPuts += 1;
      } catch (caught) {
        backend = { error: errorMessage(caught) };
      }
    }
    // Counters change often: fetched (and so written) at most once per interval per object.
    let counters: ConfigurationCounters | undefined;
    const fetchedAt = this.countersFetchedAt.get(key);
    if (
      backend !== undefined &&
      'status' in backend &&
      (fetchedAt === undefined || Date.now() - fetchedAt >= (this.options.countersIntervalInMs ?? 300_000))
    ) {
      counters = await getCounters(this.options.backend, namespace, name);
      if (counters !== undefined) this.countersFetchedAt.set(key, Date.now());
    }
    const observed = generation;
    const written = await this.writeWithRetry(
      plural,
      object,
      (o) => {
        // The spec changed since it was validated: the next reconcile (queued by the watch) handles it.
        if ((o.metadata.generation ?? 1) !== observed) return undefined;
        const status = clusterStatus(o.status, validation, observed, backend, counters);
        return canonical(status) === canonical(o.status) ? undefined : { ...o, status };
      },
      'status',
    );
    if (written !== undefined && (written.metadata.generation ?? 1) !== observed) this.queue.add(key);
    if (backend !== undefined && 'error' in backend)
      throw new Error(`${namespace}/${name}: not synced to the backend: ${backend.error}`);
  }
}
