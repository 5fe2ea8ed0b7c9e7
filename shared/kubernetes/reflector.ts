/**
 * List+watch of one resource kind, done the way client-go's reflector does it: list (paginated)
 * to learn the state and a resourceVersion, watch from that version with bookmarks, resume
 * from the last version seen when a watch ends, relist when the version is gone (410), and back
 * off exponentially on errors. It keeps the objects it has seen, so a relist turns into exactly
 * the changes that were missed: nothing lost, nothing reported twice.
 */
import { k8s, type K8s } from './clientNode';
import { Backoff, type BackoffOptions } from './backoff';
import { statusCodeOf } from './kubeConfig';
import { errorMessage } from '../errors';

/** A Kubernetes object as the API sends it. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; [field: string]: unknown };
  [field: string]: unknown;
}

/** What kind of change an object went through. */
export type ChangeType = 'added' | 'modified' | 'deleted';

/** What a reflector reports. */
export interface ReflectorHandler<T extends KubeObject> {
  /** One change, in order; after a relist the missed changes are reported one by one. */
  onChange(type: ChangeType, object: T): void;
  /** The cache holds the whole state as of a list: `relist` is false for the first list. */
  onSynced?(relist: boolean): void;
}

/** Options of {@link Reflector}. */
export interface ReflectorOptions {
  /** e.g. `v1`, `discovery.k8s.io/v1`, `retina.sh/v1alpha1`. */
  apiVersion: string;
  kind: string;
  /** URL segment of the kind, e.g. `pods`. */
  plural: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Items per list page. Default 500. */
  pageSize?: number;
  /** Asks the server to end each watch after about this long, in s. Default 300. */
  watchTimeoutSeconds?: number;
  backoff?: BackoffOptions;
  /** One line per notable event (relists, errors). */
  log?: (line: string) => void;
}

/** Counts of what the reflector did, for logs and tests. */
export interface ReflectorStats {
  lists: number;
  watches: number;
  /** Lists caused by a gone resourceVersion (410). */
  relists: number;
  bookmarks: number;
  errors: number;
}

function keyOf(object: KubeObject): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

/** Watches one kind and keeps a cache of it. */
export class Reflector<T extends KubeObject> {
  private readonly objects = new Map<string, T>();
  private readonly backoff: Backoff;
  private readonly objectApi: K8s.KubernetesObjectApi;
  private readonly watcher: K8s.Watch;
  private version = '';
  private running = false;
  private synced = false;
  private abort: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private listing: Promise<void> | undefined;
  readonly stats: ReflectorStats = { lists: 0, watches: 0, relists: 0, bookmarks: 0, errors: 0 };

  constructor(
    config: K8s.KubeConfig,
    private readonly options: ReflectorOptions,
    private readonly handler: ReflectorHandler<T>,
  ) {
    this.backoff = new Backoff(options.backoff);
    this.objectApi = k8s.KubernetesObjectApi.makeApiClient(config);
    this.watcher = new k8s.Watch(config);
  }

  /** The watch path, e.g. `/api/v1/pods` or `/apis/retina.sh/v1alpha1/traceconfigurations`. */
  get path(): string {
    const root = this.options.apiVersion.includes('/') ? 'apis' : 'api';
    return `/${root}/${this.options.apiVersion}/${this.options.plural}`;
  }

  /** The last resourceVersion seen (from a list, an event or a bookmark). */
  get resourceVersion(): string {
    return this.version;
  }

  /** True once the first list was delivered. */
  get hasSynced(): boolean {
    return this.synced;
  }

  /** Every cached object. */
  list(): T[] {
    return [...this.objects.values()];
  }

  /** One cached object. */
  get(namespace: string | undefined, name: string): T | undefined {
    return this.objects.get(`${namespace ?? ''}/${name}`);
  }

