import type { TraceRecord } from '../../record/traceRecord';
import type { QueryView, ViewRow } from './queryView';
import { coalesce, groupBy, percentile, round, timestampNs, topBy } from './viewFunctions';

/** `http-latency`: p50/p95/p99 from request to response per service and path (`queries/http-latency-percentiles.kql`). */
export const httpLatencyView: QueryView = {
  name: 'http-latency',
  kqlFile: 'http-latency-percentiles.kql',
  summary:
    'HTTP latency percentiles (ms) per service and path, pairing each response with the request before it in its flow',
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
    messages.forEach((message, index) => {
      const previous = messages[index - 1];
      if (typeof message.record.HttpStatusCode !== 'number' || previous === undefined) return;
      if (previous.record.FlowId !== message.record.FlowId || (previous.record.HttpMethod ?? '') === '')
        return;
      answered.push({
        record: message.record,
        path: (previous.record.HttpPath ?? '').split('?')[0] as string,
        latencyMs: Number(message.ns - previous.ns) / 1e6,
      });
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
