import {
  FlowSummaryTable,
  initiatorIsReceiver,
  type FlowObservation,
} from '../../shared/flow/flowSummaryTable';
import { FlowEntry, type FlowEndReason } from '../../shared/flow/flowEntry';
import { flowMapKey } from '../../shared/packet/flowKey';
import type { ConfigurationMatch } from '../../shared/match/configurationMatcher';
import { craftFrame, type CraftSpec } from '../../shared/packet/craftFrame';
import { decodePacket } from '../../shared/packet/decodePacket';
import type { DecodedPacket } from '../../shared/packet/decodedPacket';
import { LinkType } from '../../shared/packet/linkType';
import { assembleFlowRecord } from '../../shared/record/assembleFlowRecord';
import type { TraceRecord } from '../../shared/record/traceRecord';

const F = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 };
const CLIENT = '10.0.0.1';
const SERVER = '10.0.0.2';

function packet(spec: CraftSpec, seconds: number, frame = 1): DecodedPacket {
  const data = craftFrame(spec);
  return decodePacket(
    {
      frame,
      timestampSec: Math.floor(seconds),
      timestampNsec: Math.round((seconds % 1) * 1e9),
      originalLength: data.length,
      data,
      direction: 'unknown',
    } as never,
    LinkType.ETHERNET,
  );
}

/** A TCP segment: `c>s` from client 40000 to server 80, `s>c` back. */
function tcp(way: 'c>s' | 's>c', flags: number, seconds: number, payload = '', port = 40000): DecodedPacket {
  const forward = way === 'c>s';
  return packet(
    {
      source: forward ? CLIENT : SERVER,
      destination: forward ? SERVER : CLIENT,
      transport: {
        protocol: 'tcp',
        sourcePort: forward ? port : 80,
        destinationPort: forward ? 80 : port,
        flags,
      },
      payload,
    },
    seconds,
  );
}

function udp(way: 'c>s' | 's>c', seconds: number, payload = 'x'): DecodedPacket {
  const forward = way === 'c>s';
  return packet(
    {
      source: forward ? CLIENT : SERVER,
      destination: forward ? SERVER : CLIENT,
      transport: { protocol: 'udp', sourcePort: forward ? 5353 : 53, destinationPort: forward ? 53 : 5353 },
      payload,
    },
    seconds,
  );
}

const match = (includeLayer7Data = false): ConfigurationMatch => ({
  key: 'default/flows',
  index: 0,
  output: { destination: 'stdout', connection: '' },
  rules: [0],
  captureLevel: 'FlowSummary',
  includeLayer7Data,
});

class Harness {
  readonly records: TraceRecord[] = [];
  readonly sink = (flow: FlowEntry, reason: FlowEndReason): void => {
    this.records.push(assembleFlowRecord(flow, reason));
  };
  readonly observation: FlowObservation;
  constructor(
    readonly table: FlowSummaryTable,
    configuration = match(),
  ) {
    this.observation = {
      match: configuration,
      cluster: 'c',
      node: 'n1',
      source: undefined,
      destination: undefined,
      l7Messages: 0,
    };
  }
  feed(...packets: DecodedPacket[]): this {
    for (const p of packets) this.table.observe(p, this.observation, this.sink);
    return this;
  }
  brief(): string[] {
    return this.records.map(
      (r) =>
        `${r.Protocol} ${r.SourceIp}:${r.SourcePort ?? ''}>${r.DestinationIp}:${r.DestinationPort ?? ''} ${r.FlowEndReason} ${r.FlowState ?? '-'} ${r.TcpHistory ?? '-'} ${r.PacketsFromSource}/${r.PacketsFromDestination}`,
    );
  }
}

const forever = () => new FlowSummaryTable({ intervalInMs: 0, idleTimeoutInMs: 0 });

