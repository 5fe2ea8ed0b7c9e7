import { handshakeLatencyView } from '../../../shared/cli/queryViews/handshakeLatencyView';
import { tcpHealthView } from '../../../shared/cli/queryViews/tcpHealthView';
import type { TraceRecord } from '../../../shared/record/traceRecord';
import { flow, record } from './records';

describe('handshake-latency (tcp-handshake-latency.kql)', () => {
  const to = { DestinationNamespace: 'shop', DestinationServiceName: 'checkout', DestinationIp: '10.0.1.7' };
  const packet = (ms: number, flowId: string, flags: string, extra: Partial<TraceRecord> = {}): TraceRecord =>
    record(ms, { Protocol: 'TCP', FlowId: flowId, TcpFlags: flags, ...to, ...extra });
  it.each<[string, TraceRecord[], object[]]>([
    ['an empty window', [], []],
    ['a SYN never answered', [packet(0, 'f1', 'SYN')], []],
    [
      'packets without SYN, and UDP, are ignored',
      [
        packet(0, 'f1', 'ACK'),
        packet(1, 'f1', 'FIN,ACK'),
        packet(0, 'f2', 'SYN', { Protocol: 'UDP' }),
        packet(2, 'f2', 'SYN,ACK', { Protocol: 'UDP' }),
      ],
      [],
    ],
    [
      'a SYN-ACK before the SYN (other clock) is left out',
      [packet(5, 'f1', 'SYN'), packet(1, 'f1', 'SYN,ACK')],
      [],
    ],
    ['"SYNACK" is not the term SYN', [packet(0, 'f1', 'SYN'), packet(1, 'f1', 'SYNACK')], []],
    [
      'handshakes per server from the SYN side; the first SYN and first SYN-ACK of a flow',
      [
        packet(0, 'f1', 'SYN'),
        packet(2, 'f1', 'SYN,ACK'),
        packet(3, 'f1', 'SYN,ACK'),
        packet(0, 'f2', 'SYN'),
        packet(1000, 'f2', 'SYN'),
        packet(10, 'f2', 'SYN,ACK'),
        packet(0, 'f3', 'SYN', { DestinationServiceName: undefined, DestinationPodName: 'db-0' }),
        packet(1, 'f3', 'SYN,ACK'),
      ],
      [
        { ServerNamespace: 'shop', Server: 'checkout', Handshakes: 2, P50Ms: 2, P95Ms: 10, MaxMs: 10 },
        { Server: 'db-0', Handshakes: 1, P50Ms: 1 },
      ],
    ],
  ])('%s', (_name, records, expected) => {
    const rows = handshakeLatencyView.aggregate(records);
    expect(rows).toHaveLength(expected.length);
    expected.forEach((row, index) => expect(rows[index]).toMatchObject(row));
  });
});

describe('tcp-health (tcp-health-by-service.kql)', () => {
  const conn = (id: string, state: string | undefined, extra: Partial<TraceRecord> = {}): TraceRecord =>
    flow(0, 1000, {
      FlowId: id,
      FlowState: state,
      DestinationNamespace: 'shop',
      DestinationServiceName: 'db',
      DestinationPort: 5432,
      ...extra,
    });
  it.each<[string, TraceRecord[], object[]]>([
    ['an empty window', [], []],
    [
      'records without a state, UDP and packet records are skipped',
      [
        conn('a', undefined),
        conn('b', 'S0', { Protocol: 'UDP' }),
        conn('c', 'REJ', { CaptureLevel: 'AllPackets' }),
      ],
      [],
    ],
    [
      'distinct flows per outcome; interval records of one flow count once; worst service first',
      [
        conn('1', 'SF', { FlowEndReason: 'interval' }),
        conn('1', 'SF'),
        conn('2', 'REJ'),
        conn('3', 'S0'),
        conn('4', 'RSTO'),
        conn('5', 'SF', { DestinationServiceName: 'web', DestinationPort: 80 }),
        conn('6', 'RSTR', { DestinationServiceName: 'api', DestinationPort: 80 }),
      ],
      [
        { Service: 'api', Flows: 1, Reset: 1, FailedPercent: 100 },
        {
          Service: 'db',
          DestinationPort: 5432,
          Flows: 4,
          Refused: 1,
          Unanswered: 1,
          Reset: 1,
          FailedPercent: 75,
        },
        { Service: 'web', Flows: 1, FailedPercent: 0 },
      ],
    ],
  ])('%s', (_name, records, expected) => {
    const rows = tcpHealthView.aggregate(records);
    expect(rows).toHaveLength(expected.length);
    expected.forEach((row, index) => expect(rows[index]).toMatchObject(row));
  });
});
