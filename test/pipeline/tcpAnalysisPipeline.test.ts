/**
 * TCP analysis through the pipeline: `TcpAnalysis` on packet records at every capture level, TCP
 * health on FlowSummary records, connections kept per observation scope (node and device).
 */
import { EMPTY_IDENTITY_LOOKUP } from '../../shared/enrich/identityStore';
import { compileConfigurations } from '../../shared/match/configurationMatcher';
import { TcpFlag, type TracePoint } from '../../shared/packet/decodedPacket';
import { createPartitionState, type PartitionState } from '../../shared/pipeline/partitionState';
import { PacketPipeline, runBatch, type BatchResult } from '../../shared/pipeline/runBatch';
import { readCaptureInto } from '../../shared/capture/readCapture';
import type { TraceRecord } from '../../shared/record/traceRecord';
import { buildBatch, configurationsFromYaml, recordsOf, type FrameSpec } from './support/pipelineFixtures';

const CLIENT = '10.9.0.1';
const SERVER = '10.9.0.2';

function configuration(captureLevel: string, ports = '[{port: 80}]'): string {
  return `
apiVersion: retina.sh/v1alpha1
kind: TraceConfiguration
metadata: {name: tcp, namespace: default}
spec:
  traceConfigurations:
    - captureLevel: ${captureLevel}
      ports: ${ports}
  outputConfiguration: {destination: stdout}
`;
}

interface Segment {
  ms: number;
  client: boolean;
  seq: number;
  ack: number;
  flags?: number;
  length?: number;
  window?: number;
  tracePoint?: TracePoint;
  device?: string;
}

function frame(s: Segment): FrameSpec {
  return {
    tracePoint: s.tracePoint ?? (s.client ? 'PodToNode' : 'NodeToPod'),
    device: s.device ?? 'veth0',
    timeNs: 1_700_000_000_000_000_000n + BigInt(s.ms) * 1_000_000n,
    frame: {
      source: s.client ? CLIENT : SERVER,
      destination: s.client ? SERVER : CLIENT,
      transport: {
        protocol: 'tcp',
        sourcePort: s.client ? 40000 : 80,
        destinationPort: s.client ? 80 : 40000,
        seq: s.seq,
        ack: s.ack,
        flags: s.flags ?? TcpFlag.ACK,
        window: s.window ?? 1000,
      },
      payload: new Uint8Array(s.length ?? 0),
    },
  };
}

const SYN = TcpFlag.SYN;
const ACK = TcpFlag.ACK;
const FIN = TcpFlag.FIN;

/** Handshake (client SYN, server SYN-ACK after 10 ms, client ACK after 10 ms more), data with trouble. */
const CONVERSATION: Segment[] = [
  { ms: 0, client: true, flags: SYN, seq: 1000, ack: 0 },
  { ms: 10, client: false, flags: SYN | ACK, seq: 5000, ack: 1001 },
  { ms: 20, client: true, seq: 1001, ack: 5001 },
  { ms: 30, client: true, seq: 1001, ack: 5001, length: 100 },
  { ms: 40, client: false, seq: 5001, ack: 1101, window: 0 },
  { ms: 300, client: true, seq: 1001, ack: 5001, length: 100 },
  { ms: 310, client: false, seq: 5001, ack: 1101 },
  { ms: 311, client: false, seq: 5001, ack: 1101 },
  { ms: 400, client: true, flags: FIN | ACK, seq: 1101, ack: 5001 },
  { ms: 410, client: false, flags: FIN | ACK, seq: 5001, ack: 1102 },
  { ms: 420, client: true, seq: 1102, ack: 5002 },
];

function run(captureLevel: string, segments: Segment[], state?: PartitionState): BatchResult {
  return runBatch(
    { cluster: 'c', node: 'n', capture: buildBatch(segments.map(frame)) },
    {
      matcher: compileConfigurations(configurationsFromYaml(configuration(captureLevel))),
      identities: EMPTY_IDENTITY_LOOKUP,
      state: state ?? createPartitionState(),
    },
  );
}

/** The FlowSummary records of `capture`, every flow flushed at the end (as `tracectl inspect`). */
function flowRecords(capture: Uint8Array, ports?: string): TraceRecord[] {
  const pipeline = new PacketPipeline(
    { cluster: 'c', node: 'n' },
    {
      matcher: compileConfigurations(configurationsFromYaml(configuration('FlowSummary', ports))),
      identities: EMPTY_IDENTITY_LOOKUP,
      state: createPartitionState(),
    },
  );
  readCaptureInto(capture, { onPacket: (p) => pipeline.process(p), onProblem: () => undefined });
  pipeline.flushFlows();
  return pipeline.takeDeliveries().flatMap((d) => d.records);
}

