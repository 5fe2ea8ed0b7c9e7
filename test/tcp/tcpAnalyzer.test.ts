import { IpProtocol, TcpFlag, type DecodedPacket } from '../../shared/packet/decodedPacket';
import { TcpAnalyzer } from '../../shared/tcp/tcpAnalyzer';
import { tcpAnalysisText, TcpCondition } from '../../shared/tcp/tcpCondition';
import { SCENARIOS } from './support/scenarios';
import { analyzeScenario, type Segment } from './support/tcpScenario';

describe('TcpAnalyzer: the conditions tshark 4.0 reports', () => {
  it.each(Object.entries(SCENARIOS))('%s', (_name, segments) => {
    const results = analyzeScenario(segments);
    expect(results.map((r) => tcpAnalysisText(r.conditions))).toEqual(
      segments.map((s) => (s.expect ?? []).join(',')),
    );
  });

  it('measures the initial RTT from the SYN to the first ACK without SYN, and ACK round trips', () => {
    const results = analyzeScenario(SCENARIOS['retransmission after the initial RTT']!);
    expect(results.map((r) => r.initialRttNs)).toEqual([-1, -1, 20e6, 20e6, 20e6, 20e6]);
    // SYN-ACK acks the SYN (10 ms), the ACK the SYN-ACK (10 ms), the last ACK the retransmission.
    expect(results.map((r) => r.ackRttNs)).toEqual([-1, 10e6, 10e6, -1, -1, 280e6]);
  });

  it('has no initial RTT for a connection seen without its handshake', () => {
    const results = analyzeScenario(SCENARIOS['connection seen without its handshake']!);
    expect(results.every((r) => r.initialRttNs === -1)).toBe(true);
  });

  it('keeps connections of different observation scopes apart', () => {
    const analyzer = new TcpAnalyzer();
    const data = packet({ seq: 1001, ack: 5001, length: 100 });
    analyzer.analyze(data, 'node\u0000veth1\u0000');
    // The same segment on the other pod's veth is that device's first copy, not a retransmission.
    expect(analyzer.analyze(data, 'node\u0000veth2\u0000').conditions).toBe(0);
    expect(analyzer.analyze(data, 'node\u0000veth1\u0000').conditions).toBe(TcpCondition.Retransmission);
    expect(analyzer.stats().connections).toBe(2);
  });

  it('starts a new connection when a SYN reuses a closed 5-tuple', () => {
    const segments: Segment[] = [
      ...SCENARIOS['retransmission after the initial RTT']!,
      { ms: 400, from: 'c', flags: 'FA', seq: 1101, ack: 5001 },
      { ms: 410, from: 's', flags: 'FA', seq: 5001, ack: 1102 },
      { ms: 420, from: 'c', seq: 1102, ack: 5002 },
      { ms: 1000, from: 'c', flags: 'S', seq: 1000 },
      { ms: 1030, from: 's', flags: 'SA', seq: 5000, ack: 1001 },
      { ms: 1040, from: 'c', seq: 1001, ack: 5001 },
    ];
    const results = analyzeScenario(segments);
    expect(results.slice(-3).map((r) => r.conditions)).toEqual([0, 0, 0]);
    expect(results.at(-1)!.initialRttNs).toBe(40e6);
  });
});

