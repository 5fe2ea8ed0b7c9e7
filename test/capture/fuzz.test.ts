import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import type { CaptureEvent } from '../../shared/capture/capturePacket';
import { PcapngWriter, type PcapngPacketSpec } from '../../shared/capture/pcapngWriter';
import { writePcap } from '../../shared/capture/pcapWriter';
import { readCapture, readCaptureStream } from '../../shared/capture/readCapture';
import { TRACE_POINTS } from '../../shared/packet/decodedPacket';

const packetArb = fc.record({
  interfaceIndex: fc.nat(2),
  timestampSec: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  timestampNsec: fc.integer({ min: 0, max: 999_999_999 }),
  data: fc.uint8Array({ maxLength: 80 }),
  extra: fc.nat(1000),
  direction: fc.constantFrom('inbound' as const, 'outbound' as const, 'unknown' as const),
  comment: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
});
const interfaceArb = fc.record({
  linkType: fc.constantFrom(0, 1, 101, 113, 228, 229, 276),
  tracePoint: fc.constantFrom(...TRACE_POINTS),
  ifName: fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/),
});

function build(
  littleEndian: boolean,
  interfaces: { linkType: number; tracePoint: string; ifName: string }[],
  packets: (typeof packetArb extends fc.Arbitrary<infer T> ? T : never)[],
): Uint8Array {
  const writer = new PcapngWriter({ userApplication: 'fuzz' }, littleEndian);
  for (const iface of interfaces)
    writer.addInterface({ linkType: iface.linkType, name: `${iface.tracePoint}/${iface.ifName}` });
  for (const p of packets) {
    const spec: PcapngPacketSpec = {
      ...p,
      interfaceIndex: p.interfaceIndex % interfaces.length,
      originalLength: p.data.length + p.extra,
    };
    writer.addPacket(spec);
  }
  return writer.toBytes();
}

async function collect(stream: AsyncIterable<CaptureEvent>): Promise<CaptureEvent[]> {
  const events: CaptureEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

describe('capture reader properties', () => {
  it('writer → reader round-trips every field of a trace batch', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(interfaceArb, { minLength: 1, maxLength: 3 }),
        fc.array(packetArb, { maxLength: 20 }),
        (le, interfaces, packets) => {
          const result = readCapture(build(le, interfaces, packets));
          expect(result.problems).toEqual([]);
          expect(result.interfaces.map((i) => [i.linkType, i.tracePoint, i.ifName, i.tsResolution])).toEqual(
            interfaces.map((i) => [i.linkType, i.tracePoint, i.ifName, 9]),
          );
          expect(
            result.packets.map((p) => [
              p.interface.index,
              p.timestampSec,
              p.timestampNsec,
              Array.from(p.data),
              p.originalLength,
              p.direction,
              p.comments?.[0],
            ]),
          ).toEqual(
            packets.map((p) => [
              p.interfaceIndex % interfaces.length,
              p.timestampSec,
              p.timestampNsec,
              Array.from(p.data),
              p.data.length + p.extra,
              p.direction,
              p.comment,
            ]),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('random bytes, with and without a capture magic, never throw', () => {
    const prefixes = [
      [],
      [0x0a, 0x0d, 0x0d, 0x0a],
      [0xd4, 0xc3, 0xb2, 0xa1],
      [0xa1, 0xb2, 0x3c, 0x4d],
      [0x1f, 0x8b],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...prefixes), fc.uint8Array({ maxLength: 300 }), (prefix, rest) => {
        const result = readCapture(Uint8Array.from([...prefix, ...rest]));
        expect(Array.isArray(result.packets)).toBe(true);
        expect(result.problems.every((p) => p.message.length > 0)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('mutated and truncated captures never throw and keep packets before the damage', () => {
    const pcapng = build(
      true,
      [{ linkType: 1, tracePoint: 'NodeToPod', ifName: 'eth0' }],
      Array.from({ length: 10 }, (_, i) => ({
        interfaceIndex: 0,
        timestampSec: i,
        timestampNsec: i,
        data: new Uint8Array(30 + i).fill(i),
        extra: 0,
        direction: 'inbound' as const,
        comment: undefined,
      })),
    );
    const pcap = writePcap(
      { linkType: 1 },
      Array.from({ length: 10 }, (_, i) => ({
        timestampSec: i,
        timestampNsec: 0,
        data: new Uint8Array(30 + i).fill(i),
      })),
    );
    const seeds = [pcapng, pcap, gzipSync(pcapng)];
    fc.assert(
      fc.property(
        fc.nat(seeds.length - 1),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        fc.option(fc.nat(), { nil: undefined }),
        (seed, flips, cut) => {
          const bytes = seeds[seed]!.slice();
          for (const [position, value] of flips) bytes[position % bytes.length] = value;
          const input = cut === undefined ? bytes : bytes.subarray(0, cut % (bytes.length + 1));
          const result = readCapture(input);
          for (const packet of result.packets)
            expect(packet.data.length).toBeLessThanOrEqual(input.length + 1_000_000);
          if (flips.length === 0 && seed !== 2) {
            // A packet is intact when its whole record or block (options and padding included)
            // is before the cut: the seeds' packets are contiguous, so it ends where the next starts.
            const all = readCapture(seeds[seed]!).packets;
            const intact = all.filter(
              (_packet, i) => (all[i + 1]?.offset ?? seeds[seed]!.length) <= input.length,
            );
            expect(result.packets.length).toBeGreaterThanOrEqual(intact.length);
          }
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('streaming in arbitrary chunks yields exactly what the buffer reader yields', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(packetArb, { maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }),
        async (packets, sizes) => {
          const bytes = build(true, [{ linkType: 1, tracePoint: 'PodToNode', ifName: 'veth0' }], packets);
          async function* chunks(): AsyncGenerator<Uint8Array> {
            let at = 0;
            for (let i = 0; at < bytes.length; i++) {
              const size = sizes[i % sizes.length]!;
              yield bytes.subarray(at, at + size);
              at += size;
            }
          }
          const events = await collect(readCaptureStream(chunks()));
          const streamed = events.flatMap((e) =>
            e.kind === 'packet' ? [[e.packet.frame, e.packet.timestampNsec, Array.from(e.packet.data)]] : [],
          );
          expect(streamed).toEqual(
            readCapture(bytes).packets.map((p) => [p.frame, p.timestampNsec, Array.from(p.data)]),
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});
