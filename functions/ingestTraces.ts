import type { InvocationContext } from '@azure/functions';
import { ingestEvents, type IngestDependencies, type IngestSummary } from '../shared/pipeline/ingestEvents';
import { appServices } from './services';
import { functionTimeoutMs } from './functionTimeout';
import { invocationBudget } from '../shared/pipeline/invocationBudget';
import {
  ingestMetricsRequest,
  metricsExporterFromEnv,
  type MetricsExporter,
} from '../shared/telemetry/ingestMetrics';

/** The structured line logged once per invocation (queried in docs/operations.md). */
export function ingestLogLine(summary: IngestSummary, elapsedMs: number): Record<string, unknown> {
  const {
    problems,
    deliveries,
    deadLetterBlobs = [],
    byConfiguration: _byConfiguration,
    ...counts
  } = summary;
  return {
    event: 'ingestTraces',
    elapsedMs,
    ...counts,
    // Every blob this invocation dead-lettered to, so an operator can go from the log line to it.
    deadLetterBlobs: [
      ...deadLetterBlobs,
      ...deliveries.flatMap(
        (d) => d.deadLetterBlobs ?? (d.deadLetterBlob === undefined ? [] : [d.deadLetterBlob]),
      ),
    ],
    problems: problems.slice(0, 10),
  };
}

/** Options of {@link createIngestTracesHandler}. */
export interface IngestTracesHandlerOptions {
  /**
   * The host's `functionTimeout` in ms; every invocation's send deadline, attempt timeouts and
   * circuit breaker timing derive from it (see invocationBudget.ts). Default: the app setting
   * `AzureFunctionsJobHost__functionTimeout`, else host.json.
   */
  functionTimeoutMs?: number;
}

/** Builds the Event Hubs trigger handler over the given dependencies. */
export function createIngestTracesHandler(
  dependencies: () => IngestDependencies,
  metrics?: () => MetricsExporter | undefined,
  options: IngestTracesHandlerOptions = {},
) {
  const timeoutMs = options.functionTimeoutMs ?? functionTimeoutMs(process.env);
  return async (messages: unknown, context: InvocationContext): Promise<IngestSummary> => {
    const started = Date.now();
    const deps = dependencies();
    const budget = invocationBudget(timeoutMs, started);
    const summary = await ingestEvents(messages, context.triggerMetadata, {
      ...deps,
      // Settings the app passes win over the derived ones, except the deadline: the host's clock rules.
      deliverOptions: {
        ...budget.deliverOptions,
        ...deps.deliverOptions,
        deadlineMs: budget.deliverOptions.deadlineMs,
      },
      circuitBreaker: deps.circuitBreaker ?? budget.circuitBreaker,
    });
    const ended = Date.now();
    const line = JSON.stringify(ingestLogLine(summary, ended - started));
    if (
      summary.deadLettered > 0 ||
      summary.rejectedEvents > 0 ||
      (summary.unreadableEvents ?? 0) > 0 ||
      (summary.retainedDeadLettered ?? 0) > 0
    )
      context.warn(line);
    else context.log(line);
    if (deps.counters !== undefined && summary.byConfiguration !== undefined) {
      // Counters are best effort: a table outage must never fail or retry the batch.
      const failure = await deps.counters.add(summary.byConfiguration, ended);
      if (failure !== undefined) context.warn(failure);
    }
    const exporter = metrics?.();
    if (exporter !== undefined) {
      const partitionId = (context.triggerMetadata?.partitionContext as { partitionId?: unknown } | undefined)
        ?.partitionId;
      const failure = await exporter(
        ingestMetricsRequest(summary, {
          startedAtMs: started,
          endedAtMs: ended,
          ...(typeof partitionId === 'string' ? { partitionId } : {}),
        }),
      );
      // Metrics are best effort: a collector outage must never fail or retry the batch.
      if (failure !== undefined) context.warn(failure);
    }
    return summary;
  };
}

let exporter: MetricsExporter | undefined | null = null;

/** Event Hubs trigger (cardinality many, binary): trace batches and identity snapshots. */
export const ingestTraces = createIngestTracesHandler(
  () => appServices().ingest,
  () => (exporter === null ? (exporter = metricsExporterFromEnv(process.env)) : exporter),
);
