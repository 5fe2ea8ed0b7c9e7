import type { TraceRecord } from '../../record/traceRecord';
import type { QueryView, ViewRow } from './queryView';
import { coalesce, groupBy, numberOr0, round, topBy } from './viewFunctions';

/** KQL `sum(a + b)`: a record adds only when both columns are there (`a + b` is null otherwise). */
export function sumOfPairs(
  records: readonly TraceRecord[],
  a: (r: TraceRecord) => number | undefined,
  b: (r: TraceRecord) => number | undefined,
): number {
  let total = 0;
  for (const r of records) {
    const x = a(r);
    const y = b(r);
    if (typeof x === 'number' && typeof y === 'number') total += x + y;
  }
  return total;
}

/** `tcp-retransmissions`: share of retransmitted TCP segments per destination service (`queries/tcp-retransmission-rate-by-service.kql`). */
export const retransmissionRateView: QueryView = {
  name: 'tcp-retransmissions',
  kqlFile: 'tcp-retransmission-rate-by-service.kql',
  summary: 'TCP retransmissions per packet (%) per destination service, worst first (FlowSummary records)',
  columns: [
    'DestinationNamespace',
    'Service',
    'DestinationPort',
    'Flows',
    'Packets',
    'Retransmissions',
    'ByClients',
    'ByService',
    'ZeroWindows',
    'DuplicateAcks',
    'RetransmissionPercent',
  ],
  aggregate(records: readonly TraceRecord[]): ViewRow[] {
    const flows = records.filter((r) => r.CaptureLevel === 'FlowSummary' && r.Protocol === 'TCP');
    const service = (r: TraceRecord): string =>
      coalesce(r.DestinationServiceName, r.DestinationWorkload, r.DestinationPodName, r.DestinationIp);
    const rows: ViewRow[] = [];
    for (const group of groupBy(flows, (r) => [
      r.DestinationNamespace,
      service(r),
      r.DestinationPort,
    ]).values()) {
      const packets = sumOfPairs(
        group,
        (r) => r.PacketsFromSource,
        (r) => r.PacketsFromDestination,
      );
      if (packets <= 0) continue;
      const retransmissions = sumOfPairs(
        group,
        (r) => r.TcpRetransmissionsFromSource,
        (r) => r.TcpRetransmissionsFromDestination,
      );
      const first = group[0]!;
      rows.push({
        DestinationNamespace: first.DestinationNamespace ?? '',
        Service: service(first),
        DestinationPort: first.DestinationPort ?? null,
        Flows: new Set(group.map((r) => r.FlowId).filter((id) => id !== undefined && id !== '')).size,
        Packets: packets,
        Retransmissions: retransmissions,
        ByClients: group.reduce((n, r) => n + numberOr0(r.TcpRetransmissionsFromSource), 0),
        ByService: group.reduce((n, r) => n + numberOr0(r.TcpRetransmissionsFromDestination), 0),
        ZeroWindows: sumOfPairs(
          group,
          (r) => r.TcpZeroWindowsFromSource,
          (r) => r.TcpZeroWindowsFromDestination,
        ),
        DuplicateAcks: sumOfPairs(
          group,
          (r) => r.TcpDuplicateAcksFromSource,
          (r) => r.TcpDuplicateAcksFromDestination,
        ),
        RetransmissionPercent: round((100 * retransmissions) / packets, 2),
      });
    }
    return topBy(rows, 'RetransmissionPercent', 50);
  },
};
