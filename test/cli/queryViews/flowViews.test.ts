import { longFlowsView } from '../../../shared/cli/queryViews/longFlowsView';
import { rejectedFlowsView } from '../../../shared/cli/queryViews/rejectedFlowsView';
import { topTalkersView } from '../../../shared/cli/queryViews/topTalkersView';
import type { TraceRecord } from '../../../shared/record/traceRecord';
import { flow, record } from './records';

const web = {
  SourceNamespace: 'shop',
  SourceWorkload: 'frontend',
  SourcePodName: 'frontend-1',
  SourceIp: '10.0.0.1',
};
const db = {
  DestinationNamespace: 'shop',
  DestinationServiceName: 'db',
  DestinationIp: '10.0.1.5',
  DestinationPort: 5432,
};
const MIN = 60_000;

describe('top-talkers (flow-top-talkers-by-bytes.kql)', () => {
  it.each<[string, TraceRecord[], object[]]>([
    ['an empty window', [], []],
    [
      'packet records only (not FlowSummary)',
      [record(0, { ...web, ...db, CaptureLevel: 'AllPackets', PacketBytes: 1500 })],
      [],
    ],
    [
      'two intervals of one flow and another flow to the same destination add up; connections counted by CommunityId',
      [
        flow(0, MIN, {
          ...web,
          ...db,
          CommunityId: 'c1',
          FlowEndReason: 'interval',
          BytesFromSource: 100,
          BytesFromDestination: 900,
          PacketsFromSource: 2,
          PacketsFromDestination: 3,
          PayloadBytesFromSource: 40,
          PayloadBytesFromDestination: 800,
        }),
        flow(MIN, 2 * MIN, {
          ...web,
          ...db,
          CommunityId: 'c1',
          BytesFromSource: 10,
          BytesFromDestination: 90,
          PacketsFromSource: 1,
          PacketsFromDestination: 1,
        }),
        flow(0, 1000, { ...web, ...db, CommunityId: 'c2', BytesFromSource: 5 }),
        flow(0, 1000, {
          SourceIp: '10.9.9.9',
          DestinationIp: '1.1.1.1',
          Protocol: 'UDP',
          DestinationPort: 53,
          BytesFromSource: 60,
          BytesFromDestination: 120,
        }),
      ],
      [
        {
          Source: 'frontend',
          Destination: 'db',
          DestinationPort: 5432,
          Bytes: 1105,
          BytesSent: 115,
          BytesReceived: 990,
          PayloadBytes: 840,
          Packets: 7,
          Connections: 2,
        },
        {
          SourceNamespace: '',
          Source: '10.9.9.9',
          Destination: '1.1.1.1',
          Protocol: 'UDP',
          Bytes: 180,
          Connections: 0,
        },
      ],
    ],
    [
      'a flow record lacking byte counts counts as zero bytes',
      [flow(0, 1000, { ...web, ...db })],
      [{ Bytes: 0, Packets: 0 }],
    ],
  ])('%s', (_name, records, expected) => {
    const rows = topTalkersView.aggregate(records);
    expect(rows).toHaveLength(expected.length);
    expected.forEach((row, index) => expect(rows[index]).toMatchObject(row));
  });
});

describe('rejected-flows (flow-rejected-and-half-open.kql)', () => {
  const to = (state: string, extra: Partial<TraceRecord> = {}): TraceRecord =>
    flow(0, 1000, { ...web, ...db, FlowState: state, ...extra });
  it.each<[string, TraceRecord[], object[]]>([
    ['an empty window', [], []],
    ['completed connections are not failures', [to('SF'), to('S1')], []],
    [
      'UDP and interval records are skipped',
      [to('S0', { Protocol: 'UDP' }), to('S0', { FlowEndReason: 'interval' })],
      [],
    ],
    ['a record without a state is skipped', [flow(0, 1000, { ...web, ...db, FlowState: undefined })], []],
    [
      'states are classified as in the .kql; clients counted by address',
      [
        to('REJ'),
        to('REJ', { SourceIp: '10.0.0.2', SourcePodName: 'frontend-2' }),
        to('S0'),
        to('SH'),
        to('RSTOS0'),
        to('RSTRH'),
        to('SHR', { FlowEnd: '2026-12-01T11:00:00.000Z' }),
      ],
      [
        {
          DestinationServiceName: 'db',
          DestinationPort: 5432,
          Rejected: 2,
          HalfOpen: 3,
          Unsolicited: 2,
          Failed: 5,
          Clients: 2,
          ClientPods: ['shop/frontend-1', 'shop/frontend-2'],
          LastSeen: '2026-12-01T11:00:00.000Z',
        },
      ],
    ],
  ])('%s', (_name, records, expected) => {
    const rows = rejectedFlowsView.aggregate(records);
    expect(rows).toHaveLength(expected.length);
    expected.forEach((row, index) => expect(rows[index]).toMatchObject(row));
  });
});

describe('long-flows (flow-long-lived.kql)', () => {
  const id = { ...web, ...db, CommunityId: '1:abc', NodeName: 'n1', TracePoint: 'PodToNode' as const };
  it.each<[string, TraceRecord[], object[]]>([
    ['an empty window', [], []],
    ['a flow of exactly 5 minutes is not long (Duration > 5m)', [flow(0, 5 * MIN, id)], []],
    [
      'records with unreadable flow times are skipped',
      [flow(0, 10 * MIN, { ...id, FlowStart: 'yesterday' })],
      [],
    ],
    [
      'intervals of a still-open flow join up',
      [
        flow(0, 3 * MIN, { ...id, FlowEndReason: 'interval', BytesFromSource: 10, PacketsFromSource: 1 }),
        flow(3 * MIN, 6 * MIN, {
          ...id,
          FlowEndReason: 'interval',
          BytesFromDestination: 20,
          PacketsFromDestination: 2,
        }),
      ],
      [
        {
          Intervals: 2,
          Duration: 360,
          Bytes: 30,
          Packets: 3,
          StillOpen: true,
          EndReason: '',
          Started: '2026-12-01T10:00:00.000Z',
          LastSeen: '2026-12-01T10:06:00.000Z',
        },
      ],
    ],
    [
      'an ended flow has its end reason and state; the longest comes first',
      [
        flow(0, 6 * MIN, { ...id, CommunityId: 'short', FlowEndReason: 'rst', FlowState: 'RSTO' }),
        flow(0, 20 * MIN, { ...id, FlowEndReason: 'interval' }),
        flow(20 * MIN, 21 * MIN, { ...id, FlowEndReason: 'fin', FlowState: 'SF' }),
      ],
      [
        {
          CommunityId: '1:abc',
          Duration: 1260,
          StillOpen: false,
          EndReason: 'fin',
          State: 'SF',
          Intervals: 2,
        },
        { CommunityId: 'short', Duration: 360, EndReason: 'rst', State: 'RSTO' },
      ],
    ],
  ])('%s', (_name, records, expected) => {
    const rows = longFlowsView.aggregate(records);
    expect(rows).toHaveLength(expected.length);
    expected.forEach((row, index) => expect(rows[index]).toMatchObject(row));
  });
});
