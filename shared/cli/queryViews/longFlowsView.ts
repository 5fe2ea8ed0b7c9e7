import type { TraceRecord } from '../../record/traceRecord';
import type { QueryView, ViewRow } from './queryView';
import { groupBy, numberOr0, timeMs, topBy } from './viewFunctions';

/** Flows shorter than this are left out, as in the `.kql` (`Duration > 5m`). */
const MINIMUM_DURATION_MS = 5 * 60_000;

/** `long-flows`: connections open longest across their interval records (`queries/flow-long-lived.kql`). */
export const longFlowsView: QueryView = {
  name: 'long-flows',
  kqlFile: 'flow-long-lived.kql',
  summary: 'connections open longer than 5 minutes, longest first; Duration in seconds (FlowSummary records)',
  columns: [
    'CommunityId',
    'NodeName',
    'TracePoint',
    'Protocol',
    'SourceNamespace',
    'SourcePodName',
    'SourceIp',
    'DestinationNamespace',
    'DestinationServiceName',
    'DestinationIp',
    'DestinationPort',
    'Started',
    'LastSeen',
    'Intervals',
    'Bytes',
    'Packets',
    'EndReason',
    'State',
    'Duration',
    'StillOpen',
  ],
  aggregate(records: readonly TraceRecord[]): ViewRow[] {
    const flows = records.filter(
      (r) =>
        r.CaptureLevel === 'FlowSummary' &&
        timeMs(r.FlowStart) !== undefined &&
        timeMs(r.FlowEnd) !== undefined,
    );
    const groups = groupBy(flows, (r) => [
      r.CommunityId,
      r.NodeName,
      r.TracePoint,
      r.Protocol,
      r.SourceNamespace,
      r.SourcePodName,
      r.SourceIp,
      r.DestinationNamespace,
      r.DestinationServiceName,
      r.DestinationIp,
      r.DestinationPort,
    ]);
    const rows: ViewRow[] = [];
    for (const group of groups.values()) {
      const first = group[0]!;
      const started = group.reduce(
        (min, r) => (timeMs(r.FlowStart)! < timeMs(min)! ? r.FlowStart! : min),
        first.FlowStart!,
      );
      const lastSeen = group.reduce(
        (max, r) => (timeMs(r.FlowEnd)! > timeMs(max)! ? r.FlowEnd! : max),
        first.FlowEnd!,
      );
      const durationMs = timeMs(lastSeen)! - timeMs(started)!;
      if (durationMs <= MINIMUM_DURATION_MS) continue;
      const ending = group.find((r) => r.FlowEndReason !== undefined && r.FlowEndReason !== 'interval');
      rows.push({
        CommunityId: first.CommunityId ?? '',
        NodeName: first.NodeName ?? '',
        TracePoint: first.TracePoint ?? '',
        Protocol: first.Protocol ?? '',
        SourceNamespace: first.SourceNamespace ?? '',
        SourcePodName: first.SourcePodName ?? '',
        SourceIp: first.SourceIp ?? '',
        DestinationNamespace: first.DestinationNamespace ?? '',
        DestinationServiceName: first.DestinationServiceName ?? '',
        DestinationIp: first.DestinationIp ?? '',
        DestinationPort: first.DestinationPort ?? null,
        Started: started,
        LastSeen: lastSeen,
        Intervals: group.length,
        Bytes: group.reduce(
          (t, r) => t + numberOr0(r.BytesFromSource) + numberOr0(r.BytesFromDestination),
          0,
        ),
        Packets: group.reduce(
          (t, r) => t + numberOr0(r.PacketsFromSource) + numberOr0(r.PacketsFromDestination),
          0,
        ),
        EndReason: ending?.FlowEndReason ?? '',
        State: ending?.FlowState ?? '',
        Duration: durationMs / 1000,
        StillOpen: ending === undefined,
      });
    }
    return topBy(rows, 'Duration', 50);
  },
};
