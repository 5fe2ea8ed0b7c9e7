import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { readCapture } from '../../shared/capture/readCapture';
import { craftFragments, craftFrame, type CraftSpec } from '../../shared/packet/craftFrame';
import { decodePacket } from '../../shared/packet/decodePacket';
import { FragmentReassembler } from '../../shared/packet/fragmentReassembler';
import { flowKey, packetFlowId } from '../../shared/packet/flowKey';
import { LinkType } from '../../shared/packet/linkType';
import { hasSharedData, sharedPath } from '../support/sharedData';

const LINK_TYPES = [...Object.values(LinkType), 147];

const specs: CraftSpec[] = [
  {
    source: '10.0.0.1',
    destination: '10.0.0.2',
    transport: { protocol: 'tcp', sourcePort: 1, destinationPort: 80, options: new Uint8Array(12) },
    payload: 'GET / HTTP/1.1\r\n\r\n',
  },
  {
    source: '2001:db8::1',
    destination: '2001:db8::2',
    extensions: [{ type: 0 }, { type: 43 }, { type: 51 }],
    transport: { protocol: 'udp', sourcePort: 53, destinationPort: 9 },
    payload: 'q',
  },
  { source: 'fe80::1', destination: 'ff02::1', transport: { protocol: 'icmpv6', type: 135, code: 0 } },
  {
    source: '10.0.0.1',
    destination: '10.0.0.2',
    transport: { protocol: 'sctp', sourcePort: 1, destinationPort: 2 },
    vlanIds: [5, 6],
  },
];

/** Valid frames to mutate: crafted ones for every link type, plus real packets when ../shared is present. */
function seedFrames(): { linkType: number; data: Uint8Array }[] {
  const seeds = LINK_TYPES.slice(0, -1).flatMap((linkType) =>
    specs.map((spec) => ({ linkType, data: craftFrame({ ...spec, linkType }) })),
  );
  if (hasSharedData('captures/public')) {
    for (const file of [
      'zeek_vlan-qinqinq.pcap',
      'zeek_ipv6-fragmented-dns.pcap',
      'tcpdump_tcp-handshake-nano.pcap',
      'zeek_tls_openjdk-25.0.2-zeek.org.pcap',
      'ja4_tls-alpn-h2.pcap',
    ]) {
      for (const packet of readCapture(readFileSync(sharedPath('captures', 'public', file))).packets.slice(
        0,
        6,
      )) {
        seeds.push({ linkType: packet.interface.linkType, data: packet.data.slice() });
      }
    }
  }
  return seeds;
}

/** Decoding must always produce a packet and never throw; derived helpers must cope too. */
function decodeSafely(data: Uint8Array, linkType: number, originalLength: number): void {
  const packet = decodePacket(
    { frame: 1, timestampSec: 0, timestampNsec: 0, originalLength, data },
    linkType,
  );
  expect(packet.frame).toBe(1);
  if (packet.payload !== undefined) expect(packet.payload.length).toBeLessThanOrEqual(data.length);
  if (packet.malformed !== undefined) expect(packet.malformed.reason.length).toBeGreaterThan(0);
  flowKey(packet);
  packetFlowId(packet);
}

describe('decoder fuzzing', () => {
  const seeds = seedFrames();

  it('random bytes on every link type never throw', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.constantFrom(...LINK_TYPES),
        fc.nat(2000),
        (data, linkType, extra) => {
          decodeSafely(data, linkType, data.length + extra);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('mutated and truncated valid frames never throw', () => {
    const mutation = fc.record({
      seed: fc.nat(seeds.length - 1),
      flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
      cut: fc.option(fc.nat(), { nil: undefined }),
      wire: fc.nat(100),
    });
    fc.assert(
      fc.property(mutation, ({ seed, flips, cut, wire }) => {
        const { linkType, data: original } = seeds[seed]!;
        const data = original.slice();
        for (const [position, value] of flips) if (data.length > 0) data[position % data.length] = value;
        const captured = cut === undefined ? data : data.subarray(0, cut % (data.length + 1));
        decodeSafely(captured, linkType, data.length + wire);
      }),
      { numRuns: 3000 },
    );
  });

  it('the reassembler never throws and stays within its bounds on mutated fragments', () => {
    const fragments = craftFragments(
      {
        source: '10.0.0.1',
        destination: '10.0.0.2',
        transport: { protocol: 'udp', sourcePort: 1, destinationPort: 2 },
        payload: 'z'.repeat(400),
      },
      64,
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.nat(fragments.length - 1), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat(3)),
          { maxLength: 40 },
        ),
        (steps) => {
          const reassembler = new FragmentReassembler({ maxPendingDatagrams: 4, maxFragmentsPerDatagram: 8 });
          steps.forEach(([which, position, value, id], i) => {
            const data = fragments[which]!.slice();
            data[14 + 4 + (position % 2)] = id; // vary the IP id so several datagrams interleave
            data[position % data.length] = value;
            const packet = decodePacket(
              { frame: i + 1, timestampSec: i, timestampNsec: 0, originalLength: data.length, data },
              LinkType.ETHERNET,
            );
            const result = reassembler.push(packet);
            expect(['not-fragment', 'pending', 'reassembled', 'dropped']).toContain(result.kind);
            expect(reassembler.pendingDatagrams).toBeLessThanOrEqual(4);
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
