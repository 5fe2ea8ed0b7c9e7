import type { TraceRecord } from '../../record/traceRecord';
import type { QueryView, ViewRow } from './queryView';
import { groupBy, percentile, topBy } from './viewFunctions';

/** `dns-names`: lookup latency percentiles, failures and unanswered queries per DNS name (`queries/dns-slowest-names.kql`). */
export const dnsNamesView: QueryView = {
  name: 'dns-names',
  kqlFile: 'dns-slowest-names.kql',
  summary:
    'Slowest DNS names: lookup latency percentiles (ms) from L7LatencyNs, failed and unanswered lookups per name',
  columns: ['DnsQuery', 'DnsQueryType', 'Lookups', 'P50Ms', 'P95Ms', 'P99Ms', 'Failed', 'Unanswered'],
  aggregate(records: readonly TraceRecord[]): ViewRow[] {
    const kept = records.filter(
      (r) =>
        r.L7Protocol === 'DNS' &&
        r.DnsQuery !== undefined &&
        r.DnsQuery !== '' &&
        ((r.DnsIsResponse === true && typeof r.L7LatencyNs === 'number') || r.L7Unanswered === true),
    );
    const rows = [...groupBy(kept, (r) => [r.DnsQuery, r.DnsQueryType]).values()].map((group): ViewRow => {
      const responses = group.filter((r) => r.DnsIsResponse === true);
      // Unanswered records have no latency: KQL's percentile() skips their null LatencyMs.
      const latencies = group.flatMap((r) =>
        typeof r.L7LatencyNs === 'number' ? [r.L7LatencyNs / 1e6] : [],
      );
      return {
        DnsQuery: group[0]!.DnsQuery ?? '',
        DnsQueryType: group[0]!.DnsQueryType ?? '',
        Lookups: responses.length,
        P50Ms: percentile(latencies, 50),
        P95Ms: percentile(latencies, 95),
        P99Ms: percentile(latencies, 99),
        Failed: responses.filter((r) => r.DnsResponseCode !== 'NOERROR').length,
        Unanswered: group.filter((r) => r.L7Unanswered === true).length,
      };
    });
    return topBy(rows, 'P95Ms', 50);
  },
};
