import type { TraceRecord } from '../../record/traceRecord';
import type { QueryView, ViewRow } from './queryView';
import { coalesce, groupBy, percentile, timestampNs, topBy } from './viewFunctions';

/** KQL `has`: `flags` contains `term` as a whole term ("SYN,ACK" has "ACK"). */
function has(flags: string | undefined, term: string): boolean {
  return (flags ?? '').split(/[^A-Za-z0-9]+/).includes(term);
}

/** `handshake-latency`: SYN to SYN-ACK time per destination service (`queries/tcp-handshake-latency.kql`). */
export const handshakeLatencyView: QueryView = {
  name: 'handshake-latency',
  kqlFile: 'tcp-handshake-latency.kql',
  summary: 'TCP handshake (SYN to SYN-ACK) percentiles (ms) per destination service, pairing by FlowId',
  columns: ['ServerNamespace', 'Server', 'Handshakes', 'P50Ms', 'P95Ms', 'MaxMs'],
  aggregate(records: readonly TraceRecord[]): ViewRow[] {
    const synPackets = records.filter((r) => r.Protocol === 'TCP' && has(r.TcpFlags, 'SYN'));
    const handshakes: { namespace: string; server: string; ms: number }[] = [];
    for (const flow of groupBy(synPackets, (r) => [r.FlowId]).values()) {
      let syn: { record: TraceRecord; ns: bigint } | undefined;
      let synAck: bigint | undefined;
      for (const record of flow) {
        const ns = timestampNs(record);
        if (ns === undefined) continue;
        if (!has(record.TcpFlags, 'ACK')) {
          if (syn === undefined || ns < syn.ns) syn = { record, ns };
        } else if (synAck === undefined || ns < synAck) synAck = ns;
      }
      if (syn === undefined || synAck === undefined || synAck < syn.ns) continue;
      const r = syn.record;
      handshakes.push({
        namespace: r.DestinationNamespace ?? '',
        server: coalesce(
          r.DestinationServiceName,
          r.DestinationWorkload,
          r.DestinationPodName,
          r.DestinationIp,
        ),
        ms: Number(synAck - syn.ns) / 1e6,
      });
    }
    const rows = [...groupBy(handshakes, (h) => [h.namespace, h.server]).values()].map((group): ViewRow => {
      const times = group.map((h) => h.ms);
      return {
        ServerNamespace: group[0]!.namespace,
        Server: group[0]!.server,
        Handshakes: group.length,
        P50Ms: percentile(times, 50),
        P95Ms: percentile(times, 95),
        MaxMs: Math.max(...times),
      };
    });
    return topBy(rows, 'P95Ms', 50);
  },
};
