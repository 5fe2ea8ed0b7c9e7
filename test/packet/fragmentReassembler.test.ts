import { formatIp } from '../../shared/net/ipAddress';
import { craftFragments, craftFrame, type CraftSpec } from '../../shared/packet/craftFrame';
import { decodePacket } from '../../shared/packet/decodePacket';
import type { DecodedPacket } from '../../shared/packet/decodedPacket';
import { FragmentReassembler, type ReassemblyResult } from '../../shared/packet/fragmentReassembler';
import { LinkType } from '../../shared/packet/linkType';
import { assembleTraceRecord } from '../../shared/record/assembleRecord';

const context = { cluster: 'c', node: 'n' };
const configuration = { key: 'default/trace', captureLevel: 'AllPackets' as const };

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

  const text = (packet: DecodedPacket) => Buffer.from(packet.payload!).toString('latin1');
  it.each([
    ['the conflicting copy first: its bytes win', true],
    ['the original first: its bytes win', false],
  ])(
    'reassembles overlapping fragments with different bytes first-wins, flagged and counted (%s)',
    (_name, conflictFirst) => {
      const [p0, p1, p2] = decodeAll(craftFragments(udp4, 1200));
      const conflicting = { ...p1!, frame: 9, payload: new Uint8Array(16), payloadLength: 16 };
      const order = conflictFirst ? [p0!, conflicting, p1!, p2!] : [p0!, p1!, conflicting, p2!];
      const reassembler = new FragmentReassembler();
      const results = order.map((p) => reassembler.push(p));
      const last = results[results.length - 1]!;
      expect(last.kind).toBe('reassembled');
      const packet = (last as { packet: DecodedPacket }).packet;
      // Datagram byte 1200 is UDP payload byte 1192 (after the 8-byte UDP header).
      const expected = conflictFirst
        ? payload.slice(0, 1192) + '\0'.repeat(16) + payload.slice(1208)
        : payload;
      expect(text(packet)).toBe(expected);
      expect(packet.fragmentOverlap).toBe(true);
      expect(packet.fragmentIrregular).toBeUndefined();
      expect(reassembler.stats).toMatchObject({ reassembled: 1, overlaps: 1, dropped: 0 });
      expect(assembleTraceRecord(packet, context, configuration, undefined, undefined)).toMatchObject({
        IpFragmentOverlap: true,
      });
    },
  );

  it('accepts a non-final fragment whose length is not a multiple of 8, flagged and counted', () => {
    const [p0, p1, p2] = decodeAll(craftFragments(udp4, 1200));
    const long = new Uint8Array(1204);
    long.set(p0!.payload!, 0);
    long.set(p1!.payload!.subarray(0, 4), 1200);
    const reassembler = new FragmentReassembler();
    const results = [{ ...p0!, payload: long, payloadLength: 1204 }, p1!, p2!].map((p) =>
      reassembler.push(p),
    );
    const packet = (results[2] as { packet: DecodedPacket }).packet;
    expect(text(packet)).toBe(payload);
    expect(packet.fragmentIrregular).toBe(true);
    expect(packet.fragmentOverlap).toBeUndefined();
    expect(reassembler.stats).toMatchObject({ reassembled: 1, irregular: 1, overlaps: 0 });
    expect(assembleTraceRecord(packet, context, configuration, undefined, undefined)).toMatchObject({
      IpFragmentIrregular: true,
    });
  });

  it('flags nothing on clean fragments', () => {
    const reassembler = new FragmentReassembler();
    const results = decodeAll(craftFragments(udp4, 1200)).map((p) => reassembler.push(p));
    const packet = (results[2] as { packet: DecodedPacket }).packet;
    const record = assembleTraceRecord(packet, context, configuration, undefined, undefined);
    expect([record.IpFragmentOverlap, record.IpFragmentIrregular]).toEqual([undefined, undefined]);
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
