import type { TraceRecord } from '../../record/traceRecord';
import type { QueryView, ViewRow } from './queryView';
import { coalesce, groupBy, round } from './viewFunctions';
import { sumOfPairs } from './retransmissionRateView';

const REFUSED = ['REJ'];
const UNANSWERED = ['S0', 'SH', 'SHR'];
const RESET = ['RSTO', 'RSTR', 'RSTOS0', 'RSTRH'];

/**
 * `tcp-health`: share of refused, unanswered and reset connections per service, with their
 * retransmissions and zero windows (`queries/tcp-health-by-service.kql`).
 */
export const tcpHealthView: QueryView = {
  name: 'tcp-health',
  kqlFile: 'tcp-health-by-service.kql',
  summary:
    'share of TCP connections refused, unanswered or reset, and their retransmissions and zero windows, per destination service (FlowSummary records)',
  columns: [
    'DestinationNamespace',
    'Service',
    'DestinationPort',
    'Flows',
    'Refused',
    'Unanswered',
    'Reset',
    'Retransmissions',
    'ZeroWindows',
    'FailedPercent',
  ],
  aggregate(records: readonly TraceRecord[]): ViewRow[] {
    const flows = records
      .filter((r) => r.CaptureLevel === 'FlowSummary' && r.Protocol === 'TCP' && (r.FlowState ?? '') !== '')
      .map((r) => ({
        record: r,
        service: coalesce(
          r.DestinationServiceName,
          r.DestinationWorkload,
          r.DestinationPodName,
          r.DestinationIp,
        ),
      }));
    const rows = [
      ...groupBy(flows, (f) => [f.record.DestinationNamespace, f.service, f.record.DestinationPort]).values(),
    ].map((group): ViewRow => {
      // dcount(FlowId) / dcountif: a flow's interval records count once.
      const distinct = (states?: readonly string[]): number =>
        new Set(
          group
            .filter((f) => states === undefined || states.includes(f.record.FlowState as string))
            .map((f) => f.record.FlowId)
            .filter((id) => id !== undefined && id !== ''),
        ).size;
      const total = distinct();
      const refused = distinct(REFUSED);
      const unanswered = distinct(UNANSWERED);
      const reset = distinct(RESET);
      const first = group[0]!;
      return {
        DestinationNamespace: first.record.DestinationNamespace ?? '',
        Service: first.service,
        DestinationPort: first.record.DestinationPort ?? null,
        Flows: total,
        Refused: refused,
        Unanswered: unanswered,
        Reset: reset,
        Retransmissions: sumOfPairs(
          group.map((f) => f.record),
          (r) => r.TcpRetransmissionsFromSource,
          (r) => r.TcpRetransmissionsFromDestination,
        ),
        ZeroWindows: sumOfPairs(
          group.map((f) => f.record),
          (r) => r.TcpZeroWindowsFromSource,
          (r) => r.TcpZeroWindowsFromDestination,
        ),
        FailedPercent: total === 0 ? null : round((100 * (refused + unanswered + reset)) / total, 1),
      };
    });
    const failed = (row: ViewRow): number => (typeof row.FailedPercent === 'number' ? row.FailedPercent : -1);
    return rows.sort((a, b) => failed(b) - failed(a) || (b.Flows as number) - (a.Flows as number));
  },
};
