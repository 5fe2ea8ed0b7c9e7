import { formatIp } from '../../shared/net/ipAddress';
import { craftFragments, craftFrame, type CraftSpec } from '../../shared/packet/craftFrame';
import { decodePacket } from '../../shared/packet/decodePacket';
import type { DecodedPacket } from '../../shared/packet/decodedPacket';
import { FragmentReassembler, type ReassemblyResult } from '../../shared/packet/fragmentReassembler';
import { LinkType } from '../../shared/packet/linkType';

const payload = Array.from({ length: 3000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
const udp4: CraftSpec = {
  source: '192.0.2.1',
  destination: '198.51.100.2',
  ipId: 0x1234,
  transport: { protocol: 'udp', sourcePort: 53, destinationPort: 40000 },
  payload,
};
const udp6: CraftSpec = {
  source: '2001:db8::53',
  destination: '2001:db8::99',
  extensions: [{ type: 60 }],
  transport: { protocol: 'udp', sourcePort: 53, destinationPort: 40001 },
  payload,
};
const tcp4: CraftSpec = {
  source: '10.0.0.1',
  destination: '10.0.0.2',
  transport: { protocol: 'tcp', sourcePort: 1, destinationPort: 2, flags: 0x18 },
  payload,
};

function decodeAll(frames: Uint8Array[], startSec = 100): DecodedPacket[] {
  return frames.map((data, i) =>
    decodePacket(
      { frame: i + 1, timestampSec: startSec + i, timestampNsec: 0, originalLength: data.length, data },
      LinkType.ETHERNET,
    ),
  );
}

function run(
  reassembler: FragmentReassembler,
  packets: DecodedPacket[],
  order: number[],
): ReassemblyResult[] {
  return order.map((i) => reassembler.push(packets[i]!));
}

describe('FragmentReassembler', () => {
  it.each([
    ['IPv4 in order', udp4, [0, 1, 2]],
    ['IPv4 reversed', udp4, [2, 1, 0]],
    ['IPv4 shuffled with a duplicate', udp4, [1, 1, 2, 0]],
    ['IPv6 in order (with a destination-options header inside the fragmentable part)', udp6, [0, 1, 2]],
    ['IPv6 out of order', udp6, [2, 0, 1]],
    ['IPv4 TCP', tcp4, [0, 2, 1]],
  ])('%s: the completing fragment yields the whole datagram', (_name, spec, order) => {
    const packets = decodeAll(craftFragments(spec, 1200, 77));
    expect(packets).toHaveLength(3);
    expect(packets.every((p) => p.fragment === true && p.sourcePort === undefined)).toBe(true);
    const reassembler = new FragmentReassembler();
    const results = run(reassembler, packets, order);
    expect(results.slice(0, -1).every((r) => r.kind === 'pending')).toBe(true);
    const last = results[results.length - 1]!;
    expect(last.kind).toBe('reassembled');
    const packet = (last as { packet: DecodedPacket }).packet;
    const whole = decodePacket(
      { frame: 0, timestampSec: 0, timestampNsec: 0, originalLength: 0, data: craftFrame(spec) },
      LinkType.ETHERNET,
    );
    expect([
      packet.fragment,
      packet.protocol,
      packet.sourcePort,
      packet.destinationPort,
      packet.payloadLength,
      formatIp(packet.sourceIp!),
    ]).toEqual([
      false,
      whole.protocol,
      whole.sourcePort,
      whole.destinationPort,
      whole.payloadLength,
      spec.source,
    ]);
    expect(new TextDecoder().decode(packet.payload)).toBe(payload);
    expect(packet.frame).toBe(order[order.length - 1]! + 1);
    expect(packet.reassembledFrames).toEqual([1, 2, 3]);
    expect(reassembler.pendingDatagrams).toBe(0);
    expect(reassembler.stats.reassembled).toBe(1);
  });

  it('passes non-fragments through untouched', () => {
    const [packet] = decodeAll([craftFrame(udp4)]);
    expect(new FragmentReassembler().push(packet!)).toEqual({ kind: 'not-fragment' });
  });

  it('keeps interleaved datagrams apart', () => {
    const a = decodeAll(craftFragments({ ...udp4, ipId: 1 }, 1200, 1));
    const b = decodeAll(craftFragments({ ...udp4, ipId: 2, payload: payload.toUpperCase() }, 1200, 2));
    const reassembler = new FragmentReassembler();
    const results = [a[0], b[0], a[1], b[1], b[2], a[2]].map((p) => reassembler.push(p!));
    const texts = results
      .filter((r) => r.kind === 'reassembled')
      .map((r) => new TextDecoder().decode((r as { packet: DecodedPacket }).packet.payload));
    expect(texts).toEqual([payload.toUpperCase(), payload]);
  });

  it.each([
    [
      'overlap with different bytes',
      (p: DecodedPacket[]) => [
        p[0]!,
        { ...p[1]!, fragmentOffset: 1200 - 8, payload: p[1]!.payload!.map(() => 0) },
      ],
      'overlaps frame 1 with different bytes',
    ],
    [
      'non-final fragment not a multiple of 8',
      (p: DecodedPacket[]) => [{ ...p[0]!, payload: p[0]!.payload!.subarray(0, 13), payloadLength: 13 }],
      'not a multiple of 8',
    ],
    [
      'fragment beyond 65535 bytes',
      (p: DecodedPacket[]) => [{ ...p[2]!, fragmentOffset: 65528 }],
      'beyond 65535',
    ],
    [
      'fragment captured short',
      (p: DecodedPacket[]) => [{ ...p[0]!, payloadLength: 5000 }],
      'captured short',
    ],
    [
      'two different last fragments',
      (p: DecodedPacket[]) => [
        p[2]!,
        { ...p[2]!, fragmentOffset: 8, payload: p[2]!.payload!.subarray(0, 8), payloadLength: 8 },
      ],
      'earlier last fragment',
    ],
  ])('drops the datagram on %s', (_name, build, reason) => {
    const reassembler = new FragmentReassembler();
    const results = build(decodeAll(craftFragments(udp4, 1200))).map((p) => reassembler.push(p));
    const last = results[results.length - 1]!;
    expect(last.kind).toBe('dropped');
    expect((last as { reason: string }).reason).toContain(reason);
    expect(reassembler.pendingDatagrams).toBe(0);
  });

  it('expires datagrams older than the timeout (packet time)', () => {
    const packets = decodeAll(craftFragments(udp4, 1200));
    const reassembler = new FragmentReassembler({ timeoutSec: 5 });
    reassembler.push(packets[0]!);
    const late = { ...packets[1]!, timestampSec: packets[0]!.timestampSec + 60 };
    expect(reassembler.push(late).kind).toBe('pending');
    expect(reassembler.stats.expired).toBe(1);
    expect(reassembler.pendingDatagrams).toBe(1);
  });

  it.each([
    ['datagram count', { maxPendingDatagrams: 3 }, 3],
    ['bytes', { maxPendingBytes: 1200 * 2 }, 2],
  ])('evicts the oldest datagrams beyond the %s bound', (_name, limits, kept) => {
    const reassembler = new FragmentReassembler(limits);
    for (let id = 1; id <= 10; id++)
      reassembler.push(decodeAll(craftFragments({ ...udp4, ipId: id }, 1200, id))[0]!);
    expect(reassembler.pendingDatagrams).toBe(kept);
    expect(reassembler.stats.evicted).toBe(10 - kept);
  });

  it('refuses more fragments per datagram than allowed', () => {
    const reassembler = new FragmentReassembler({ maxFragmentsPerDatagram: 2 });
    const results = run(reassembler, decodeAll(craftFragments(udp4, 600)), [0, 1, 2]);
    expect(results.map((r) => r.kind)).toEqual(['pending', 'pending', 'dropped']);
  });
});