describe('TcpAnalyzer: hostile input never throws and stays bounded', () => {
  it('caps a window scale shift above 14 at 14 (RFC 7323)', () => {
    const segments: Segment[] = [
      { ms: 0, from: 'c', flags: 'S', seq: 1000, windowScale: 255 },
      { ms: 10, from: 's', flags: 'SA', seq: 5000, ack: 1001, windowScale: 200 },
      { ms: 20, from: 'c', seq: 1001, ack: 5001 },
      { ms: 25, from: 's', seq: 5001, ack: 1001, window: 1 },
      // 1 << 14 bytes fill the window exactly.
      { ms: 30, from: 'c', seq: 1001, ack: 5001, length: 16384, expect: ['WindowFull'] },
    ];
    expect(analyzeScenario(segments).map((r) => tcpAnalysisText(r.conditions))).toEqual([
      '',
      '',
      '',
      '',
      'WindowFull',
    ]);
  });

  it.each([
    ['absurd payload length', { payloadLength: 0x7fffffff }],
    ['negative payload length', { payloadLength: -5 }],
    ['NaN payload length', { payloadLength: Number.NaN }],
    ['sequence number 0', { seq: 0 }],
    ['sequence number 2^32 - 1', { seq: 0xffffffff, ack: 0xffffffff }],
    ['every flag', { flags: 0x1ff }],
    ['no flag', { flags: 0 }],
    ['window 0 on a SYN', { flags: TcpFlag.SYN, window: 0 }],
    ['timestamp going backwards', { sec: 1 }],
  ])('%s', (_name, overrides) => {
    const analyzer = new TcpAnalyzer();
    for (let i = 0; i < 50; i++) {
      const result = analyzer.analyze(packet({ seq: 1000 + i * 10, ack: 1, length: 10, ...overrides }), 's');
      expect(Number.isInteger(result.conditions)).toBe(true);
      expect(result.ackRttNs === -1 || result.ackRttNs >= 0).toBe(true);
    }
  });

  it('survives a RST storm with random sequence numbers', () => {
    const analyzer = new TcpAnalyzer();
    let state = 12345;
    const random = (): number => (state = (Math.imul(state, 1103515245) + 12345) >>> 0);
    for (let i = 0; i < 5000; i++) {
      const reverse = (random() & 1) === 1;
      analyzer.analyze(
        packet({ seq: random(), ack: random(), flags: TcpFlag.RST | (random() & TcpFlag.ACK), reverse }),
        's',
      );
    }
    expect(analyzer.stats().connections).toBe(1);
  });

  it('ignores what is not analysable TCP', () => {
    const analyzer = new TcpAnalyzer();
    const udp = { ...packet({ seq: 1, ack: 1 }), protocol: IpProtocol.UDP };
    const cut = { ...packet({ seq: 1, ack: 1 }), tcpWindow: undefined };
    expect(analyzer.analyze(udp, 's').conditions).toBe(0);
    expect(analyzer.analyze(cut, 's').conditions).toBe(0);
    expect(analyzer.stats().connections).toBe(0);
  });

  it('evicts the least recently seen connection when full, and counts it', () => {
    const analyzer = new TcpAnalyzer({ maxConnections: 3 });
    for (let port = 1; port <= 10; port++)
      analyzer.analyze(packet({ seq: 1, ack: 1, sourcePort: port }), 's');
    expect(analyzer.stats()).toEqual({ connections: 3, evicted: 7 });
  });
});

interface PacketOverrides {
  seq: number;
  ack: number;
  length?: number;
  payloadLength?: number;
  flags?: number;
  window?: number;
  sec?: number;
  sourcePort?: number;
  reverse?: boolean;
}

/** A decoded TCP packet, client (10.0.0.1:40000) to server (10.0.0.2:80) unless `reverse`. */
function packet(o: PacketOverrides): DecodedPacket {
  const client = Uint8Array.of(10, 0, 0, 1);
  const server = Uint8Array.of(10, 0, 0, 2);
  const reverse = o.reverse === true;
  return {
    frame: 1,
    timestampSec: o.sec ?? 1_700_000_000,
    timestampNsec: 0,
    direction: 'unknown',
    originalLength: 60,
    data: new Uint8Array(0),
    ipVersion: 4,
    sourceIp: reverse ? server : client,
    destinationIp: reverse ? client : server,
    protocol: IpProtocol.TCP,
    sourcePort: reverse ? 80 : (o.sourcePort ?? 40000),
    destinationPort: reverse ? (o.sourcePort ?? 40000) : 80,
    tcpFlags: o.flags ?? TcpFlag.ACK,
    tcpSeq: o.seq >>> 0,
    tcpAck: o.ack >>> 0,
    tcpWindow: o.window ?? 1000,
    payloadLength: o.payloadLength ?? o.length ?? 0,
  };
}
