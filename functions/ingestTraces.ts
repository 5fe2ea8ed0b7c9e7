import type { InvocationContext } from '@azure/functions';
import { ingestEvents, type IngestDependencies, type IngestSummary } from '../shared/pipeline/ingestEvents';
import { appServices } from './services';

/** The structured line logged once per invocation (queried in docs/operations.md). */
export function ingestLogLine(summary: IngestSummary, elapsedMs: number): Record<string, unknown> {
  const { problems, deliveries, ...counts } = summary;
  return {
    event: 'ingestTraces',
    elapsedMs,
    ...counts,
    deadLetterBlobs: deliveries.flatMap((d) => (d.deadLetterBlob === undefined ? [] : [d.deadLetterBlob])),
    problems: problems.slice(0, 10),
  };
}

/** Builds the Event Hubs trigger handler over the given dependencies. */
export function createIngestTracesHandler(dependencies: () => IngestDependencies) {
  return async (messages: unknown, context: InvocationContext): Promise<IngestSummary> => {
    const started = Date.now();
    const summary = await ingestEvents(messages, context.triggerMetadata, dependencies());
    const line = JSON.stringify(ingestLogLine(summary, Date.now() - started));
    if (summary.deadLettered > 0 || summary.rejectedEvents > 0) context.warn(line);
    else context.log(line);
    return summary;
  };
}

/** Event Hubs trigger (cardinality many, binary): trace batches and identity snapshots. */
export const ingestTraces = createIngestTracesHandler(() => appServices().ingest);
