/**
 * Keeps the active configurations compiled, reloading them from the store at most once per
 * refresh interval and recompiling only when something changed (a new generation, status or
 * etag). Readers never wait for a reload once a first load succeeded: a failed reload keeps
 * tracing with the last good generation and reports the failure.
 */
import type { ConfigurationStore, StoredConfiguration } from '../store/configurationStore';
import { errorMessage } from '../errors';

/** The compiled form for one cluster, built by the caller's `compile`. */
export interface CompiledGeneration<T> {
  /** Identifies the configuration set that was compiled; changes whenever any configuration changes. */
  fingerprint: string;
  compiled: T;
  /** The configurations (with a spec in force) included. */
  configurations: StoredConfiguration[];
}

/** Options of {@link ConfigurationCache}. */
export interface ConfigurationCacheOptions<T> {
  store: ConfigurationStore;
  /** Compiles the configurations that apply to one cluster. */
  compile: (configurations: StoredConfiguration[]) => T;
  refreshIntervalInMs: number;
  /** Clock in ms; injected for tests. */
  now?: () => number;
  /** Called when a reload fails and the previous generation stays in use. */
  onReloadError?: (message: string) => void;
}

/** True when a stored configuration applies to `cluster`. */
export function appliesToCluster(configuration: StoredConfiguration, cluster: string): boolean {
  return configuration.cluster === undefined || configuration.cluster === cluster;
}

function fingerprintOf(configurations: StoredConfiguration[]): string {
  return configurations.map((c) => `${c.namespace}/${c.name}@${c.generation}:${c.etag}`).join('|');
}

/** A per-cluster cache of compiled configurations. */
export class ConfigurationCache<T> {
  private all: StoredConfiguration[] | undefined;
  private loadedAt = -Infinity;
  private loading: Promise<void> | undefined;
  private readonly perCluster = new Map<string, CompiledGeneration<T>>();

  constructor(private readonly options: ConfigurationCacheOptions<T>) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private async reload(): Promise<void> {
    try {
      this.all = (await this.options.store.list()).filter((c) => c.spec !== undefined);
      this.loadedAt = this.now();
    } catch (caught) {
      if (this.all === undefined) throw caught;
      // Keep the last good set; try again at the next interval rather than on every call.
      this.loadedAt = this.now();
      this.options.onReloadError?.(`configuration reload failed, still using the previous generation: ${errorMessage(caught)}`);
    }
  }

  /** Forces the next {@link forCluster} to reload from the store. */
  invalidate(): void {
    this.loadedAt = -Infinity;
  }

  /** The compiled configurations for `cluster`, reloading when the interval has passed. */
  async forCluster(cluster: string): Promise<CompiledGeneration<T>> {
    if (this.all === undefined || this.now() - this.loadedAt >= this.options.refreshIntervalInMs) {
      this.loading ??= this.reload().finally(() => {
        this.loading = undefined;
      });
      await this.loading;
    }
    const configurations = (this.all ?? []).filter((c) => appliesToCluster(c, cluster));
    const fingerprint = fingerprintOf(configurations);
    const cached = this.perCluster.get(cluster);
    if (cached !== undefined && cached.fingerprint === fingerprint) return cached;
    const generation: CompiledGeneration<T> = { fingerprint, compiled: this.options.compile(configurations), configurations };
    this.perCluster.set(cluster, generation);
    return generation;
  }
}
