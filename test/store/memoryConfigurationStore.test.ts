import { MemoryConfigurationStore } from '../../shared/store/memoryConfigurationStore';
import { describeConfigurationStoreContract } from './configurationStoreContract';

describeConfigurationStoreContract('MemoryConfigurationStore', async () => new MemoryConfigurationStore());

describe('MemoryConfigurationStore isolation', () => {
  it('returns copies, so callers cannot change what is stored', async () => {
    const store = new MemoryConfigurationStore();
    const stored = await store.put({
      namespace: 'n',
      name: 'a',
      generation: 1,
      manifest: { a: 1 },
      status: { state: 'Accepted', reason: '' },
      updatedAt: 't',
    });
    (stored.manifest as { a: number }).a = 2;
    expect((await store.get('n', 'a'))!.manifest).toEqual({ a: 1 });
  });
});
