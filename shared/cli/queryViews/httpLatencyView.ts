import type { TraceRecord } from '../../record/traceRecord';
import type { QueryView, ViewRow } from './queryView';
import { coalesce, groupBy, percentile, round, timestampNs, topBy } from './viewFunctions';

/** `http-latency`: p50/p95/p99 from request to response per service and path (`queries/http-latency-percentiles.kql`). */
export const httpLatencyView: QueryView = {
  name: 'http-latency',
  kqlFile: 'http-latency-percentiles.kql',
  summary:
    'HTTP latency percentiles (ms) per service and path: L7LatencyNs, else the request just before the response in its flow',
  columns: ['ServiceNamespace', 'Service', 'Path', 'Requests', 'P50Ms', 'P95Ms', 'P99Ms', 'ErrorRate'],
  aggregate(records: readonly TraceRecord[]): ViewRow[] {
    // As the .kql: sort by FlowId then time; a response pairs with the row just before it when
    // that row is a request of the same flow.
    const messages = records
      .filter((r) => r.L7Protocol === 'HTTP')
      .map((r) => ({ record: r, ns: timestampNs(r) }))
      .filter((m): m is { record: TraceRecord; ns: bigint } => m.ns !== undefined)
      .sort((a, b) => {
        const byFlow = (a.record.FlowId ?? '').localeCompare(b.record.FlowId ?? '');
        return byFlow !== 0 ? byFlow : a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0;
      });
    const answered: { record: TraceRecord; path: string; latencyMs: number }[] = [];
    // Responses carry their request's method and path too: a request is a record without a status.
    const isRequest = (r: TraceRecord) => (r.HttpMethod ?? '') !== '' && r.HttpStatusCode === undefined;
    messages.forEach((message, index) => {
      const response = message.record;
      if (typeof response.HttpStatusCode !== 'number') return;
      const previous = messages[index - 1];
      const paired =
        previous !== undefined && previous.record.FlowId === response.FlowId && isRequest(previous.record)
          ? previous
          : undefined;
      // The backend's own pairing (same trace point) wins; else the request just before it in the flow.
      const latencyMs =
        typeof response.L7LatencyNs === 'number'
          ? response.L7LatencyNs / 1e6
          : paired !== undefined
            ? Number(message.ns - paired.ns) / 1e6
            : undefined;
      if (latencyMs === undefined) return;
      const path = response.HttpPath ?? paired?.record.HttpPath ?? '';
      answered.push({ record: response, path: path.split('?')[0] as string, latencyMs });
    });
    const groups = groupBy(answered, (a) => [
      a.record.SourceNamespace,
      coalesce(
        a.record.SourceServiceName,
        a.record.SourceWorkload,
        a.record.SourcePodName,
        a.record.SourceIp,
      ),
      a.path,
    ]);
    const rows = [...groups.values()].map((group): ViewRow => {
      const first = group[0]!;
      const latencies = group.map((a) => a.latencyMs);
      const serverErrors = group.filter((a) => (a.record.HttpStatusCode as number) >= 500).length;
      return {
        ServiceNamespace: first.record.SourceNamespace ?? '',
        Service: coalesce(
          first.record.SourceServiceName,
          first.record.SourceWorkload,
          first.record.SourcePodName,
          first.record.SourceIp,
        ),
        Path: first.path,
        Requests: group.length,
        P50Ms: percentile(latencies, 50),
        P95Ms: percentile(latencies, 95),
        P99Ms: percentile(latencies, 99),
        ErrorRate: round((100 * serverErrors) / group.length, 2),
      };
    });
    return topBy(rows, 'P95Ms', 100);
  },
};
