/**
 * DNS names on flows through the pipeline: a pod's DNS lookup followed by its connection gives
 * `DestinationFqdn` (and `SourceFqdn` on the replies) on packet, layer-7 and flow records, learned
 * whether or not a configuration traces the DNS packets.
 */
import { EMPTY_IDENTITY_LOOKUP } from '../../shared/enrich/identityStore';
import { compileConfigurations } from '../../shared/match/configurationMatcher';
import type { CraftSpec } from '../../shared/packet/craftFrame';
import { TcpFlag, type TracePoint } from '../../shared/packet/decodedPacket';
import { createPartitionState, type PartitionState } from '../../shared/pipeline/partitionState';
import { PacketPipeline, runBatch, type BatchResult } from '../../shared/pipeline/runBatch';
import type { TraceRecord } from '../../shared/record/traceRecord';
import { bytes } from '../l7/support/builders';
import { dnsMessage, dnsName, POINTER_TO_QUESTION, rr } from '../l7/support/dnsBuilders';
import { buildBatch, configurationsFromYaml, recordsOf, type FrameSpec } from './support/pipelineFixtures';

const POD = '10.244.1.5';
const OTHER_POD = '10.244.1.6';
const DNS = '10.0.0.10';
const SERVER = '203.0.113.7';
const T0 = 1_768_469_400_000_000_000n;
const MS = 1_000_000n;

// Only HTTPS egress is traced: the DNS packets match no configuration, and names are learned anyway.
const yaml = (level: string, layer7 = false) => `
apiVersion: retina.sh/v1alpha1
kind: TraceConfiguration
metadata: {name: egress, namespace: t}
spec:
  traceConfigurations:
    - captureLevel: ${level}
      includeLayer7Data: ${layer7}
      to: [{ipBlock: {cidr: 203.0.113.0/24}}]
  outputConfiguration: {destination: stdout}
`;

const matcher = (level: string, layer7 = false) =>
  compileConfigurations(configurationsFromYaml(yaml(level, layer7)));

function frame(tracePoint: TracePoint, atMs: number, spec: CraftSpec): FrameSpec {
  return { tracePoint, timeNs: T0 + BigInt(atMs) * MS, frame: spec };
}

/** A DNS response from the cluster resolver to `client`: `name` CNAME `edge.cdn.net` A `address`. */
function dnsAnswer(atMs: number, client: string, name: string, address: string, ttl = 300): FrameSpec {
  const payload = dnsMessage({
    flags: 0x8180,
    name,
    answers: [
      rr(POINTER_TO_QUESTION, 5, ttl, dnsName('edge.cdn.net')),
      rr(dnsName('edge.cdn.net'), 1, ttl, bytes(address.split('.').map(Number))),
    ],
  });
  return frame('NodeToPod', atMs, {
    source: DNS,
    destination: client,
    transport: { protocol: 'udp', sourcePort: 53, destinationPort: 40000 },
    payload,
  });
}

/** A short HTTPS connection from `client` port `port` to SERVER: handshake, one request, FIN both ways. */
function connection(atMs: number, client: string, port: number): FrameSpec[] {
  const out = (at: number, flags: number, payload = ''): FrameSpec =>
    frame('PodToNode', atMs + at, {
      source: client,
      destination: SERVER,
      transport: { protocol: 'tcp', sourcePort: port, destinationPort: 443, flags },
      payload,
    });
  const back = (at: number, flags: number, payload = ''): FrameSpec =>
    frame('NodeToPod', atMs + at, {
      source: SERVER,
      destination: client,
      transport: { protocol: 'tcp', sourcePort: 443, destinationPort: port, flags },
      payload,
    });
  const { SYN, ACK, FIN, PSH } = TcpFlag;
  return [
    out(0, SYN),
    back(1, SYN | ACK),
    out(2, ACK),
    out(3, PSH | ACK, 'hello'),
    back(4, PSH | ACK, 'world'),
    out(5, FIN | ACK),
    back(6, FIN | ACK),
    out(7, ACK),
  ];
}

