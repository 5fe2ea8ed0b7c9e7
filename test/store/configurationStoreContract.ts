import { PreconditionFailedError, type ConfigurationStore, type ConfigurationWrite } from '../../shared/store/configurationStore';

/** A configuration write with sensible defaults for store tests. */
export function configurationWrite(namespace: string, name: string, overrides: Partial<ConfigurationWrite> = {}): ConfigurationWrite {
  return {
    namespace,
    name,
    generation: 1,
    manifest: { apiVersion: 'retina.sh/v1alpha1', kind: 'TraceConfiguration', metadata: { namespace, name } },
    status: { state: 'Accepted', reason: '' },
    updatedAt: '2026-11-25T10:00:00.000Z',
    ...overrides,
  };
}

/** The behaviour every {@link ConfigurationStore} implementation must show. */
export function describeConfigurationStoreContract(name: string, createStore: () => Promise<ConfigurationStore>): void {
  describe(`${name} (ConfigurationStore contract)`, () => {
    let store: ConfigurationStore;
    beforeEach(async () => {
      store = await createStore();
    });

    it('returns undefined and an empty list when nothing is stored', async () => {
      expect(await store.get('default', 'missing')).toBeUndefined();
      expect(await store.list({ namespace: 'empty-namespace' })).toEqual([]);
      expect(await store.delete('default', 'missing')).toBe(false);
    });

    it('round-trips a configuration with its spec, status and cluster', async () => {
      const write = configurationWrite('team-a', 'web', {
        spec: {
          rules: [{ captureLevel: 'FirstPacket', includeLayer7Data: true, targets: [] }],
          output: { destination: 'stdout', connection: 'TRACES_STDOUT' },
        },
        status: { state: 'Warning', reason: 'spec.x: unknown field' },
        cluster: 'aks-1',
      });
      const stored = await store.put(write);
      expect(stored.etag).not.toBe('');
      const { etag, ...rest } = (await store.get('team-a', 'web'))!;
      expect(rest).toEqual(write);
      expect(etag).toBe(stored.etag);
    });

    it('lists sorted and filters by namespace', async () => {
      await store.put(configurationWrite('ns-b', 'z'));
      await store.put(configurationWrite('ns-a', 'y'));
      await store.put(configurationWrite('ns-b', 'a'));
      const all = await store.list();
      expect(all.filter((c) => c.namespace.startsWith('ns-')).map((c) => `${c.namespace}/${c.name}`)).toEqual(['ns-a/y', 'ns-b/a', 'ns-b/z']);
      expect((await store.list({ namespace: 'ns-b' })).map((c) => c.name)).toEqual(['a', 'z']);
    });

    it('honours If-Match and changes the etag on every write', async () => {
      const first = await store.put(configurationWrite('default', 'etag'));
      const second = await store.put(configurationWrite('default', 'etag', { generation: 2 }), { ifMatch: first.etag });
      expect(second.etag).not.toBe(first.etag);
      await expect(store.put(configurationWrite('default', 'etag', { generation: 3 }), { ifMatch: first.etag })).rejects.toBeInstanceOf(
        PreconditionFailedError,
      );
      expect((await store.get('default', 'etag'))!.generation).toBe(2);
    });

    it('honours If-None-Match: * and If-Match on a missing resource', async () => {
      await store.put(configurationWrite('default', 'create'), { ifNoneMatch: '*' });
      await expect(store.put(configurationWrite('default', 'create'), { ifNoneMatch: '*' })).rejects.toBeInstanceOf(PreconditionFailedError);
      await expect(store.put(configurationWrite('default', 'absent'), { ifMatch: '*' })).rejects.toBeInstanceOf(PreconditionFailedError);
    });

    it('deletes with and without If-Match', async () => {
      const stored = await store.put(configurationWrite('default', 'gone'));
      await expect(store.delete('default', 'gone', { ifMatch: 'W/"stale"' })).rejects.toBeInstanceOf(PreconditionFailedError);
      expect(await store.delete('default', 'gone', { ifMatch: stored.etag })).toBe(true);
      expect(await store.get('default', 'gone')).toBeUndefined();
      await store.put(configurationWrite('default', 'gone2'));
      expect(await store.delete('default', 'gone2')).toBe(true);
    });

    it('answers ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
