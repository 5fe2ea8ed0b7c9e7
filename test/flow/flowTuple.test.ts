import fc from 'fast-check';
import { compareEnds, flowMapKey, sourceEndFirst } from '../../shared/flow/flowTuple';
import { parseIp } from '../../shared/net/ipAddress';
import type { DecodedPacket } from '../../shared/packet/decodedPacket';
import { packet } from '../match/support/builders';

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
    const bare: DecodedPacket = {
      frame: 1,
      timestampSec: 0,
      timestampNsec: 0,
      direction: 'unknown',
      originalLength: 0,
      data: new Uint8Array(),
    };
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
