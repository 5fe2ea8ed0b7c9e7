import type { TraceRecord } from '../../record/traceRecord';
import type { QueryView, ViewRow } from './queryView';
import { groupBy, percentile, timestampNs, topBy } from './viewFunctions';

/** `dns-latency`: p50/p95/p99 lookup time per client namespace and resolver (`queries/dns-latency.kql`). */
export const dnsLatencyView: QueryView = {
  name: 'dns-latency',
  kqlFile: 'dns-latency.kql',
  summary:
    'DNS lookup latency percentiles (ms) per client namespace and resolver, pairing queries and responses by flow and id',
  columns: ['ClientNamespace', 'Resolver', 'Lookups', 'P50Ms', 'P95Ms', 'P99Ms', 'MaxMs'],
  aggregate(records: readonly TraceRecord[]): ViewRow[] {
    const messages = records.filter((r) => r.L7Protocol === 'DNS' && typeof r.DnsId === 'number');
    const lookups: { clientNamespace: string; resolver: string; latencyMs: number }[] = [];
    for (const transaction of groupBy(messages, (r) => [r.FlowId, r.DnsId, r.DnsQuery]).values()) {
      const earliest = (isResponse: boolean): { record: TraceRecord; ns: bigint } | undefined => {
        let best: { record: TraceRecord; ns: bigint } | undefined;
        for (const record of transaction) {
          const ns = timestampNs(record);
          if (record.DnsIsResponse !== isResponse || ns === undefined) continue;
          if (best === undefined || ns < best.ns) best = { record, ns };
        }
        return best;
      };
      const query = earliest(false);
      const response = earliest(true);
      if (query === undefined || response === undefined || response.ns < query.ns) continue;
      lookups.push({
        clientNamespace: query.record.SourceNamespace ?? '',
        resolver: query.record.DestinationIp ?? '',
        latencyMs: Number(response.ns - query.ns) / 1e6,
      });
    }
    const rows = [...groupBy(lookups, (l) => [l.clientNamespace, l.resolver]).values()].map(
      (group): ViewRow => {
        const latencies = group.map((l) => l.latencyMs);
        return {
          ClientNamespace: group[0]!.clientNamespace,
          Resolver: group[0]!.resolver,
          Lookups: group.length,
          P50Ms: percentile(latencies, 50),
          P95Ms: percentile(latencies, 95),
          P99Ms: percentile(latencies, 99),
          MaxMs: Math.max(...latencies),
        };
      },
    );
    return topBy(rows, 'P95Ms', 50);
  },
};
