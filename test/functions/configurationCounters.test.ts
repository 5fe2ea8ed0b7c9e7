import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { createIngestTracesHandler } from '../../functions/ingestTraces';
import { createTraceConfigurationsHandler } from '../../functions/traceConfigurations';
import { identitiesEvent } from '../../shared/agent/publishEvents';
import {
  demoBatches,
  demoIdentities,
  DEMO_CLUSTER,
  type DemoBatch,
} from '../../shared/local/demo/demoCluster';
import { TRACE_BATCH_SCHEMA } from '../../shared/pipeline/traceEvent';
import {
  asHostResponse,
  hostInput,
  httpRequest,
  invocationContext,
  useApp,
  type AppInstance,
  type TestEvent,
} from '../support/appHarness';

const app = useApp();
const SAMPLES = path.join(__dirname, '..', '..', 'samples', 'local');
const SHOP_HTTP = readFileSync(path.join(SAMPLES, 'shop-http-azuretable.yaml'), 'utf8');
const CLUSTER_DNS = readFileSync(path.join(SAMPLES, 'cluster-dns-loganalytics.yaml'), 'utf8');
const [NODE_1, NODE_2] = demoBatches(Date.UTC(2026, 10, 25, 10, 0, 0)) as [DemoBatch, DemoBatch];

function traceEvent(batch: DemoBatch): TestEvent {
  return {
    body: gzipSync(batch.capture),
    properties: {
      'trace-schema': TRACE_BATCH_SCHEMA,
      cluster: DEMO_CLUSTER,
      node: batch.node,
      'content-encoding': 'gzip',
    },
  };
}

function api(instance: AppInstance, now: Date) {
  return createTraceConfigurationsHandler(() => ({
    store: instance.services.configurationStore,
    validator: instance.services.validator,
    maxRequestBodyBytes: instance.services.settings.maxRequestBodyBytes,
    counters: instance.services.configurationCounters,
    now: () => now,
  }));
}

async function call(
  instance: AppInstance,
  method: string,
  namespace: string,
  name: string,
  yaml?: string,
  now = new Date(),
) {
  const request = httpRequest(method, `traceconfigurations/${namespace}/${name}`, {
    params: { namespace, name },
    ...(yaml === undefined ? {} : { headers: { 'content-type': 'application/yaml' }, body: yaml }),
  });
  return asHostResponse(await api(instance, now)(request, invocationContext('traceConfigurations').context));
}

describe('configuration counters: ingest → GET (Azurite)', () => {
  it('shows records, dead-lettered records and the last record time on the configuration status', async () => {
    const instance = app.create();
    expect((await call(instance, 'PUT', 'shop', 'shop-http', SHOP_HTTP)).status).toBe(201);
    expect((await call(instance, 'PUT', 'kube-system', 'cluster-dns', CLUSTER_DNS)).status).toBe(201);
    // Log Analytics' connection disappears: cluster-dns's records are dead-lettered (CONNECTION_INVALID).
    delete instance.env.TRACES_LOGANALYTICS__endpoint;

    const input = hostInput(
      [identitiesEvent(demoIdentities('2026-11-25T09:59:00Z')), traceEvent(NODE_1), traceEvent(NODE_2)],
      { partitionId: '1' },
    );
    const { context, logs } = invocationContext('ingestTraces', input.triggerMetadata);
    const summary = await createIngestTracesHandler(() => instance.services.ingest)(input.messages, context);
    const shop = summary.byConfiguration?.['shop/shop-http'];
    const dns = summary.byConfiguration?.['kube-system/cluster-dns'];
    expect(shop?.records).toBeGreaterThan(0);
    expect(dns?.deadLettered).toBe(dns?.records);
    expect(dns?.deadLettered).toBeGreaterThan(0);
    // The per-configuration counts stay out of the log line.
    expect(logs.map((l) => l.text).join('\n')).not.toContain('byConfiguration');

    // Counters report the last complete interval: read one interval later.
    const later = new Date(Date.now() + 5 * 60_000);
    const shopStatus = (await call(instance, 'GET', 'shop', 'shop-http', undefined, later)).json?.status;
    expect(shopStatus.counters).toEqual({
      intervalMinutes: 5,
      records: shop!.records,
      deadLettered: 0,
      lastRecordTime: shop!.lastRecordTime,
    });
    const dnsStatus = (await call(instance, 'GET', 'kube-system', 'cluster-dns', undefined, later)).json
      ?.status;
    expect(dnsStatus.counters).toMatchObject({ records: dns!.records, deadLettered: dns!.deadLettered });

    // A second invocation adds to the same interval's row of this instance.
    const again = hostInput([traceEvent(NODE_1), traceEvent(NODE_2)], {
      partitionId: '1',
      firstSequenceNumber: 2,
    });
    const second = await createIngestTracesHandler(() => instance.services.ingest)(
      again.messages,
      invocationContext('ingestTraces', again.triggerMetadata).context,
    );
    const total = shop!.records + (second.byConfiguration?.['shop/shop-http']?.records ?? 0);
    const after = (await call(instance, 'GET', 'shop', 'shop-http', undefined, later)).json?.status;
    expect(after.counters.records).toBe(total);
  });
});
