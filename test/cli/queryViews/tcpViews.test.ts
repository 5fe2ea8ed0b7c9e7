import { handshakeLatencyView } from '../../../shared/cli/queryViews/handshakeLatencyView';
import { tcpHealthView } from '../../../shared/cli/queryViews/tcpHealthView';
import { retransmissionRateView } from '../../../shared/cli/queryViews/retransmissionRateView';
import { handshakeRttByNodeView } from '../../../shared/cli/queryViews/handshakeRttByNodeView';
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
    [
      'retransmissions and zero windows of both sides, summed over the records',
      [
        conn('1', 'SF', { TcpRetransmissionsFromSource: 2, TcpRetransmissionsFromDestination: 1 }),
        conn('2', 'SF', { TcpZeroWindowsFromSource: 0, TcpZeroWindowsFromDestination: 4 }),
      ],
      [{ Service: 'db', Flows: 2, Retransmissions: 3, ZeroWindows: 4 }],
    ],
  ])('%s', (_name, records, expected) => {
    const rows = tcpHealthView.aggregate(records);
    expect(rows).toHaveLength(expected.length);
    expected.forEach((row, index) => expect(rows[index]).toMatchObject(row));
  });
});

describe('tcp-retransmissions (tcp-retransmission-rate-by-service.kql)', () => {
  const conn = (id: string, extra: Partial<TraceRecord> = {}): TraceRecord =>
    flow(0, 1000, {
      FlowId: id,
      DestinationNamespace: 'shop',
      DestinationServiceName: 'db',
      DestinationPort: 5432,
      PacketsFromSource: 60,
      PacketsFromDestination: 40,
      TcpRetransmissionsFromSource: 0,
      TcpRetransmissionsFromDestination: 0,
      TcpZeroWindowsFromSource: 0,
      TcpZeroWindowsFromDestination: 0,
      TcpDuplicateAcksFromSource: 0,
      TcpDuplicateAcksFromDestination: 0,
      ...extra,
    });
  it.each<[string, TraceRecord[], object[]]>([
    ['an empty window', [], []],
    [
      'UDP, packet records and flows without packets are left out',
      [
        conn('a', { Protocol: 'UDP' }),
        conn('b', { CaptureLevel: 'AllPackets' }),
        conn('c', { PacketsFromSource: 0, PacketsFromDestination: 0 }),
      ],
      [],
    ],
    [
      'retransmissions per packet, by side; worst service first',
      [
        conn('1', {
          TcpRetransmissionsFromSource: 3,
          TcpRetransmissionsFromDestination: 1,
          TcpDuplicateAcksFromDestination: 5,
        }),
        conn('1', { FlowEndReason: 'interval', TcpZeroWindowsFromDestination: 2 }),
        conn('2', {
          DestinationServiceName: 'web',
          DestinationPort: 80,
          TcpRetransmissionsFromDestination: 10,
        }),
      ],
      [
        {
          Service: 'web',
          Flows: 1,
          Packets: 100,
          Retransmissions: 10,
          ByClients: 0,
          ByService: 10,
          RetransmissionPercent: 10,
        },
        {
          Service: 'db',
          Flows: 1,
          Packets: 200,
          Retransmissions: 4,
          ByClients: 3,
          ByService: 1,
          ZeroWindows: 2,
          DuplicateAcks: 5,
          RetransmissionPercent: 2,
        },
      ],
    ],
    [
      'records written before the TCP health columns add nothing to the sums (KQL: null)',
      [conn('1', { TcpRetransmissionsFromSource: undefined, TcpRetransmissionsFromDestination: 2 })],
      [{ Packets: 100, Retransmissions: 0, ByService: 2, RetransmissionPercent: 0 }],
    ],
  ])('%s', (_name, records, expected) => {
    const rows = retransmissionRateView.aggregate(records);
    expect(rows).toHaveLength(expected.length);
    expected.forEach((row, index) => expect(rows[index]).toMatchObject(row));
  });
});

describe('handshake-rtt-by-node (tcp-handshake-rtt-by-node-pair.kql)', () => {
  const conn = (id: string, rttMs: number | undefined, extra: Partial<TraceRecord> = {}): TraceRecord =>
    flow(0, 1000, {
      FlowId: id,
      NodeName: 'node-a',
      TracePoint: 'PodToNode',
      SourceNodeName: 'node-a',
      DestinationNodeName: 'node-b',
      TcpHandshakeRttNs: rttMs === undefined ? undefined : rttMs * 1e6,
      ...extra,
    });
  it.each<[string, TraceRecord[], object[]]>([
    ['an empty window', [], []],
    [
      'flows without a handshake, and UDP, are left out',
      [conn('1', undefined), conn('2', 1, { Protocol: 'UDP' })],
      [],
    ],
    [
      'percentiles per node pair; a flow counts once per observation point; outside the cluster is (external)',
      [
        conn('1', 1),
        conn('1', 1, { FlowEndReason: 'interval' }),
        conn('1', 1.5, { NodeName: 'node-b', TracePoint: 'NodeToPod' }),
        conn('2', 3),
        conn('3', 40, { DestinationNodeName: undefined }),
      ],
      [
        { SourceNode: 'node-a', DestinationNode: '(external)', Handshakes: 1, P50Ms: 40, MaxMs: 40 },
        {
          SourceNode: 'node-a',
          DestinationNode: 'node-b',
          Handshakes: 3,
          P50Ms: 1.5,
          P95Ms: 3,
          P99Ms: 3,
          MaxMs: 3,
        },
      ],
    ],
  ])('%s', (_name, records, expected) => {
    const rows = handshakeRttByNodeView.aggregate(records);
    expect(rows).toHaveLength(expected.length);
    expected.forEach((row, index) => expect(rows[index]).toMatchObject(row));
  });
});
