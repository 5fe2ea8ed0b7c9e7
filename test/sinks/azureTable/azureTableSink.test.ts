import { TableClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import type { AzureTableSink } from '../../../shared/sinks/azureTable/azureTableSink';
import { createAzureTableSink, mergeByRowKey } from '../../../shared/sinks/azureTable/azureTableSink';
import { BlobDeadLetterStore } from '../../../shared/sinks/send/blobDeadLetterStore';
import { deliver } from '../../../shared/sinks/send/deliver';
import { replayDeadLetters } from '../../../shared/sinks/send/replay';
import { makeRecord } from '../../support/traceRecords';
import { configurationPrefix } from '../../../shared/sinks/azureTable/partitionKey';
import { azuriteConnectionString } from '../../support/azurite';
import { FaultProxy } from '../../support/faultProxy';
import { sinkContract } from '../sinkContract';

let proxy: FaultProxy;
let direct: TableClient;
let storage: string;
const TABLE = 'RetinaTraces';

sinkContract('azuretable', {
  manyCount: 450,
  idempotent: true,
  async start(connectionString) {
    const tablePort = Number(/TableEndpoint=http:\/\/127\.0\.0\.1:(\d+)/.exec(connectionString)?.[1]);
    proxy = new FaultProxy(tablePort);
    await proxy.start();
    direct = TableClient.fromConnectionString(connectionString, TABLE, { allowInsecureConnection: true });
    storage = connectionString;
  },
  async stop() {
    await proxy.stop();
  },
  createSink() {
    return createAzureTableSink({
      destination: 'azuretable',
      name: 'TRACES_AZURETABLE',
      tableName: TABLE,
      connectionString: azuriteConnectionString({ tablePort: proxy.port }),
    });
  },
  faults: () => proxy.faults,
  async stored() {
    const out = new Map<string, string[]>();
    try {
      for await (const entity of direct.listEntities()) {
        const copies = out.get(entity.rowKey ?? '') ?? [];
        copies.push(JSON.stringify(entity, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
        out.set(entity.rowKey ?? '', copies);
      }
    } catch (caught) {
      if ((caught as { statusCode?: number }).statusCode !== 404) throw caught;
    }
    return out;
  },
  extraTests() {
    const sink = (): AzureTableSink =>
      createAzureTableSink({
        destination: 'azuretable',
        name: 'TRACES_AZURETABLE',
        tableName: TABLE,
        connectionString: azuriteConnectionString({ tablePort: proxy.port }),
      });
    const stored = async (recordId: string): Promise<Record<string, unknown>[]> => {
      const out: Record<string, unknown>[] = [];
      for await (const entity of direct.listEntities({ queryOptions: { filter: `RowKey eq '${recordId}'` } }))
        out.push(entity);
      return out;
    };
    const noDeadLetter = {
      write: () => Promise.reject(new Error('nothing may be dead-lettered here')),
    };

    it('delivers byte-identical frames (one RecordId twice) in one transaction: one entity, no dead-letter', async () => {
      const twin = makeRecord(900_001);
      const other = makeRecord(900_002);
      // Same configuration, node and hour: same PartitionKey shard only if fnv1a agrees, so force one shard.
      const oneShard = createAzureTableSink(
        {
          destination: 'azuretable',
          name: 'TRACES_AZURETABLE',
          tableName: TABLE,
          connectionString: azuriteConnectionString({ tablePort: proxy.port }),
        },
        { shards: 1 },
      );
      const report = await deliver(oneShard, [twin, structuredClone(twin), other], {
        deadLetter: noDeadLetter,
        batchRef: 'test:twins',
      });
      expect(report).toMatchObject({ records: 3, delivered: 3, deadLettered: 0, batches: 1 });
      expect(await stored(twin.RecordId)).toHaveLength(1);
      expect(await stored(other.RecordId)).toHaveLength(1);
    });

    it('replays a dead-letter blob holding the same RecordId twice', async () => {
      const store = new BlobDeadLetterStore(
        BlobServiceClient.fromConnectionString(storage).getContainerClient('dl-twins'),
      );
      const twin = makeRecord(900_010);
      const blob = await store.write({
        destination: 'azuretable',
        connection: 'TRACES_AZURETABLE',
        batchRef: 'eventhub:0:1',
        entries: [twin, twin, makeRecord(900_011)].map((record) => ({
          kind: 'record' as const,
          code: 'HTTP_400',
          reason: 'RowKey already present in the batch',
          attempts: 1,
          record,
        })),
      });
      const results = await replayDeadLetters({ store, names: [blob], sinkFor: sink });
      expect(results).toMatchObject([{ outcome: 'replayed', records: 3, delivered: 3 }]);
      expect(await stored(twin.RecordId)).toHaveLength(1);
    });

    it('redelivery merges: a bare record with the RecordId of a layer-7 record keeps the layer-7 fields', async () => {
      const withL7 = makeRecord(900_020);
      const {
        L7Protocol: _p,
        HttpMethod: _m,
        HttpPath: _path,
        HttpHost: _h,
        HttpVersion: _v,
        HttpUserAgent: _ua,
        ...bare
      } = withL7;
      await deliver(sink(), [withL7], { deadLetter: noDeadLetter, batchRef: 'test:first' });
      await deliver(sink(), [bare], { deadLetter: noDeadLetter, batchRef: 'test:redelivery' });
      const [entity, ...more] = await stored(withL7.RecordId);
      expect(more).toHaveLength(0);
      expect(entity).toMatchObject({ L7Protocol: 'HTTP', HttpMethod: 'GET', HttpPath: withL7.HttpPath });
    });

    it.each([
      ['no entities', [], []],
      [
        'distinct row keys kept in order',
        [
          { partitionKey: 'p', rowKey: 'b', x: 1 },
          { partitionKey: 'p', rowKey: 'a', x: 2 },
        ],
        [
          { partitionKey: 'p', rowKey: 'b', x: 1 },
          { partitionKey: 'p', rowKey: 'a', x: 2 },
        ],
      ],
      [
        'same row key merged, later values win, earlier-only values kept',
        [
          { partitionKey: 'p', rowKey: 'a', x: 1, l7: 'HTTP' },
          { partitionKey: 'p', rowKey: 'b' },
          { partitionKey: 'p', rowKey: 'a', x: 2 },
        ],
        [
          { partitionKey: 'p', rowKey: 'a', x: 2, l7: 'HTTP' },
          { partitionKey: 'p', rowKey: 'b' },
        ],
      ],
    ])('mergeByRowKey: %s', (_name, input, expected) => {
      expect(mergeByRowKey(input)).toEqual(expected);
    });

    it('stores typed columns and answers a PartitionKey range query by configuration and hour', async () => {
      const entities: Array<Record<string, unknown>> = [];
      const prefix = configurationPrefix('aks-test', 'default/web-trace');
      for await (const entity of direct.listEntities({
        queryOptions: { filter: `PartitionKey ge '${prefix}' and PartitionKey lt '${prefix}~'` },
      })) {
        entities.push(entity);
      }
      expect(entities.length).toBeGreaterThan(0);
      const sample = entities.find(
        (e) => e.HttpPath !== undefined && typeof e.HttpPath === 'string' && e.HttpPath.length < 100,
      )!;
      expect(typeof sample.SourcePort).toBe('number');
      expect(typeof sample.TcpSeq).toBe('bigint');
      expect(sample.TimeGenerated).toBeInstanceOf(Date);
      expect(JSON.parse(String(sample.DestinationLabels))).toEqual({ app: 'api', tier: 'backend' });
      expect(String(sample.partitionKey)).toMatch(/^aks-test\|default\.web-trace\|\d{10}\|0[0-3]$/);
    });
  },
});
