import { TableClient } from '@azure/data-tables';
import { AzureTableIdentityStore } from '../../shared/enrich/azureTableIdentityStore';
import type { Endpoint, IdentitySnapshot } from '../../shared/enrich/identity';
import { parseIp } from '../../shared/net/ipAddress';
import { startAzurite, type AzuriteInstance } from '../support/azurite';

let azurite: AzuriteInstance;
let tableCounter = 0;

beforeAll(async () => {
  azurite = await startAzurite();
});

afterAll(async () => {
  await azurite?.stop();
});

function client(): TableClient {
  tableCounter++;
  return TableClient.fromConnectionString(azurite.connectionString, `identities${tableCounter}`, {
    allowInsecureConnection: true,
  });
}

const pod = (ip: string, name: string): Endpoint => ({
  ip,
  kind: 'pod',
  namespace: 'ns',
  name,
  labels: { app: name },
  workload: { kind: 'Deployment', name },
});
const snap = (
  cluster: string,
  at: string,
  complete: boolean,
  endpoints: Endpoint[],
  node?: string,
): IdentitySnapshot => ({
  cluster,
  ...(node ? { node } : {}),
  generatedAt: `2024-05-01T12:00:${at}Z`,
  complete,
  endpoints,
});
const name = async (store: AzureTableIdentityStore, cluster: string, ip: string) =>
  (await store.lookupFor(cluster)).lookup(parseIp(ip)!)?.name;

describe('AzureTableIdentityStore (Azurite)', () => {
  it('persists snapshots so a fresh instance sees them, per cluster', async () => {
    const tableClient = client();
    const writer = new AzureTableIdentityStore(tableClient);
    await writer.apply(snap('c1', '00', true, [pod('10.0.0.1', 'a'), pod('2001:db8::1', 'v6')]));
    await writer.apply(snap('c2', '00', true, [pod('10.0.0.1', 'other')]));
    await writer.apply(snap('c1', '01', false, [pod('10.0.0.2', 'b')]));

    const reader = new AzureTableIdentityStore(tableClient);
    expect(await name(reader, 'c1', '10.0.0.1')).toBe('a');
    expect(await name(reader, 'c1', '2001:db8::1')).toBe('v6');
    expect(await name(reader, 'c1', '10.0.0.2')).toBe('b');
    expect(await name(reader, 'c2', '10.0.0.1')).toBe('other');
    expect(await name(reader, 'c3', '10.0.0.1')).toBeUndefined();
    const restored = (await reader.lookupFor('c1')).lookup(parseIp('10.0.0.1')!);
    expect(restored).toEqual(pod('10.0.0.1', 'a'));
  });

  it('a complete snapshot deletes rows it no longer lists, and older complete snapshots stay ignored after a restart', async () => {
    const tableClient = client();
    const writer = new AzureTableIdentityStore(tableClient);
    await writer.apply(snap('c1', '00', true, [pod('10.0.0.1', 'a'), pod('10.0.0.2', 'b')]));
    await writer.apply(snap('c1', '05', true, [pod('10.0.0.2', 'b2')]));
    const rows: string[] = [];
    for await (const entity of tableClient.listEntities()) rows.push(String(entity.rowKey));
    expect(rows.sort()).toEqual(['0a000002', 'complete:']);

    const restarted = new AzureTableIdentityStore(tableClient);
    const outcome = await restarted.apply(snap('c1', '03', true, [pod('10.0.0.9', 'stale')]));
    expect(outcome.ignored).toBe(true);
    expect(await name(restarted, 'c1', '10.0.0.2')).toBe('b2');
    expect(await name(restarted, 'c1', '10.0.0.9')).toBeUndefined();
  });

  it('serves from the cache within its TTL and reloads after it', async () => {
    const tableClient = client();
    let now = 0;
    const reader = new AzureTableIdentityStore(tableClient, { cacheTtlInMs: 1000, now: () => now });
    const writer = new AzureTableIdentityStore(tableClient, { now: () => now });
    await writer.apply(snap('c1', '00', true, [pod('10.0.0.1', 'a')]));
    expect(await name(reader, 'c1', '10.0.0.1')).toBe('a');
    await writer.apply(snap('c1', '01', false, [pod('10.0.0.1', 'a2')]));
    expect(await name(reader, 'c1', '10.0.0.1')).toBe('a');
    now = 1500;
    expect(await name(reader, 'c1', '10.0.0.1')).toBe('a2');
  });

  it('expired rows are invisible when loaded and deleted on the next write', async () => {
    const tableClient = client();
    let now = 0;
    const writer = new AzureTableIdentityStore(tableClient, { ttlInMs: 1000, now: () => now });
    await writer.apply(snap('c1', '00', false, [pod('10.0.0.1', 'a')]));
    now = 5000;
    const later = new AzureTableIdentityStore(tableClient, { ttlInMs: 1000, now: () => now });
    expect(await name(later, 'c1', '10.0.0.1')).toBeUndefined();
    await later.apply(snap('c1', '01', false, [pod('10.0.0.2', 'b')]));
    const rows: string[] = [];
    for await (const entity of tableClient.listEntities()) rows.push(String(entity.rowKey));
    expect(rows).toEqual(['0a000002']);
  });

  it('counts damaged rows instead of failing the load', async () => {
    const tableClient = client();
    const store = new AzureTableIdentityStore(tableClient);
    await store.apply(snap('c1', '00', true, [pod('10.0.0.1', 'a')]));
    await tableClient.upsertEntity({ partitionKey: 'c1', rowKey: 'ffffffff', Kind: 'pod' });
    const reader = new AzureTableIdentityStore(tableClient);
    expect(await name(reader, 'c1', '10.0.0.1')).toBe('a');
    expect(reader.damagedRows).toBe(1);
  });

  it('writes more than one transaction worth of rows', async () => {
    const tableClient = client();
    const store = new AzureTableIdentityStore(tableClient);
    const many = Array.from({ length: 250 }, (_, i) => pod(`10.1.${i >> 8}.${i & 255}`, `p${i}`));
    await store.apply(snap('big', '00', true, many));
    const reader = new AzureTableIdentityStore(tableClient);
    expect(await name(reader, 'big', '10.1.0.249')).toBe('p249');
  });
});

describe('AzureTableIdentityStore write failures', () => {
  it('rethrows and forgets the cached cluster so the next use reads storage again', async () => {
    let loads = 0;
    const failing = {
      createTable: async () => undefined,
      listEntities: () => {
        loads++;
        return (async function* () {})();
      },
      submitTransaction: async () => {
        throw Object.assign(new Error('service unavailable'), { statusCode: 503 });
      },
      deleteEntity: async () => undefined,
    } as unknown as TableClient;
    const store = new AzureTableIdentityStore(failing);
    await expect(store.apply(snap('c1', '00', true, [pod('10.0.0.1', 'a')]))).rejects.toThrow(
      'service unavailable',
    );
    expect(await name(store, 'c1', '10.0.0.1')).toBeUndefined();
    expect(loads).toBe(2);
  });
});
