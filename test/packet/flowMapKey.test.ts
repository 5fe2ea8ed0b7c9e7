import fc from 'fast-check';
import { compareEnds, flowMapKey, sourceEndFirst } from '../../shared/packet/flowKey';
import { parseIp } from '../../shared/net/ipAddress';
import type { DecodedPacket } from '../../shared/packet/decodedPacket';
import { packet, packetWithoutIp } from '../match/support/builders';

/** The key as specified: protocol, then each (port, address bytes) end in normal order. */
function referenceKey(p: DecodedPacket): string {
  const ends: [number, Uint8Array][] = [
    [p.sourcePort ?? 0, p.sourceIp!],
    [p.destinationPort ?? 0, p.destinationIp!],
  ];
  if (compareEnds(ends[0]![1], ends[0]![0], ends[1]![1], ends[1]![0]) > 0) ends.reverse();
  return String.fromCharCode(p.protocol ?? 0xffff, ...ends.flatMap(([port, ip]) => [port, ...ip]));
}

describe('flowMapKey', () => {
  it('equals the specified key for any IPv4 or IPv6 packet, and both directions share it', () => {
    const address = fc.oneof(fc.ipV4(), fc.ipV6());
    fc.assert(
      fc.property(
        address,
        address,
        fc.nat(65535),
        fc.nat(65535),
        fc.constantFrom<'TCP' | 'UDP'>('TCP', 'UDP'),
        (src, dst, sport, dport, proto) => {
          fc.pre(src.includes(':') === dst.includes(':'));
          const forward = packet({ src, dst, sport, dport, proto });
          const reverse = packet({ src: dst, dst: src, sport: dport, dport: sport, proto });
          expect(flowMapKey(forward)).toBe(referenceKey(forward));
          expect(flowMapKey(reverse)).toBe(flowMapKey(forward));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('builds the right key whatever the previous packet was (mixed address lengths included)', () => {
    const v6 = packet({ src: '2001:db8::1', dst: '2001:db8::2', sport: 1, dport: 2 });
    const mixed = {
      ...packet({ src: '10.0.0.1', dst: '10.0.0.2', sport: 3, dport: 4 }),
      destinationIp: parseIp('2001:db8::9')!,
    };
    const v4 = packet({ src: '10.0.0.1', dst: '10.0.0.2', sport: 3, dport: 4 });
    for (const p of [v6, mixed, v6, v4, mixed, mixed, v6]) expect(flowMapKey(p)).toBe(referenceKey(p));
  });

  it.each([
    [
      { src: '10.0.0.1', dst: '10.0.0.2', sport: 1000, dport: 80 },
      { src: '10.0.0.2', dst: '10.0.0.1', sport: 80, dport: 1000 },
    ],
    [
      { src: '2001:db8::1', dst: '2001:db8::2', sport: 1, dport: 2 },
      { src: '2001:db8::2', dst: '2001:db8::1', sport: 2, dport: 1 },
    ],
    [
      { src: '10.0.0.1', dst: '10.0.0.1', sport: 5, dport: 6 },
      { src: '10.0.0.1', dst: '10.0.0.1', sport: 6, dport: 5 },
    ],
  ])('both directions give one key: %j', (a, b) => {
    expect(flowMapKey(packet(a))).toBe(flowMapKey(packet(b)));
  });

  it.each([
    ['other port', { src: '10.0.0.1', dst: '10.0.0.2', sport: 1000, dport: 81 }],
    ['other protocol', { src: '10.0.0.1', dst: '10.0.0.2', sport: 1000, dport: 80, proto: 'UDP' as const }],
    ['other address', { src: '10.0.0.3', dst: '10.0.0.2', sport: 1000, dport: 80 }],
    ['ports swapped on one side only', { src: '10.0.0.1', dst: '10.0.0.2', sport: 80, dport: 1000 }],
  ])('distinct flows differ: %s', (_name, other) => {
    expect(flowMapKey(packet(other))).not.toBe(
      flowMapKey(packet({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1000, dport: 80 })),
    );
  });

  it('is undefined without addresses', () => {
    const bare = packetWithoutIp();
    expect(flowMapKey(bare)).toBeUndefined();
    expect(sourceEndFirst(bare)).toBe(true);
  });

  it.each([
    ['10.0.0.1', 1, '10.0.0.2', 0, -1],
    ['10.0.0.2', 0, '10.0.0.1', 1, 1],
    ['10.0.0.1', 1, '10.0.0.1', 2, -1],
    ['10.0.0.1', 2, '10.0.0.1', 2, 0],
    ['10.0.0.1', 2, '::1', 2, -12],
  ])('compareEnds(%s:%i, %s:%i) sign %i', (a, ap, b, bp, sign) => {
    expect(Math.sign(compareEnds(parseIp(a)!, ap, parseIp(b)!, bp))).toBe(Math.sign(sign));
  });
});

describe('sourceEndFirst (the side of the flow key a packet comes from)', () => {
  it.each([
    ['IPv4', { src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 80 }],
    ['IPv6', { src: '2001:db8::1', dst: '2001:db8::2', sport: 40000, dport: 443 }],
    ['same address, different ports', { src: '10.0.0.1', dst: '10.0.0.1', sport: 1, dport: 2 }],
    ['lower address, higher port', { src: '10.0.0.1', dst: '10.0.0.2', sport: 65535, dport: 1 }],
  ])('%s: the two directions are on opposite sides of one key', (_name, spec) => {
    const forward = packet(spec);
    const reverse = packet({ src: spec.dst, dst: spec.src, sport: spec.dport, dport: spec.sport });
    expect(sourceEndFirst(forward)).toBe(true);
    expect(sourceEndFirst(reverse)).toBe(false);
    expect(flowMapKey(forward)).toBe(flowMapKey(reverse));
  });

  it('is true exactly when the key lists the source end first', () => {
    const address = fc.oneof(fc.ipV4(), fc.constantFrom('10.0.0.1', '10.0.0.2'));
    const port = fc.oneof(fc.nat(65535), fc.constantFrom(53, 80));
    fc.assert(
      fc.property(address, port, address, port, (src, sport, dst, dport) => {
        const p = packet({ src, dst, sport, dport });
        const sourceFirst = String.fromCharCode(
          p.protocol!,
          sport,
          ...p.sourceIp!,
          dport,
          ...p.destinationIp!,
        );
        expect(flowMapKey(p) === sourceFirst).toBe(sourceEndFirst(p));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('flowMapKey keeps the last key only while the packet is unchanged', () => {
  it('builds a new key for the same packet object once its tuple changed', () => {
    const p = packet({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1000, dport: 80 });
    const before = flowMapKey(p);
    p.sourcePort = 1001;
    expect(flowMapKey(p)).not.toBe(before);
    expect(flowMapKey(p)).toBe(referenceKey(p));
    p.protocol = 17;
    expect(flowMapKey(p)).toBe(referenceKey(p));
    p.destinationIp = parseIp('10.0.0.3')!;
    expect(flowMapKey(p)).toBe(referenceKey(p));
  });

  it('tells IPv4 from IPv6 ends with the same bytes', () => {
    const v4 = { ...packet({ src: '0.0.0.0', dst: '0.0.0.0', sport: 0, dport: 0 }) };
    const v6 = { ...packet({ src: '::', dst: '::', sport: 0, dport: 0 }) };
    expect(flowMapKey(v4)).not.toBe(flowMapKey(v6));
  });
});