describe('FlowSummaryTable: TCP in Zeek terms', () => {
  it.each<[string, DecodedPacket[], string]>([
    [
      'a whole connection: SF, ShADdFf',
      [
        tcp('c>s', F.SYN, 1),
        tcp('s>c', F.SYN | F.ACK, 1.01),
        tcp('c>s', F.ACK, 1.02),
        tcp('c>s', F.PSH | F.ACK, 1.03, 'GET / HTTP/1.1\r\n\r\n'),
        tcp('s>c', F.PSH | F.ACK, 1.04, 'HTTP/1.1 200 OK\r\n\r\n'),
        tcp('c>s', F.FIN | F.ACK, 1.05),
        tcp('s>c', F.FIN | F.ACK, 1.06),
        tcp('c>s', F.ACK, 1.07),
      ],
      'TCP 10.0.0.1:40000>10.0.0.2:80 fin SF ShADdFf 5/3',
    ],
    [
      'a SYN without an answer: S0',
      [tcp('c>s', F.SYN, 1), tcp('c>s', F.SYN, 2)],
      'TCP 10.0.0.1:40000>10.0.0.2:80 shutdown S0 S 2/0',
    ],
    [
      'a rejected SYN: REJ',
      [tcp('c>s', F.SYN, 1), tcp('s>c', F.RST | F.ACK, 1.01)],
      'TCP 10.0.0.1:40000>10.0.0.2:80 rst REJ Sr 1/1',
    ],
    [
      'established, then the responder resets: RSTR',
      [
        tcp('c>s', F.SYN, 1),
        tcp('s>c', F.SYN | F.ACK, 1.01),
        tcp('c>s', F.ACK, 1.02),
        tcp('c>s', F.PSH | F.ACK, 1.03, 'x'),
        tcp('s>c', F.RST, 1.04),
      ],
      'TCP 10.0.0.1:40000>10.0.0.2:80 rst RSTR ShADr 3/2',
    ],
    [
      'established, then the initiator resets: RSTO',
      [
        tcp('c>s', F.SYN, 1),
        tcp('s>c', F.SYN | F.ACK, 1.01),
        tcp('c>s', F.ACK, 1.02),
        tcp('c>s', F.RST | F.ACK, 1.03),
      ],
      'TCP 10.0.0.1:40000>10.0.0.2:80 rst RSTO ShAR 3/1',
    ],
    [
      'a SYN then the initiator resets: RSTOS0',
      [tcp('c>s', F.SYN, 1), tcp('c>s', F.RST, 1.5)],
      'TCP 10.0.0.1:40000>10.0.0.2:80 rst RSTOS0 SR 2/0',
    ],
    [
      'a SYN then a FIN, no answer: SH',
      [tcp('c>s', F.SYN, 1), tcp('c>s', F.FIN, 1.5)],
      'TCP 10.0.0.1:40000>10.0.0.2:80 shutdown SH SF 2/0',
    ],
    [
      'established and open: S1',
      [tcp('c>s', F.SYN, 1), tcp('s>c', F.SYN | F.ACK, 1.01), tcp('c>s', F.ACK, 1.02)],
      'TCP 10.0.0.1:40000>10.0.0.2:80 shutdown S1 ShA 2/1',
    ],
    [
      'the initiator closed, the responder did not answer: S2',
      [
        tcp('c>s', F.SYN, 1),
        tcp('s>c', F.SYN | F.ACK, 1.01),
        tcp('c>s', F.ACK, 1.02),
        tcp('c>s', F.FIN | F.ACK, 1.03),
      ],
      'TCP 10.0.0.1:40000>10.0.0.2:80 shutdown S2 ShAF 3/1',
    ],
    [
      'the responder closed: S3',
      [
        tcp('c>s', F.SYN, 1),
        tcp('s>c', F.SYN | F.ACK, 1.01),
        tcp('c>s', F.ACK, 1.02),
        tcp('s>c', F.FIN | F.ACK, 1.03),
      ],
      'TCP 10.0.0.1:40000>10.0.0.2:80 shutdown S3 ShAf 2/2',
    ],
    [
      'midstream only: OTH, the server port decides who initiated',
      [tcp('s>c', F.PSH | F.ACK, 1, 'data'), tcp('c>s', F.ACK, 1.01)],
      'TCP 10.0.0.1:40000>10.0.0.2:80 shutdown OTH dA 1/1',
    ],
    [
      'a SYN-ACK seen first: its receiver initiated (RSTRH after a responder RST)',
      [tcp('s>c', F.SYN | F.ACK, 1), tcp('s>c', F.RST, 1.1)],
      'TCP 10.0.0.1:40000>10.0.0.2:80 rst RSTRH hr 0/2',
    ],
  ])('%s', (_name, packets, expected) => {
    const h = new Harness(forever()).feed(...packets);
    h.table.flush(h.sink);
    expect(h.brief()).toEqual([expected]);
    expect(h.table.stats().trackedFlows).toBe(0);
  });

  it('a new SYN on a closed 5-tuple starts a new flow (port reuse), as tcp.stream does', () => {
    const h = new Harness(forever()).feed(
      tcp('c>s', F.SYN, 1),
      tcp('s>c', F.RST | F.ACK, 1.01),
      tcp('c>s', F.SYN, 2),
      tcp('s>c', F.SYN | F.ACK, 2.01),
      tcp('c>s', F.ACK, 2.02),
    );
    expect(h.brief()).toEqual(['TCP 10.0.0.1:40000>10.0.0.2:80 rst REJ Sr 1/1']);
    h.table.flush(h.sink);
    expect(h.brief()[1]).toBe('TCP 10.0.0.1:40000>10.0.0.2:80 shutdown S1 ShA 2/1');
    expect(h.records[1]!.FlowStartNs).toBe('2000000000');
  });

  it('a retransmitted SYN of an open attempt stays in its flow', () => {
    const h = new Harness(forever()).feed(tcp('c>s', F.SYN, 1), tcp('c>s', F.SYN, 2), tcp('c>s', F.SYN, 4));
    h.table.flush(h.sink);
    expect(h.brief()).toEqual(['TCP 10.0.0.1:40000>10.0.0.2:80 shutdown S0 S 3/0']);
  });

  it('a closed flow keeps its last ACKs for the linger time, then is written with its reason on a sweep', () => {
    const h = new Harness(new FlowSummaryTable({ closedLingerInMs: 5000 })).feed(
      tcp('c>s', F.SYN, 1),
      tcp('s>c', F.RST | F.ACK, 1.01),
      tcp('c>s', F.ACK, 3),
    );
    h.table.sweep(h.sink);
    expect(h.records).toEqual([]);
    // Another flow moves the node's clock past the linger time.
    h.feed(udp('c>s', 10));
    h.table.sweep(h.sink);
    expect(h.brief()).toEqual(['TCP 10.0.0.1:40000>10.0.0.2:80 rst REJ SrA 2/1']);
  });
});