function run(
  frames: FrameSpec[],
  level = 'AllPackets',
  state = createPartitionState(),
  node = 'node-1',
): BatchResult {
  return runBatch(
    { cluster: 'c', node, capture: buildBatch(frames) },
    { matcher: matcher(level), identities: EMPTY_IDENTITY_LOOKUP, state },
  );
}

/** Every open flow written (as when the capture ends). */
function flushed(state: PartitionState, node = 'node-1'): TraceRecord[] {
  const pipeline = new PacketPipeline(
    { cluster: 'c', node },
    { matcher: matcher('FlowSummary'), identities: EMPTY_IDENTITY_LOOKUP, state },
  );
  pipeline.flushFlows();
  return pipeline.takeDeliveries().flatMap((d) => d.records);
}

describe('DNS names on packet records', () => {
  it('a lookup followed by the connection names the destination, and the source of the replies', () => {
    const result = run([dnsAnswer(0, POD, 'WWW.Example.COM', SERVER), ...connection(10, POD, 50000)]);
    const records = recordsOf(result);
    // The DNS packet matched nothing: only the connection's 8 packets are recorded.
    expect(result.counts.matched).toBe(8);
    expect(records).toHaveLength(8);
    expect(result.counts.dnsNamesLearned).toBe(1);
    for (const record of records) {
      if (record.SourceIp === POD) {
        expect(record.DestinationFqdn).toBe('www.example.com');
        expect(record.SourceFqdn).toBeUndefined();
      } else {
        expect(record.SourceFqdn).toBe('www.example.com');
        expect(record.DestinationFqdn).toBeUndefined();
      }
    }
  });

  it('without a lookup, or with one on another node, there is no name', () => {
    expect(recordsOf(run(connection(10, POD, 50000))).some((r) => 'DestinationFqdn' in r)).toBe(false);
    const state = createPartitionState();
    run([dnsAnswer(0, POD, 'www.example.com', SERVER)], 'AllPackets', state, 'node-2');
    const records = recordsOf(run(connection(10, POD, 50000), 'AllPackets', state, 'node-1'));
    expect(records.some((r) => r.DestinationFqdn !== undefined || r.SourceFqdn !== undefined)).toBe(false);
  });

  it('names last across batches of the partition, until the TTL (clamped to 1 h) runs out', () => {
    const state = createPartitionState();
    run([dnsAnswer(0, POD, 'www.example.com', SERVER, 86_400)], 'AllPackets', state);
    const soon = recordsOf(run(connection(3_599_000, POD, 50000), 'AllPackets', state));
    expect(soon[0]!.DestinationFqdn).toBe('www.example.com');
    const late = recordsOf(run(connection(3_600_000, POD, 50001), 'AllPackets', state));
    expect(late[0]!.DestinationFqdn).toBeUndefined();
  });

  it("the same client's lookup wins; a pod that never looked the address up gets the node's latest", () => {
    const result = run([
      dnsAnswer(0, POD, 'shop.example', SERVER),
      dnsAnswer(1, OTHER_POD, 'blog.example', SERVER),
      ...connection(10, POD, 50000),
      ...connection(20, OTHER_POD, 50001),
      ...connection(30, '10.244.1.77', 50002),
    ]);
    const nameOf = (client: string) =>
      recordsOf(result).find((r) => r.SourceIp === client && r.TcpFlags === 'SYN')?.DestinationFqdn;
    expect(nameOf(POD)).toBe('shop.example');
    expect(nameOf(OTHER_POD)).toBe('blog.example');
    expect(nameOf('10.244.1.77')).toBe('blog.example');
  });

  it('counts names the full cache forgot, in the batch counts', () => {
    const state = createPartitionState({ dnsNames: { maxAddresses: 1 } });
    const result = run(
      [dnsAnswer(0, POD, 'a.example', '203.0.113.1'), dnsAnswer(1, POD, 'b.example', '203.0.113.2')],
      'AllPackets',
      state,
    );
    expect(result.counts).toMatchObject({ dnsNamesLearned: 2, dnsNameEvictions: 1 });
  });

  it("counts, in a new node's batch, the names its arrival made other nodes forget", () => {
    const state = createPartitionState({ dnsNames: { maxNodes: 1 } });
    const first = run([dnsAnswer(0, POD, 'a.example', SERVER)], 'AllPackets', state, 'node-1');
    expect(first.counts).toMatchObject({ dnsNamesLearned: 1, dnsNameEvictions: 0 });
    const second = run([...connection(10, POD, 50000)], 'AllPackets', state, 'node-2');
    expect(second.counts).toMatchObject({ dnsNamesLearned: 0, dnsNameEvictions: 1 });
    // node-1 was forgotten with its names: back again, its connection has none.
    const again = run([...connection(20, POD, 50001)], 'AllPackets', state, 'node-1');
    expect(recordsOf(again).some((r) => r.DestinationFqdn !== undefined)).toBe(false);
  });

  it('learns from a DNS response over TCP spread over segments (a large answer set)', () => {
    const answers = Array.from({ length: 100 }, (_, i) =>
      rr(POINTER_TO_QUESTION, 1, 300, bytes(203, 0, 113, i === 7 ? 7 : 100 + (i % 100))),
    );
    const message = dnsMessage({ flags: 0x8180, name: 'many.example', answers });
    const stream = new Uint8Array(message.length + 2);
    stream[0] = message.length >> 8;
    stream[1] = message.length & 0xff;
    stream.set(message, 2);
    const cut = 700;
    const tcp = (atMs: number, seq: number, payload: Uint8Array): FrameSpec =>
      frame('NodeToPod', atMs, {
        source: DNS,
        destination: POD,
        transport: {
          protocol: 'tcp',
          sourcePort: 53,
          destinationPort: 40001,
          flags: TcpFlag.PSH | TcpFlag.ACK,
          seq,
        },
        payload,
      });
    const result = run([
      tcp(0, 5000, stream.subarray(0, cut)),
      tcp(1, 5000 + cut, stream.subarray(cut)),
      ...connection(10, POD, 50000),
    ]);
    expect(result.counts).toMatchObject({ dnsNamesLearned: 100 });
    const syn = recordsOf(result).find((r) => r.SourceIp === POD && r.TcpFlags === 'SYN');
    expect(syn?.DestinationFqdn).toBe('many.example');
  });

  it('a damaged DNS response costs nothing else of the batch', () => {
    const damaged = frame('NodeToPod', 0, {
      source: DNS,
      destination: POD,
      transport: { protocol: 'udp', sourcePort: 53, destinationPort: 40000 },
      payload: bytes(0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1),
    });
    const result = run([damaged, ...connection(10, POD, 50000)]);
    expect(result.problems).toEqual([]);
    expect(result.counts).toMatchObject({ failed: 0, matched: 8, dnsNamesLearned: 0 });
  });
});