  /** Starts listing and watching; resolves after the first list attempt (successful or not). */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.listing = this.relist(false);
    await this.listing;
  }

  /** Stops watching; the cache stays as it was. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.abort?.abort();
    this.abort = undefined;
    await this.listing;
  }

  private schedule(action: () => Promise<void> | void, delayInMs: number): void {
    if (!this.running) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void action();
    }, delayInMs);
  }

  private fail(what: string, caught: unknown, retry: () => Promise<void> | void): void {
    this.stats.errors += 1;
    const delay = this.backoff.next();
    this.options.log?.(
      `${this.options.plural}: ${what} failed (${errorMessage(caught)}); retrying in ${delay} ms`,
    );
    this.schedule(retry, delay);
  }

  private async listAll(): Promise<{ items: T[]; resourceVersion: string }> {
    const items: T[] = [];
    let continueToken: string | undefined;
    let resourceVersion = '';
    do {
      const page = await this.objectApi.list<T & K8s.KubernetesObject>(
        this.options.apiVersion,
        this.options.kind,
        undefined,
        undefined,
        undefined,
        undefined,
        this.options.fieldSelector,
        this.options.labelSelector,
        this.options.pageSize ?? 500,
        continueToken,
      );
      items.push(...(page.items as T[]));
      // The first page's version is the one the whole (consistent) list is at.
      if (resourceVersion === '') resourceVersion = page.metadata?.resourceVersion ?? '';
      continueToken = page.metadata?._continue;
    } while (continueToken !== undefined && continueToken !== '');
    return { items, resourceVersion };
  }

  private async relist(afterGone: boolean): Promise<void> {
    if (!this.running) return;
    let listed: { items: T[]; resourceVersion: string };
    try {
      this.stats.lists += 1;
      listed = await this.listAll();
    } catch (caught) {
      // A continue token that expired mid-list is a 410 too: start the list over.
      this.fail('list', caught, () => this.relist(afterGone));
      return;
    }
    if (!this.running) return;
    if (afterGone) this.stats.relists += 1;
    const seen = new Set<string>();
    for (const object of listed.items) {
      const key = keyOf(object);
      seen.add(key);
      this.apply(this.objects.has(key) ? 'modified' : 'added', object);
    }
    for (const [key, object] of [...this.objects]) if (!seen.has(key)) this.apply('deleted', object);
    this.version = listed.resourceVersion;
    const relist = this.synced;
    this.synced = true;
    this.handler.onSynced?.(relist);
    this.watch();
  }

  /** Applies one change to the cache and reports it, unless the cache already has that version. */
  private apply(type: ChangeType, object: T): void {
    const key = keyOf(object);
    const cached = this.objects.get(key);
    if (type === 'deleted') {
      if (cached === undefined) return;
      this.objects.delete(key);
      this.handler.onChange('deleted', object);
      return;
    }
    if (cached !== undefined && cached.metadata?.resourceVersion === object.metadata?.resourceVersion) return;
    this.objects.set(key, object);
    this.handler.onChange(cached === undefined ? 'added' : 'modified', object);
  }

  private watch(): void {
    if (!this.running) return;
    this.stats.watches += 1;
    let gone = false;
    let events = 0;
    const onEvent = (phase: string, object: T & { code?: number; message?: string }) => {
      switch (phase) {
        case 'ADDED':
        case 'MODIFIED':
        case 'DELETED':
          events += 1;
          this.apply(
            phase === 'DELETED'
              ? 'deleted'
              : phase === 'ADDED' && !this.objects.has(keyOf(object))
                ? 'added'
                : 'modified',
            object,
          );
          break;
        case 'BOOKMARK':
          this.stats.bookmarks += 1;
          break;
        case 'ERROR':
          if (object.code === 410) gone = true;
          else
            this.options.log?.(
              `${this.options.plural}: watch error ${object.code ?? '?'}: ${object.message ?? ''}`,
            );
          return;
        default:
          return;
      }
      const version = object.metadata?.resourceVersion;
      if (version !== undefined && version !== '') this.version = version;
    };
    const onDone = (caught: unknown) => {
      if (!this.running) return;
      if (gone || statusCodeOf(caught) === 410) {
        this.options.log?.(
          `${this.options.plural}: resourceVersion ${this.version} is gone (410); relisting`,
        );
        this.backoff.reset();
        this.listing = this.relist(true);
        return;
      }
      if (caught !== null && caught !== undefined) {
        this.fail('watch', caught, () => this.watch());
        return;
      }
      // A watch that ends normally (server timeout) resumes at once from the last version.
      if (events > 0) this.backoff.reset();
      this.schedule(() => this.watch(), 0);
    };
    this.watcher
      .watch(
        this.path,
        {
          allowWatchBookmarks: true,
          resourceVersion: this.version,
          timeoutSeconds: this.options.watchTimeoutSeconds ?? 300,
          ...(this.options.labelSelector === undefined ? {} : { labelSelector: this.options.labelSelector }),
          ...(this.options.fieldSelector === undefined ? {} : { fieldSelector: this.options.fieldSelector }),
        },
        onEvent as (phase: string, object: unknown) => void,
        onDone,
      )
      .then(
        (controller) => {
          if (this.running) this.abort = controller;
          else controller.abort();
        },
        (caught: unknown) => onDone(caught),
      );
  }
}
