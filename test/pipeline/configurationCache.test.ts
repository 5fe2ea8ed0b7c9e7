import { ConfigurationCache } from '../../shared/pipeline/configurationCache';
import { MemoryConfigurationStore } from '../../shared/store/memoryConfigurationStore';
import type { StoredConfiguration } from '../../shared/store/configurationStore';
import { configurationWrite } from '../store/configurationStoreContract';

const spec = { rules: [], output: { destination: 'stdout' as const, connection: 'TRACES_STDOUT' } };

function setup() {
  const store = new MemoryConfigurationStore();
  let clock = 0;
  const compiled: string[][] = [];
  const errors: string[] = [];
  const cache = new ConfigurationCache({
    store,
    refreshIntervalInMs: 1000,
    now: () => clock,
    compile: (configurations: StoredConfiguration[]) => {
      const names = configurations.map((c) => `${c.namespace}/${c.name}`);
      compiled.push(names);
      return names;
    },
    onReloadError: (message) => errors.push(message),
  });
  return { store, cache, compiled, errors, advance: (ms: number) => (clock += ms) };
}

describe('ConfigurationCache', () => {
  it('compiles only configurations with a spec in force that apply to the cluster', async () => {
    const { store, cache } = setup();
    await store.put(configurationWrite('a', 'all-clusters', { spec }));
    await store.put(configurationWrite('a', 'only-c2', { spec, cluster: 'c2' }));
    await store.put(
      configurationWrite('a', 'errored-never-accepted', { status: { state: 'Errored', reason: 'x' } }),
    );
    expect((await cache.forCluster('c1')).compiled).toEqual(['a/all-clusters']);
    expect((await cache.forCluster('c2')).compiled).toEqual(['a/all-clusters', 'a/only-c2']);
  });

  it('reloads after the interval and recompiles only on change', async () => {
    const { store, cache, compiled, advance } = setup();
    await store.put(configurationWrite('a', 'one', { spec }));
    await cache.forCluster('c');
    await cache.forCluster('c');
    expect(compiled).toHaveLength(1);
    await store.put(configurationWrite('a', 'two', { spec }));
    advance(999);
    expect((await cache.forCluster('c')).compiled).toEqual(['a/one']);
    advance(1);
    expect((await cache.forCluster('c')).compiled).toEqual(['a/one', 'a/two']);
    advance(1000);
    await cache.forCluster('c');
    expect(compiled).toHaveLength(2);
  });

  it('keeps the last good generation when the store fails, and fails when there never was one', async () => {
    const { store, cache, errors, advance } = setup();
    await store.put(configurationWrite('a', 'one', { spec }));
    await cache.forCluster('c');
    const list = jest.spyOn(store, 'list').mockRejectedValue(new Error('table unavailable'));
    advance(5000);
    expect((await cache.forCluster('c')).compiled).toEqual(['a/one']);
    expect(errors).toEqual([expect.stringContaining('table unavailable')]);
    list.mockRestore();

    const fresh = setup();
    jest.spyOn(fresh.store, 'list').mockRejectedValue(new Error('down'));
    await expect(fresh.cache.forCluster('c')).rejects.toThrow('down');
  });
});
