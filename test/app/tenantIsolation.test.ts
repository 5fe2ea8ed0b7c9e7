import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { TableClient } from '@azure/data-tables';
import { createIngestTracesHandler } from '../../functions/ingestTraces';
import { createAppServices } from '../../shared/app/appServices';
import { parseTraceConfigurations } from '../../shared/config/parseManifests';
import { demoBatches, DEMO_CLUSTER } from '../../shared/local/demo/demoCluster';
import { LocalTokenCredential } from '../../shared/local/localTokenCredential';
import { TRACE_BATCH_SCHEMA } from '../../shared/pipeline/traceEvent';
import { hostInput, invocationContext, useApp, type AppInstance } from '../support/appHarness';

const app = useApp();
const SHOP_HTTP = readFileSync(
  path.join(__dirname, '..', '..', 'samples', 'local', 'shop-http-azuretable.yaml'),
  'utf8',
).replace(/namespaceSelector:\n\s+matchLabels:\n\s+team: shop/g, 'ipBlock:\n            cidr: 10.0.0.0/8');

/** Stores the shop-http spec under `name` with `connection`, as a store written before the policy would hold it. */
async function storeWithConnection(instance: AppInstance, name: string, connection: string): Promise<void> {
  const [result] = parseTraceConfigurations(SHOP_HTTP);
  await instance.services.configurationStore.put({
    namespace: 'shop',
    name,
    generation: 1,
    manifest: result!.manifest,
    spec: { ...result!.spec!, output: { destination: 'azuretable', connection } },
    status: { state: 'Accepted', reason: '' },
    updatedAt: new Date().toISOString(),
  });
}

async function rowsOf(table: string): Promise<number> {
  const client = TableClient.fromConnectionString(app.connectionString(), table, {
    allowInsecureConnection: true,
  });
  let rows = 0;
  for await (const _ of client.listEntities()) rows += 1;
  return rows;
}

describe('tenant isolation of connections in the pipeline', () => {
  it.each(['CONFIG_STORE', 'AzureWebJobsStorage', 'DEADLETTER'])(
    'a stored configuration naming %s is not traced, writes nothing into the app stores, and the others keep working',
    async (connection) => {
      const warnings: string[] = [];
      const base = app.create();
      const services = createAppServices(base.env, {
        credential: new LocalTokenCredential(),
        onWarning: (w) => warnings.push(w),
      });
      const instance = { ...base, services };
      await storeWithConnection(instance, 'hostile', connection);
      await storeWithConnection(instance, 'shop-http', 'TRACES_AZURETABLE');
      const [batch] = demoBatches(Date.UTC(2026, 10, 25, 10));
      const input = hostInput([
        {
          body: gzipSync(batch!.capture),
          properties: {
            'trace-schema': TRACE_BATCH_SCHEMA,
            cluster: DEMO_CLUSTER,
            node: batch!.node,
            'content-encoding': 'gzip',
          },
        },
      ]);
      const summary = await createIngestTracesHandler(() => services.ingest)(
        input.messages,
        invocationContext('ingestTraces', input.triggerMetadata).context,
      );
      expect(Object.keys(summary.recordsByDestination)).toEqual(['azuretable/TRACES_AZURETABLE']);
      expect(await rowsOf(base.env.CONFIG_STORE__tableName!)).toBe(2);
      expect(await instance.tableRows()).not.toHaveLength(0);
      expect((await services.configurationStore.list()).map((c) => c.name)).toEqual(['hostile', 'shop-http']);
      expect(warnings.join('\n')).toContain(
        `shop/hostile is not traced: outputConfiguration.connectionConfiguration names '${connection}'`,
      );
      await services.close();
    },
  );

  it('refuses sinks for internal connections, and declared connections that point at the app tables', () => {
    const instance = app.create({
      TRACE_OUTPUT_CONNECTIONS: 'OWN',
      OWN__connectionString: app.connectionString(),
      OWN__tableName: 'OwnConfigs',
      CONFIG_STORE__tableName: 'OwnConfigs',
    });
    expect(() => instance.services.ingest.sinkFor('azuretable', 'CONFIG_STORE')).toThrow(
      /internal connection/,
    );
    expect(() => instance.services.ingest.sinkFor('azuretable', 'OWN')).toThrow(
      /table 'OwnConfigs', which the backend uses for itself/,
    );
    expect(() => instance.services.ingest.sinkFor('azuretable', 'TRACES_AZURETABLE')).not.toThrow();
  });
});