describe('DNS names on flow records', () => {
  it("the initiator's lookup names the flow, kept for its later records after the name expired", () => {
    const state = createPartitionState();
    // TTL 60 s; the connection starts 50 s later and goes on past the expiry and a 60 s interval.
    const opening = connection(50_000, POD, 50000).slice(0, 4);
    const later = frame('NodeToPod', 115_000, {
      source: SERVER,
      destination: POD,
      transport: { protocol: 'tcp', sourcePort: 443, destinationPort: 50000, flags: TcpFlag.ACK },
    });
    const result = run(
      [dnsAnswer(0, POD, 'www.example.com', SERVER, 60), ...opening, later],
      'FlowSummary',
      state,
    );
    const flows = [...recordsOf(result), ...flushed(state)].filter((r) => r.CaptureLevel === 'FlowSummary');
    expect(flows.map((r) => r.FlowEndReason)).toEqual(['interval', 'shutdown']);
    for (const flow of flows) {
      expect(flow).toMatchObject({
        SourceIp: POD,
        DestinationIp: SERVER,
        DestinationFqdn: 'www.example.com',
      });
      expect(flow.SourceFqdn).toBeUndefined();
    }
  });

  it("a flow first seen from the responder still names the initiator's destination", () => {
    const state = createPartitionState();
    const [, synAck, ...rest] = connection(10, POD, 50000);
    run([dnsAnswer(0, POD, 'www.example.com', SERVER), synAck!, ...rest], 'FlowSummary', state);
    const [flow] = flushed(state);
    expect(flow).toMatchObject({ SourceIp: POD, DestinationFqdn: 'www.example.com' });
  });
});
