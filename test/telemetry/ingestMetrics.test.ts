import { InvocationContext } from '@azure/functions';
import { createIngestTracesHandler } from '../../functions/ingestTraces';
import type { IngestDependencies, IngestSummary } from '../../shared/pipeline/ingestEvents';
import { ingestMetricsRequest, metricsExporterFromEnv } from '../../shared/telemetry/ingestMetrics';
import { OtlpReceiver } from '../../shared/local/otlpReceiver';
import { ConfigurationCache } from '../../shared/pipeline/configurationCache';
import { MemoryConfigurationStore } from '../../shared/store/memoryConfigurationStore';
import { MemoryIdentityStore } from '../../shared/enrich/memoryIdentityStore';
import { compileConfigurations } from '../../shared/match/configurationMatcher';
import { createPartitionState } from '../../shared/pipeline/partitionState';
import { StdoutSink } from '../../shared/sinks/stdout/stdoutSink';

const summary: IngestSummary = {
  events: 3,
  traceBatches: 2,
  identitySnapshots: 1,
  rejectedEvents: 0,
  packets: 66,
  malformed: 1,
  matched: 60,
  records: 40,
  delivered: 38,
  deadLettered: 2,
  recordsByDestination: { 'azuretable/TRACES_AZURETABLE': 16, 'stdout/TRACES_STDOUT': 24 },
  maxLagMs: 120,
  problems: [],
  deliveries: [],
};

type Metric = { name: string; sum?: { dataPoints: { asInt: string; attributes: { key: string; value: { stringValue: string } }[] }[] }; gauge?: { dataPoints: { asDouble: number }[] } };
function metricsOf(request: unknown): Metric[] {
  return (request as { resourceMetrics: { scopeMetrics: { metrics: Metric[] }[] }[] }).resourceMetrics[0]!.scopeMetrics[0]!.metrics;
}

describe('ingestMetricsRequest', () => {
  it('turns the summary into delta sums and a lag gauge', () => {
    const metrics = metricsOf(ingestMetricsRequest(summary, { partitionId: '3', startedAtMs: 1000, endedAtMs: 1500 }));
    const value = (name: string) => metrics.find((m) => m.name === name)?.sum?.dataPoints.map((p) => Number(p.asInt));
    expect(value('retina.ingest.events')).toEqual([3]);
    expect(value('retina.ingest.packets')).toEqual([66]);
    expect(value('retina.ingest.records')).toEqual([16, 24]);
    expect(value('retina.ingest.dead_lettered')).toEqual([2]);
    expect(metrics.find((m) => m.name === 'retina.ingest.lag')?.gauge?.dataPoints[0]?.asDouble).toBe(120);
    const records = metrics.find((m) => m.name === 'retina.ingest.records')!;
    expect(records.sum!.dataPoints[0]!.attributes).toEqual([
      { key: 'messaging.destination.partition.id', value: { stringValue: '3' } },
      { key: 'retina.destination', value: { stringValue: 'azuretable/TRACES_AZURETABLE' } },
    ]);
  });

  it('omits the lag gauge and empty series when there is nothing to report', () => {
    const metrics = metricsOf(ingestMetricsRequest({ ...summary, maxLagMs: undefined, recordsByDestination: {} }, { startedAtMs: 0, endedAtMs: 1 }));
    expect(metrics.map((m) => m.name)).not.toContain('retina.ingest.lag');
    expect(metrics.map((m) => m.name)).not.toContain('retina.ingest.records');
  });
});

describe('metricsExporterFromEnv', () => {
  const receiver = new OtlpReceiver({ requiredHeaders: { 'x-api-key': 'k=1' } });
  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());

  it.each([[{}], [{ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }]])('is off without an endpoint (%j)', (env) => {
    expect(metricsExporterFromEnv(env)).toBeUndefined();
  });

  it('exports to <endpoint>/v1/metrics with the configured headers, and reports failures instead of throwing', async () => {
    const exporter = metricsExporterFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: `${receiver.endpoint}/`, OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=k%3D1' })!;
    expect(await exporter(ingestMetricsRequest(summary, { startedAtMs: 0, endedAtMs: 1 }))).toBeUndefined();
    expect(receiver.receivedMetrics).toHaveLength(1);
    const wrongKey = metricsExporterFromEnv({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${receiver.endpoint}/v1/metrics` })!;
    expect(await wrongKey({ resourceMetrics: [] })).toContain('answered HTTP 401');
    const down = metricsExporterFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' }, 2000)!;
    expect(await down({ resourceMetrics: [] })).toContain('metrics export to http://127.0.0.1:9/v1/metrics failed');
  });

  it('the ingest handler emits one metrics request per invocation and only warns when the collector is down', async () => {
    const store = new MemoryConfigurationStore();
    const dependencies: IngestDependencies = {
      configurations: new ConfigurationCache({ store, refreshIntervalInMs: 1000, compile: () => compileConfigurations([]) }),
      identities: new MemoryIdentityStore(),
      partitionState: () => createPartitionState(),
      sinkFor: () => new StdoutSink(async () => undefined),
      deadLetter: { write: async () => 'blob' },
    };
    const before = receiver.receivedMetrics.length;
    const warnings: string[] = [];
    const context = () =>
      new InvocationContext({ triggerMetadata: { partitionContext: { partitionId: '1' } }, logHandler: (level, ...args) => level === 'warning' && warnings.push(String(args[0])) });
    const up = createIngestTracesHandler(() => dependencies, () => metricsExporterFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=k%3D1' }));
    await up([], context());
    expect(receiver.receivedMetrics.length).toBe(before + 1);
    const down = createIngestTracesHandler(() => dependencies, () => metricsExporterFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' }, 2000));
    await expect(down([], context())).resolves.toMatchObject({ events: 0 });
    expect(warnings.some((w) => w.includes('metrics export'))).toBe(true);
  });
});