describe('FlowSummaryTable: intervals, timeouts, bounds', () => {
  it('writes a record per interval that sums to the flow, the last one when it ends', () => {
    const h = new Harness(new FlowSummaryTable({ intervalInMs: 60_000, idleTimeoutInMs: 0 }));
    for (let t = 0; t < 150; t += 10) h.feed(udp('c>s', 1000 + t), udp('s>c', 1000.5 + t));
    h.table.flush(h.sink);
    expect(
      h.records.map((r) => [
        r.FlowEndReason,
        r.PacketsFromSource,
        r.PacketsFromDestination,
        r.FlowStartNs,
        r.FlowEndNs,
      ]),
    ).toEqual([
      ['interval', 6, 6, '1000000000000', '1050500000000'],
      ['interval', 6, 6, '1060000000000', '1110500000000'],
      ['shutdown', 3, 3, '1120000000000', '1140500000000'],
    ]);
    // Each interval record is its own row: distinct ids, same flow and community id.
    expect(new Set(h.records.map((r) => r.RecordId)).size).toBe(3);
    expect(new Set(h.records.map((r) => r.CommunityId)).size).toBe(1);
  });

  it('ends a flow idle longer than its protocol timeout; UDP times out before TCP', () => {
    const h = new Harness(new FlowSummaryTable({ intervalInMs: 0 })).feed(
      udp('c>s', 0),
      tcp('c>s', F.SYN, 0),
      tcp('s>c', F.SYN | F.ACK, 0.1),
      tcp('c>s', F.ACK, 0.2),
      udp('c>s', 90),
      tcp('c>s', F.PSH | F.ACK, 90, 'still here'),
    );
    expect(h.brief()).toEqual(['UDP 10.0.0.1:5353>10.0.0.2:53 idle - - 1/0']);
    h.feed(udp('c>s', 500));
    // The TCP flow saw no packet of its own: the sweep at the end of the batch writes it.
    h.table.sweep(h.sink);
    expect(h.brief().slice(1)).toEqual([
      'UDP 10.0.0.1:5353>10.0.0.2:53 idle - - 1/0',
      'TCP 10.0.0.1:40000>10.0.0.2:80 idle S1 ShAD 3/1',
    ]);
  });

  it('idle 0 and interval 0 keep a flow whole however long it is quiet', () => {
    const h = new Harness(forever()).feed(udp('c>s', 0), udp('s>c', 86_400));
    h.table.sweep(h.sink);
    expect(h.records).toEqual([]);
    h.table.flush(h.sink);
    expect(h.brief()).toEqual(['UDP 10.0.0.1:5353>10.0.0.2:53 shutdown - - 1/1']);
  });

  it('evicts the least recently seen flow when full, writes it (shutdown) and counts it', () => {
    const h = new Harness(new FlowSummaryTable({ maxFlows: 2, intervalInMs: 0, idleTimeoutInMs: 0 })).feed(
      tcp('c>s', F.SYN, 1, '', 40001),
      tcp('c>s', F.SYN, 2, '', 40002),
      tcp('c>s', F.SYN, 3, '', 40001),
      tcp('c>s', F.SYN, 4, '', 40003),
    );
    expect(h.brief()).toEqual(['TCP 10.0.0.1:40002>10.0.0.2:80 shutdown S0 S 1/0']);
    expect(h.table.stats()).toMatchObject({ trackedFlows: 2, evicted: 1 });
    h.table.flush(h.sink);
    expect(h.records).toHaveLength(3);
  });

  it('keeps flows per node: the same 5-tuple on two nodes is two flows', () => {
    const h = new Harness(forever()).feed(udp('c>s', 1));
    h.observation.node = 'n2';
    h.feed(udp('s>c', 2));
    h.table.flush(h.sink);
    expect(
      h.records.map((r) => [r.NodeName, r.SourcePort, r.PacketsFromSource, r.PacketsFromDestination]),
    ).toEqual([
      ['n1', 5353, 1, 0],
      ['n2', 5353, 0, 1],
    ]);
  });

  it('one device is one observation point: both directions at PodToNode/NodeToPod of a veth are one flow', () => {
    const at = (p: DecodedPacket, name: string): DecodedPacket => ({
      ...p,
      interfaceName: name,
      tracePoint: name.startsWith('PodToNode') ? 'PodToNode' : 'NodeToPod',
    });
    const h = new Harness(forever()).feed(
      // The client's veth sees the request leave (PodToNode) and the reply arrive (NodeToPod)...
      at(udp('c>s', 1), 'PodToNode/vethclient'),
      // ...the server's veth the request arrive and the reply leave.
      at(udp('c>s', 1.001), 'NodeToPod/vethserver'),
      at(udp('s>c', 1.002), 'PodToNode/vethserver'),
      at(udp('s>c', 1.003), 'NodeToPod/vethclient'),
    );
    h.table.flush(h.sink);
    expect(
      h.records.map((r) => [r.TracePoint, r.TrafficDirection, r.PacketsFromSource, r.PacketsFromDestination]),
    ).toEqual([
      ['PodToNode', 'egress', 1, 1],
      ['NodeToPod', 'ingress', 1, 1],
    ]);
  });

  it('counts layer-7 messages when the configuration includes layer 7', () => {
    const h = new Harness(forever(), match(true));
    h.observation.l7Messages = 1;
    h.feed(udp('c>s', 1));
    h.feed(udp('s>c', 1.1));
    h.observation.l7Messages = 0;
    h.feed(udp('c>s', 1.2));
    h.table.flush(h.sink);
    expect(h.records[0]!.L7Messages).toBe(2);
    const without = new Harness(forever()).feed(udp('c>s', 1));
    without.table.flush(without.sink);
    expect(without.records[0]!.L7Messages).toBeUndefined();
  });

  it('ignores packets without IP and writes nothing for an empty table', () => {
    const h = new Harness(forever());
    h.feed({
      frame: 1,
      timestampSec: 0,
      timestampNsec: 0,
      direction: 'unknown',
      originalLength: 0,
      data: new Uint8Array(0),
    });
    h.table.sweep(h.sink);
    h.table.flush(h.sink);
    expect(h.records).toEqual([]);
    expect(h.table.stats().trackedFlows).toBe(0);
  });

  it('writes the flow record with the columns of the contract', () => {
    const h = new Harness(forever()).feed(tcp('c>s', F.SYN, 1.25), tcp('s>c', F.SYN | F.ACK, 1.5));
    h.table.flush(h.sink);
    const record = h.records[0]!;
    expect(record).toMatchObject({
      TimeGenerated: '1970-01-01T00:00:01.250000Z',
      TimestampNs: '1250000000',
      CaptureLevel: 'FlowSummary',
      TraceConfiguration: 'default/flows',
      NodeName: 'n1',
      Protocol: 'TCP',
      IpVersion: 4,
      FlowStart: '1970-01-01T00:00:01.250000Z',
      FlowEnd: '1970-01-01T00:00:01.500000Z',
      FlowStartNs: '1250000000',
      FlowEndNs: '1500000000',
      PacketsFromSource: 1,
      PacketsFromDestination: 1,
      PayloadBytesFromSource: 0,
      FlowEndReason: 'shutdown',
      FlowState: 'S1',
    });
    expect(record.BytesFromSource).toBe(54);
    expect(record.RecordId).toMatch(/^[0-9a-f]{32}$/);
    expect(record.TcpFlags).toBeUndefined();
    expect(record.PacketBytes).toBeUndefined();
  });
});