describe('TcpAnalysis on packet records', () => {
  it('AllPackets: each segment with the conditions tshark reports', () => {
    const records = recordsOf(run('AllPackets', CONVERSATION));
    expect(records.map((r) => r.TcpAnalysis)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      'ZeroWindow',
      // The client's 100 bytes fill the zero window the server advertised last (tshark agrees).
      'SpuriousRetransmission,WindowFull',
      undefined,
      'DuplicateAck',
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('FirstPacket: the packets it does not record are still analysed', () => {
    // FirstPacket records the SYN and the SYN-ACK only; the data and the zero-window ACK after
    // them are analysed all the same, so the same segment again is a (spurious) retransmission.
    const state = createPartitionState();
    const records = recordsOf(run('FirstPacket', CONVERSATION.slice(0, 5), state));
    expect(records.map((r) => r.TcpFlags)).toEqual(['SYN', 'SYN,ACK']);
    const later = recordsOf(run('AllPackets', [CONVERSATION[5]!], state));
    expect(later.map((r) => r.TcpAnalysis)).toEqual(['SpuriousRetransmission,WindowFull']);
  });

  it('keeps the two veths of a same-node connection apart (no false retransmission)', () => {
    // The client's segment leaves its veth (PodToNode/vetha) and enters the server's (NodeToPod/vethb).
    const twice: Segment[] = CONVERSATION.slice(0, 4).flatMap((s) => [
      { ...s, tracePoint: s.client ? 'PodToNode' : 'NodeToPod', device: 'vetha' },
      { ...s, ms: s.ms, tracePoint: s.client ? 'NodeToPod' : 'PodToNode', device: 'vethb' },
    ]);
    const records = recordsOf(run('AllPackets', twice));
    expect(records).toHaveLength(8);
    expect(records.map((r) => r.TcpAnalysis ?? '')).toEqual(Array(8).fill(''));
  });
});

describe('TCP health on FlowSummary records', () => {
  it('counts per side, the handshake RTT and the median ACK round trips', () => {
    const records = flowRecords(buildBatch(CONVERSATION.map(frame)));
    expect(records).toHaveLength(1);
    const flow = records[0]!;
    expect(pick(flow)).toEqual({
      TcpHandshakeRttNs: 20_000_000,
      // The client's ACKs: of the SYN-ACK (10 ms) and of the server's FIN (10 ms).
      TcpAckRttMedianNsFromSource: 10_000_000,
      // The server's ACKs: SYN (10 ms), the data (10 ms), the retransmission (10 ms), the FIN (10 ms).
      TcpAckRttMedianNsFromDestination: 10_000_000,
      TcpRetransmissionsFromSource: 1,
      TcpRetransmissionsFromDestination: 0,
      TcpZeroWindowsFromSource: 0,
      TcpZeroWindowsFromDestination: 1,
      TcpDuplicateAcksFromSource: 0,
      TcpDuplicateAcksFromDestination: 1,
      TcpOutOfOrderFromSource: 0,
      TcpOutOfOrderFromDestination: 0,
    });
  });

  it('a UDP flow carries no TCP health column', () => {
    const capture = buildBatch([
      {
        tracePoint: 'PodToNode',
        timeNs: 1n,
        frame: {
          source: CLIENT,
          destination: SERVER,
          transport: { protocol: 'udp', sourcePort: 5, destinationPort: 80 },
        },
      },
    ]);
    const records = flowRecords(capture, '[{port: 80, protocol: UDP}]');
    expect(records).toHaveLength(1);
    expect(Object.keys(records[0]!).filter((k) => k.startsWith('Tcp'))).toEqual([]);
  });

  it('counts the TCP connections its bounded table evicts', () => {
    const state = createPartitionState({ tcp: { maxConnections: 1 } });
    const segments = [1, 2, 3].map((i) => ({ ...CONVERSATION[0]!, ms: i, seq: i }));
    const result = run(
      'AllPackets',
      segments.map((s, i) => ({ ...s, device: `veth${i}` })),
      state,
    );
    expect(result.counts.tcpConnectionEvictions).toBe(2);
  });
});

function pick(record: TraceRecord): Partial<TraceRecord> {
  return Object.fromEntries(
    Object.entries(record).filter(([key]) => key.startsWith('Tcp') && key !== 'TcpHistory'),
  );
}
