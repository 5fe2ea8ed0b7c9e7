import type { TraceRecord } from '../../record/traceRecord';
import type { QueryView, ViewRow } from './queryView';
import { coalesce, groupBy, percentile, topBy } from './viewFunctions';

/** `handshake-rtt-by-node`: TCP handshake RTT percentiles per node pair (`queries/tcp-handshake-rtt-by-node-pair.kql`). */
export const handshakeRttByNodeView: QueryView = {
  name: 'handshake-rtt-by-node',
  kqlFile: 'tcp-handshake-rtt-by-node-pair.kql',
  summary:
    'TCP handshake RTT (SYN to SYN-ACK to ACK) percentiles (ms) per source and destination node (FlowSummary records)',
  columns: ['SourceNode', 'DestinationNode', 'Handshakes', 'P50Ms', 'P95Ms', 'P99Ms', 'MaxMs'],
  aggregate(records: readonly TraceRecord[]): ViewRow[] {
    const measured = records
      .filter(
        (r) =>
          r.CaptureLevel === 'FlowSummary' && r.Protocol === 'TCP' && typeof r.TcpHandshakeRttNs === 'number',
      )
      .map((r) => ({
        record: r,
        sourceNode: coalesce(r.SourceNodeName, '(external)'),
        destinationNode: coalesce(r.DestinationNodeName, '(external)'),
      }));
    // One handshake per flow and observation point: its interval records repeat the value.
    const handshakes = [
      ...groupBy(measured, (m) => [
        m.record.FlowId,
        m.record.NodeName,
        m.record.TracePoint,
        m.sourceNode,
        m.destinationNode,
      ]).values(),
    ].map((group) => ({ ...group[0]!, ms: group[0]!.record.TcpHandshakeRttNs! / 1e6 }));
    const rows = [...groupBy(handshakes, (h) => [h.sourceNode, h.destinationNode]).values()].map(
      (group): ViewRow => {
        const times = group.map((h) => h.ms);
        return {
          SourceNode: group[0]!.sourceNode,
          DestinationNode: group[0]!.destinationNode,
          Handshakes: group.length,
          P50Ms: percentile(times, 50),
          P95Ms: percentile(times, 95),
          P99Ms: percentile(times, 99),
          MaxMs: Math.max(...times),
        };
      },
    );
    return topBy(rows, 'P95Ms', 50);
  },
};
