import { AzureNamedKeyCredential } from '@azure/core-auth';
import { generateAccountSas, TableClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import type { AzureTableSink } from '../../../shared/sinks/azureTable/azureTableSink';
import { createAzureTableSink, mergeByRowKey } from '../../../shared/sinks/azureTable/azureTableSink';
import { BlobDeadLetterStore } from '../../../shared/sinks/send/blobDeadLetterStore';
import { deliver } from '../../../shared/sinks/send/deliver';
import { replayDeadLetters } from '../../../shared/sinks/send/replay';
import { makeRecord } from '../../support/traceRecords';
import { configurationPrefix } from '../../../shared/sinks/azureTable/partitionKey';
import { AZURITE_ACCOUNT_KEY, AZURITE_ACCOUNT_NAME, azuriteConnectionString } from '../../support/azurite';
import type { EncodedRecord } from '../../../shared/sinks/sink';
import { serializedEntity, type SerializedEntity } from '../../../shared/sinks/azureTable/transactionBody';
import { encodeEntity } from '../../../shared/sinks/azureTable/encode';
import type { TraceRecord } from '../../../shared/record/traceRecord';
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

    const all = async (filter: string): Promise<Array<Record<string, unknown>>> => {
      const out: Array<Record<string, unknown>> = [];
      for await (const entity of direct.listEntities({ queryOptions: { filter } })) out.push(entity);
      return out;
    };
    const encodeAll = (
      target: AzureTableSink,
      records: readonly TraceRecord[],
    ): Array<EncodedRecord<SerializedEntity>> =>
      records.map((record) => {
        const encoded = target.encode(record);
        if (!encoded.ok) throw new Error(encoded.reason);
        return encoded.value;
      });

    it('round-trips every column type through the direct $batch path: Int64, DateTime, JSON, unicode, 32K strings', async () => {
      const long = '€'.repeat(32 * 1024 - 1);
      const record = makeRecord(910_001, {
        HttpPath: '/ünïcödé/😀?q="x"&y=\\1\n\t',
        HttpUserAgent: long,
        TcpSeq: 2 ** 53 - 1,
        TcpAck: 0,
        DnsIsResponse: true,
        TlsAlpn: ['h2', 'http/1.1'],
        SourceLabels: { 'app.kubernetes.io/name': 'wéb', empty: '' },
        NodeName: "node-'quoted'",
      });
      const report = await deliver(sink(), [record], { deadLetter: noDeadLetter, batchRef: 'test:types' });
      expect(report).toMatchObject({ delivered: 1, deadLettered: 0 });
      const [entity, ...more] = await stored(record.RecordId);
      expect(more).toHaveLength(0);
      expect(entity).toMatchObject({
        HttpPath: record.HttpPath,
        HttpUserAgent: long,
        TcpSeq: BigInt(2 ** 53 - 1),
        TcpAck: 0n,
        DnsIsResponse: true,
        SourcePort: record.SourcePort,
        TlsAlpn: '["h2","http/1.1"]',
        SchemaVersion: 'v1',
        NodeName: "node-'quoted'",
      });
      expect(JSON.parse(String(entity!.SourceLabels))).toEqual(record.SourceLabels);
      expect((entity!.TimeGenerated as Date).toISOString()).toBe(record.TimeGenerated);
    });

    it('writes 100 entities per transaction: 250 records of one partition are 3 requests', async () => {
      const records = Array.from({ length: 250 }, (_, i) =>
        makeRecord(920_000 + i, { NodeName: 'busy-node', TimeGenerated: '2026-11-25T09:10:00.000Z' }),
      );
      const before = proxy.requests;
      const target = createAzureTableSink(
        {
          destination: 'azuretable',
          name: 'TRACES_AZURETABLE',
          tableName: TABLE,
          connectionString: azuriteConnectionString({ tablePort: proxy.port }),
        },
        { shards: 1 },
      );
      const report = await deliver(target, records, { deadLetter: noDeadLetter, batchRef: 'test:full' });
      expect(report).toMatchObject({ delivered: 250, batches: 3 });
      expect(proxy.requests - before).toBe(1 + 3); // create table, then three transactions
      const keys = new Set(encodeAll(target, records).map((item) => item.payload.partitionKey));
      expect(keys.size).toBe(1);
      const [partitionKey] = [...keys];
      expect(await all(`PartitionKey eq '${partitionKey!.replaceAll("'", "''")}'`)).toHaveLength(250);
    });

    it('reports the one entity the service rejects (a 33K-character property) and stores the rest', async () => {
      const target = sink();
      const records = Array.from({ length: 5 }, (_, i) => makeRecord(930_000 + i, { NodeName: 'n' }));
      const batch = encodeAll(target, records);
      // encode() truncates strings to Table's limit, so only a payload built past it reaches the service.
      const entity = encodeEntity(records[3]!);
      if (!entity.ok) throw new Error(entity.reason);
      batch[3] = {
        ...batch[3]!,
        payload: serializedEntity({
          ...entity.value.payload,
          partitionKey: batch[3]!.payload.partitionKey,
          HttpUserAgent: 'x'.repeat(33_000),
        }),
      };
      const result = await target.push(batch, { abortSignal: AbortSignal.timeout(10_000) });
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.failed.map((item) => item.record.RecordId)).toEqual([records[3]!.RecordId]);
      expect(result.failure).toMatchObject({ kind: 'permanent', code: 'HTTP_400' });
      expect(result.failure.reason).toContain('PropertyValueTooLarge');
      expect((await Promise.all(records.map((r) => stored(r.RecordId)))).map((rows) => rows.length)).toEqual([
        1, 1, 1, 0, 1,
      ]);
    });

    it('authorizes with a SAS connection string', async () => {
      const sas = generateAccountSas(new AzureNamedKeyCredential(AZURITE_ACCOUNT_NAME, AZURITE_ACCOUNT_KEY), {
        permissions: { add: true, update: true, write: true, query: true, list: true },
        resourceTypes: 'sco',
      });
      const withSas = createAzureTableSink({
        destination: 'azuretable',
        name: 'TRACES_SAS',
        tableName: 'SasTraces',
        connectionString: `TableEndpoint=http://127.0.0.1:${proxy.port}/${AZURITE_ACCOUNT_NAME};SharedAccessSignature=${sas}`,
      });
      const record = makeRecord(940_001);
      const report = await deliver(withSas, [record], { deadLetter: noDeadLetter, batchRef: 'test:sas' });
      expect(report).toMatchObject({ delivered: 1, deadLettered: 0 });
      const table = TableClient.fromConnectionString(storage, 'SasTraces', { allowInsecureConnection: true });
      expect(
        (await table.getEntity(encodeAll(withSas, [record])[0]!.payload.partitionKey, record.RecordId))
          .HttpPath,
      ).toBe(record.HttpPath);
    });

    it('is refused with a forged account key (HTTP 403, permanent)', async () => {
      const forged = createAzureTableSink({
        destination: 'azuretable',
        name: 'TRACES_FORGED',
        tableName: TABLE,
        connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT_NAME};AccountKey=${Buffer.from('not the key').toString('base64')};TableEndpoint=http://127.0.0.1:${proxy.port}/${AZURITE_ACCOUNT_NAME}`,
      });
      const caught: unknown = await forged
        .push(encodeAll(forged, [makeRecord(950_001)]), { abortSignal: AbortSignal.timeout(10_000) })
        .catch((error: unknown) => error);
      expect(forged.classify(caught)).toMatchObject({ kind: 'permanent', code: 'HTTP_403' });
    });

    it('fills every transaction for a busy configuration: 3 nodes x 300 records are 9 transactions of 100', async () => {
      // As agents publish them: each node's records arrive together, interleaved across nodes.
      const nodes = ['aks-nodepool1-0', 'aks-nodepool1-1', 'aks-nodepool1-2'];
      const records = nodes.flatMap((node, n) =>
        Array.from({ length: 300 }, (_, i) =>
          makeRecord(960_000 + n * 1000 + i, { NodeName: node, TimeGenerated: '2026-11-25T09:20:00.000Z' }),
        ),
      );
      const target = sink();
      const report = await deliver(target, records, { deadLetter: noDeadLetter, batchRef: 'test:busy' });
      expect(report).toMatchObject({ records: 900, delivered: 900, deadLettered: 0, batches: 9 });
      // The same records keyed by RecordId hash (the former layout) need more, partly empty, transactions.
      const byRecordId = createAzureTableSink(
        {
          destination: 'azuretable',
          name: 'T',
          tableName: TABLE,
          connectionString: azuriteConnectionString({ tablePort: proxy.port }),
        },
        { shards: 4, shardsPerNode: 4 },
      );
      const spread = await deliver(byRecordId, records, {
        deadLetter: noDeadLetter,
        batchRef: 'test:spread',
      });
      expect(spread.batches).toBeGreaterThan(9);
      expect((await stored(records[0]!.RecordId)).length).toBeGreaterThanOrEqual(1);
    });

    it('takes its partition layout from the connection settings', () => {
      const configured = createAzureTableSink({
        destination: 'azuretable',
        name: 'T',
        tableName: TABLE,
        connectionString: azuriteConnectionString({ tablePort: proxy.port }),
        partitionShards: 1,
      });
      const keys = new Set(
        ['a', 'b', 'c', 'd', 'e'].map((node) => {
          const encoded = configured.encode(
            makeRecord(1, { NodeName: node, TimeGenerated: '2026-11-25T09:00:00Z' }),
          );
          return encoded.ok ? encoded.value.group : '';
        }),
      );
      expect([...keys]).toEqual(['aks-test|default.web-trace|2026112509|00']);
    });
  },
});