describe('FlowSummaryTable: the remembered last flow', () => {
  it('a flushed flow is never counted again: the same tuple afterwards is a new flow', () => {
    const h = new Harness(forever()).feed(udp('c>s', 0));
    h.table.flush(h.sink);
    h.feed(udp('c>s', 1), udp('s>c', 1.5));
    h.table.flush(h.sink);
    expect(h.brief()).toEqual([
      'UDP 10.0.0.1:5353>10.0.0.2:53 shutdown - - 1/0',
      'UDP 10.0.0.1:5353>10.0.0.2:53 shutdown - - 1/1',
    ]);
    expect(h.records[1]!.FlowStartNs).toBe('1000000000');
  });

  it('an evicted flow is never counted again through the shortcut', () => {
    const h = new Harness(new FlowSummaryTable({ maxFlows: 1, intervalInMs: 0, idleTimeoutInMs: 0 })).feed(
      tcp('c>s', F.SYN, 1, '', 40001),
      tcp('c>s', F.SYN, 2, '', 40002),
      tcp('c>s', F.SYN, 3, '', 40001),
    );
    h.table.flush(h.sink);
    expect(h.brief()).toEqual([
      'TCP 10.0.0.1:40001>10.0.0.2:80 shutdown S0 S 1/0',
      'TCP 10.0.0.1:40002>10.0.0.2:80 shutdown S0 S 1/0',
      'TCP 10.0.0.1:40001>10.0.0.2:80 shutdown S0 S 1/0',
    ]);
  });

  it('interleaved flows are each counted in their own flow', () => {
    const h = new Harness(forever()).feed(
      tcp('c>s', F.SYN, 1, '', 40001),
      udp('c>s', 1.1),
      tcp('s>c', F.SYN | F.ACK, 1.2, '', 40001),
      tcp('c>s', F.SYN, 1.3, '', 40002),
      udp('s>c', 1.4),
      tcp('c>s', F.ACK, 1.5, '', 40001),
    );
    h.table.flush(h.sink);
    expect(h.brief().sort()).toEqual([
      'TCP 10.0.0.1:40001>10.0.0.2:80 shutdown S1 ShA 2/1',
      'TCP 10.0.0.1:40002>10.0.0.2:80 shutdown S0 S 1/0',
      'UDP 10.0.0.1:5353>10.0.0.2:53 shutdown - - 1/1',
    ]);
  });
});

