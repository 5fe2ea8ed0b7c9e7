import type { TraceRecord } from '../../record/traceRecord';
import type { QueryView, ViewRow } from './queryView';
import { groupBy, timeMs, topBy } from './viewFunctions';

const REJECTED = ['REJ'];
const HALF_OPEN = ['S0', 'SH', 'RSTOS0'];
const UNSOLICITED = ['RSTRH', 'SHR'];
const FAILED_STATES = new Set([...REJECTED, ...HALF_OPEN, ...UNSOLICITED]);

/** `rejected-flows`: TCP services refusing or half-opening connections (`queries/flow-rejected-and-half-open.kql`). */
export const rejectedFlowsView: QueryView = {
  name: 'rejected-flows',
  kqlFile: 'flow-rejected-and-half-open.kql',
  summary: 'TCP services that refuse connections or leave them half-open (FlowSummary records)',
  columns: [
    'DestinationNamespace',
    'DestinationServiceName',
    'DestinationPodName',
    'DestinationIp',
    'DestinationPort',
    'Rejected',
    'HalfOpen',
    'Unsolicited',
    'Clients',
    'ClientPods',
    'LastSeen',
    'Failed',
  ],
  aggregate(records: readonly TraceRecord[]): ViewRow[] {
    const failed = records.filter(
      (r) =>
        r.CaptureLevel === 'FlowSummary' &&
        r.Protocol === 'TCP' &&
        r.FlowEndReason !== 'interval' &&
        FAILED_STATES.has(r.FlowState ?? ''),
    );
    const groups = groupBy(failed, (r) => [
      r.DestinationNamespace,
      r.DestinationServiceName,
      r.DestinationPodName,
      r.DestinationIp,
      r.DestinationPort,
    ]);
    const rows = [...groups.values()].map((group): ViewRow => {
      const first = group[0]!;
      const count = (states: readonly string[]): number =>
        group.filter((r) => states.includes(r.FlowState ?? '')).length;
      const rejected = count(REJECTED);
      const halfOpen = count(HALF_OPEN);
      const lastSeen = group
        .map((r) => r.FlowEnd)
        .filter((t): t is string => timeMs(t) !== undefined)
        .sort((a, b) => timeMs(a)! - timeMs(b)!)
        .pop();
      return {
        DestinationNamespace: first.DestinationNamespace ?? '',
        DestinationServiceName: first.DestinationServiceName ?? '',
        DestinationPodName: first.DestinationPodName ?? '',
        DestinationIp: first.DestinationIp ?? '',
        DestinationPort: first.DestinationPort ?? null,
        Rejected: rejected,
        HalfOpen: halfOpen,
        Unsolicited: count(UNSOLICITED),
        Clients: new Set(group.map((r) => r.SourceIp).filter((ip) => ip !== undefined)).size,
        ClientPods: [
          ...new Set(group.map((r) => `${r.SourceNamespace ?? ''}/${r.SourcePodName ?? ''}`)),
        ].slice(0, 10),
        LastSeen: lastSeen ?? null,
        Failed: rejected + halfOpen,
      };
    });
    return topBy(rows, 'Failed', 50);
  },
};
