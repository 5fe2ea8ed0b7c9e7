import { TableClient } from '@azure/data-tables';
import { AzureTableSink, createTableClient } from '../../../shared/sinks/azureTable/azureTableSink';
import { configurationPrefix } from '../../../shared/sinks/azureTable/partitionKey';
import { azuriteConnectionString } from '../../support/azurite';
import { FaultProxy } from '../../support/faultProxy';
import { sinkContract } from '../sinkContract';

let proxy: FaultProxy;
let direct: TableClient;
const TABLE = 'RetinaTraces';

sinkContract('azuretable', {
  manyCount: 450,
  idempotent: true,
  async start(connectionString) {
    const tablePort = Number(/TableEndpoint=http:\/\/127\.0\.0\.1:(\d+)/.exec(connectionString)?.[1]);
    proxy = new FaultProxy(tablePort);
    await proxy.start();
    direct = TableClient.fromConnectionString(connectionString, TABLE, { allowInsecureConnection: true });
  },
  async stop() {
    await proxy.stop();
  },
  createSink() {
    const client = createTableClient({
      destination: 'azuretable',
      name: 'TRACES_AZURETABLE',
      tableName: TABLE,
      connectionString: azuriteConnectionString({ tablePort: proxy.port }),
    });
    return new AzureTableSink(client, 'TRACES_AZURETABLE');
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
