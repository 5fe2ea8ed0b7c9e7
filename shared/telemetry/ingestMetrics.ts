/**
 * The once-per-invocation ingest summary as OpenTelemetry metrics (OTLP/HTTP JSON,
 * ExportMetricsServiceRequest): delta sums for counts and a gauge for the end-to-end lag. Pure.
 */
import type { IngestSummary } from '../pipeline/ingestEvents';

const DELTA = 1;

interface Attribute {
  key: string;
  value: { stringValue: string };
}

function attributes(values: Record<string, string>): Attribute[] {
  return Object.entries(values).map(([key, value]) => ({ key, value: { stringValue: value } }));
}

/** Where the invocation ran, for metric attributes. */
export interface IngestMetricsContext {
  /** Event Hubs partition id, when known. */
  partitionId?: string;
  /** Start and end of the invocation, epoch ms. */
  startedAtMs: number;
  endedAtMs: number;
  /** `service.instance.id`, e.g. the host instance. */
  instanceId?: string;
}

function nanos(ms: number): string {
  return (BigInt(Math.round(ms)) * 1_000_000n).toString();
}

/** Builds the metrics request for one invocation. */
export function ingestMetricsRequest(summary: IngestSummary, context: IngestMetricsContext): Record<string, unknown> {
  const start = nanos(context.startedAtMs);
  const time = nanos(context.endedAtMs);
  const common: Record<string, string> = context.partitionId === undefined ? {} : { 'messaging.destination.partition.id': context.partitionId };
  const sum = (name: string, unit: string, description: string, points: { value: number; attributes?: Record<string, string> }[]) => ({
    name,
    unit,
    description,
    sum: {
      aggregationTemporality: DELTA,
      isMonotonic: true,
      dataPoints: points.map((point) => ({
        startTimeUnixNano: start,
        timeUnixNano: time,
        asInt: String(point.value),
        attributes: attributes({ ...common, ...point.attributes }),
      })),
    },
  });
  const metrics = [
    sum('retina.ingest.events', '{event}', 'Event Hubs events processed', [{ value: summary.events }]),
    sum('retina.ingest.rejected_events', '{event}', 'events dead-lettered without processing', [{ value: summary.rejectedEvents }]),
    sum('retina.ingest.packets', '{packet}', 'packets read from trace batches', [{ value: summary.packets }]),
    sum('retina.ingest.malformed_packets', '{packet}', 'packets with damaged headers', [{ value: summary.malformed }]),
    sum('retina.ingest.records', '{record}', 'trace records produced, by destination', Object.entries(summary.recordsByDestination).map(([destination, value]) => ({ value, attributes: { 'retina.destination': destination } }))),
    sum('retina.ingest.delivered', '{record}', 'records delivered', [{ value: summary.delivered }]),
    sum('retina.ingest.dead_lettered', '{record}', 'records dead-lettered', [{ value: summary.deadLettered }]),
  ].filter((metric) => metric.sum.dataPoints.length > 0);
  const gauges =
    summary.maxLagMs === undefined
      ? []
      : [{ name: 'retina.ingest.lag', unit: 'ms', description: 'largest end-to-end lag (now - enqueued time) in the invocation', gauge: { dataPoints: [{ timeUnixNano: time, asDouble: summary.maxLagMs, attributes: attributes(common) }] } }];
  return {
    resourceMetrics: [
      {
        resource: { attributes: attributes({ 'service.name': 'retina-trace-backend', ...(context.instanceId === undefined ? {} : { 'service.instance.id': context.instanceId }) }) },
        scopeMetrics: [{ scope: { name: 'retina-trace-backend/ingest' }, metrics: [...metrics, ...gauges] }],
      },
    ],
  };
}

/** Sends metrics requests to an OTLP/HTTP endpoint. Resolves to an error message instead of throwing. */
export type MetricsExporter = (request: Record<string, unknown>) => Promise<string | undefined>;

/**
 * An exporter for `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT` (full URL) or `OTEL_EXPORTER_OTLP_ENDPOINT`
 * (base URL, `/v1/metrics` appended), with `OTEL_EXPORTER_OTLP_HEADERS` (`k=v,k2=v2`); undefined
 * when neither endpoint is set.
 */
export function metricsExporterFromEnv(env: Readonly<Record<string, string | undefined>>, timeoutInMs = 5000): MetricsExporter | undefined {
  const explicit = env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT?.trim();
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const url = explicit !== undefined && explicit !== '' ? explicit : base !== undefined && base !== '' ? `${base.replace(/\/+$/, '')}/v1/metrics` : undefined;
  if (url === undefined) return undefined;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  for (const pair of (env.OTEL_EXPORTER_OTLP_HEADERS ?? '').split(',')) {
    const index = pair.indexOf('=');
    if (index > 0) headers[decodeURIComponent(pair.slice(0, index).trim())] = decodeURIComponent(pair.slice(index + 1).trim());
  }
  return async (request) => {
    try {
      const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(request), signal: AbortSignal.timeout(timeoutInMs) });
      await response.arrayBuffer();
      return response.ok ? undefined : `metrics export to ${url} answered HTTP ${response.status}`;
    } catch (caught) {
      return `metrics export to ${url} failed: ${(caught as Error).message}`;
    }
  };
}