describe('FlowEntry.hasTupleOf', () => {
  const opened = tcp('c>s', F.SYN, 1, '', 40001);
  const entry = new FlowEntry(opened, {
    match: match(),
    cluster: 'c',
    node: 'n1',
    key: flowMapKey(opened)!,
    flipped: false,
    source: undefined,
    destination: undefined,
    trafficDirection: undefined,
    flowId: '',
    communityId: undefined,
  });
  const v6 = (sourcePort: number, destinationPort: number): DecodedPacket =>
    packet(
      {
        source: '::1',
        destination: '::2',
        transport: { protocol: 'tcp', sourcePort, destinationPort, flags: F.ACK },
      },
      1,
    );
  it.each<[string, DecodedPacket, boolean]>([
    ['same direction', tcp('c>s', F.ACK, 2, 'x', 40001), true],
    ['reverse direction', tcp('s>c', F.SYN | F.ACK, 2, '', 40001), true],
    ['another client port', tcp('c>s', F.SYN, 2, '', 40002), false],
    [
      'another protocol with the ports',
      packet(
        {
          source: CLIENT,
          destination: SERVER,
          transport: { protocol: 'udp', sourcePort: 40001, destinationPort: 80 },
        },
        2,
      ),
      false,
    ],
    [
      'another address',
      packet(
        {
          source: '10.0.0.3',
          destination: SERVER,
          transport: { protocol: 'tcp', sourcePort: 40001, destinationPort: 80, flags: F.ACK },
        },
        2,
      ),
      false,
    ],
    ['IPv6 with the ports', v6(40001, 80), false],
    [
      'no IP layer',
      { ...tcp('c>s', F.ACK, 2, '', 40001), sourceIp: undefined, destinationIp: undefined },
      false,
    ],
  ])('%s', (_name, candidate, expected) => {
    expect(entry.hasTupleOf(candidate)).toBe(expected);
    // Exactly when the map key would be the flow's own.
    expect(entry.hasTupleOf(candidate)).toBe(flowMapKey(candidate) === entry.key);
  });
});

