import { TableClient } from '@azure/data-tables';
import { StoredValueTooLargeError } from '../../shared/store/configurationStore';
import { TableConfigurationStore } from '../../shared/store/tableConfigurationStore';
import { useAzurite } from '../support/azurite';
import { configurationWrite, describeConfigurationStoreContract } from './configurationStoreContract';

const azurite = useAzurite();
let tables = 0;

/** A store over a fresh table, so contract cases never see each other's rows. */
function newStore(): TableConfigurationStore {
  tables += 1;
  return new TableConfigurationStore(
    TableClient.fromConnectionString(azurite().connectionString, `Configs${tables}`, {
      allowInsecureConnection: true,
    }),
  );
}

describeConfigurationStoreContract('TableConfigurationStore', async () => newStore());

describe('TableConfigurationStore limits and failures', () => {
  it.each([
    ['manifest', { manifest: { spec: { note: 'x'.repeat(40_000) } } }],
    ['status', { status: { state: 'Errored' as const, reason: 'y'.repeat(33_000) } }],
  ])(
    'refuses a %s larger than a table string property with StoredValueTooLargeError',
    async (field, overrides) => {
      const store = newStore();
      const write = store.put(configurationWrite('default', 'big', overrides));
      await expect(write).rejects.toBeInstanceOf(StoredValueTooLargeError);
      await expect(write).rejects.toThrow(new RegExp(`default/big: ${field} is \\d+ characters`));
      expect(await store.get('default', 'big')).toBeUndefined();
    },
  );

  it('stores a manifest just under the limit', async () => {
    const store = newStore();
    const manifest = { n: 'z'.repeat(32 * 1024 - 10) };
    expect(JSON.stringify(manifest).length).toBeLessThanOrEqual(32 * 1024);
    await store.put(configurationWrite('default', 'edge', { manifest }));
    expect((await store.get('default', 'edge'))!.manifest).toEqual(manifest);
  });

  it('keeps generation as a number and returns the etag the table assigned', async () => {
    const store = newStore();
    const stored = await store.put(configurationWrite('default', 'gen', { generation: 7 }));
    const read = (await store.get('default', 'gen'))!;
    expect(read.generation).toBe(7);
    expect(read.etag).toBe(stored.etag);
    expect(read.etag).toMatch(/^W\/"datetime'/);
  });

  it('fails ping and reads when the table service cannot be reached', async () => {
    const store = new TableConfigurationStore(
      TableClient.fromConnectionString(
        'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;',
        'Unreachable',
        { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } },
      ),
    );
    await expect(store.ping()).rejects.toThrow();
    await expect(store.get('a', 'b')).rejects.toThrow();
  });
});

describe('TableConfigurationStore reading rows it did not write (one bad row is not fatal)', () => {
  function rawTable(): { store: TableConfigurationStore; client: TableClient } {
    tables += 1;
    const client = TableClient.fromConnectionString(azurite().connectionString, `Rows${tables}`, {
      allowInsecureConnection: true,
    });
    return { store: new TableConfigurationStore(client), client };
  }

  it('lists around trace rows, reports a damaged row on that configuration, scrubs stored secrets', async () => {
    const { store, client } = rawTable();
    await store.put(configurationWrite('default', 'good'));
    // What a trace destination pointed at this table used to leave behind.
    await client.createEntity({
      partitionKey: 'cluster-1_default',
      rowKey: '0001',
      SrcIp: '10.0.0.1',
      Packets: 3,
    });
    await client.createEntity({
      partitionKey: 'default',
      rowKey: 'broken',
      generation: 1,
      manifest: '{not json',
      status: '{}',
      updatedAt: 'x',
    });
    const key = `Account${'Key'}=${'A'.repeat(86)}==`;
    await client.createEntity({
      partitionKey: 'default',
      rowKey: 'leaky',
      generation: 1,
      manifest: JSON.stringify({ spec: { outputConfiguration: { connectionConfiguration: `x;${key}` } } }),
      status: JSON.stringify({ state: 'Errored', reason: `connectionConfiguration x;${key} is not valid` }),
      updatedAt: 'x',
    });

    const listed = await store.list();
    expect(listed.map((c) => `${c.namespace}/${c.name} ${c.status.state}`)).toEqual([
      'default/broken Errored',
      'default/good Accepted',
      'default/leaky Errored',
    ]);
    expect(listed[0]!.status.reason).toMatch(/the stored row cannot be read: column manifest is not JSON/);
    expect(listed[0]!.spec).toBeUndefined();
    expect(JSON.stringify(listed)).not.toContain('A'.repeat(86));
    expect(JSON.stringify(await store.get('default', 'leaky'))).not.toContain('A'.repeat(86));
    expect(await store.get('cluster-1_default', '0001')).toBeUndefined();
    // Deleting the bad row repairs the listing.
    expect(await store.delete('default', 'broken')).toBe(true);
    expect((await store.list()).map((c) => c.name)).toEqual(['good', 'leaky']);
  });
});
