import type { TraceRecord } from '../../record/traceRecord';
import type { QueryView, ViewRow } from './queryView';
import { coalesce, groupBy, numberOr0, topBy } from './viewFunctions';

/** `top-talkers`: workload pairs by bytes over FlowSummary records (`queries/flow-top-talkers-by-bytes.kql`). */
export const topTalkersView: QueryView = {
  name: 'top-talkers',
  kqlFile: 'flow-top-talkers-by-bytes.kql',
  summary: 'workload pairs exchanging the most bytes (FlowSummary records)',
  columns: [
    'SourceNamespace',
    'Source',
    'DestinationNamespace',
    'Destination',
    'Protocol',
    'DestinationPort',
    'Bytes',
    'BytesSent',
    'BytesReceived',
    'PayloadBytes',
    'Packets',
    'Connections',
  ],
  aggregate(records: readonly TraceRecord[]): ViewRow[] {
    const flows = records
      .filter((r) => r.CaptureLevel === 'FlowSummary')
      .map((r) => ({
        record: r,
        source: coalesce(
          r.SourceWorkload,
          r.SourcePodName,
          r.SourceServiceName,
          r.SourceNodeName,
          r.SourceIp,
        ),
        destination: coalesce(
          r.DestinationWorkload,
          r.DestinationPodName,
          r.DestinationServiceName,
          r.DestinationNodeName,
          r.DestinationIp,
        ),
      }));
    const groups = groupBy(flows, (f) => [
      f.record.SourceNamespace,
      f.source,
      f.record.DestinationNamespace,
      f.destination,
      f.record.Protocol,
      f.record.DestinationPort,
    ]);
    const rows = [...groups.values()].map((group): ViewRow => {
      const first = group[0]!;
      const sum = (pick: (r: TraceRecord) => number | undefined): number =>
        group.reduce((total, f) => total + numberOr0(pick(f.record)), 0);
      const sent = sum((r) => r.BytesFromSource);
      const received = sum((r) => r.BytesFromDestination);
      return {
        SourceNamespace: first.record.SourceNamespace ?? '',
        Source: first.source,
        DestinationNamespace: first.record.DestinationNamespace ?? '',
        Destination: first.destination,
        Protocol: first.record.Protocol ?? '',
        DestinationPort: first.record.DestinationPort ?? null,
        Bytes: sent + received,
        BytesSent: sent,
        BytesReceived: received,
        PayloadBytes: sum((r) => r.PayloadBytesFromSource) + sum((r) => r.PayloadBytesFromDestination),
        Packets: sum((r) => r.PacketsFromSource) + sum((r) => r.PacketsFromDestination),
        Connections: new Set(
          group.map((f) => f.record.CommunityId).filter((id) => id !== undefined && id !== ''),
        ).size,
      };
    });
    return topBy(rows, 'Bytes', 50);
  },
};