describe('initiatorIsReceiver', () => {
  it.each<[string, DecodedPacket, boolean]>([
    ['SYN', tcp('c>s', F.SYN, 0), false],
    ['SYN-ACK', tcp('s>c', F.SYN | F.ACK, 0), true],
    ['data from port 80 to an ephemeral port', tcp('s>c', F.ACK, 0, 'x'), true],
    ['data to port 80', tcp('c>s', F.ACK, 0, 'x'), false],
    ['a DNS response', udp('s>c', 0), true],
    ['a DNS query', udp('c>s', 0), false],
    [
      'an echo reply',
      packet({ source: SERVER, destination: CLIENT, transport: { protocol: 'icmp', type: 0, code: 0 } }, 0),
      true,
    ],
    [
      'an echo request',
      packet({ source: CLIENT, destination: SERVER, transport: { protocol: 'icmp', type: 8, code: 0 } }, 0),
      false,
    ],
    [
      'an ICMPv6 echo reply',
      packet({ source: '::2', destination: '::1', transport: { protocol: 'icmpv6', type: 129, code: 0 } }, 0),
      true,
    ],
    [
      'between two ephemeral ports',
      packet(
        {
          source: CLIENT,
          destination: SERVER,
          transport: { protocol: 'udp', sourcePort: 40000, destinationPort: 50000 },
        },
        0,
      ),
      false,
    ],
    [
      'from a well-known service port above 1024 (redis)',
      packet(
        {
          source: SERVER,
          destination: CLIENT,
          transport: { protocol: 'tcp', sourcePort: 6379, destinationPort: 50000, flags: F.ACK },
        },
        0,
      ),
      true,
    ],
    ['GRE', packet({ source: CLIENT, destination: SERVER, transport: { protocol: 47 } }, 0), false],
  ])('%s: %s', (_name, p, expected) => {
    expect(initiatorIsReceiver(p)).toBe(expected);
  });
});
