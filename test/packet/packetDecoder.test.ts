import { PcapngWriter } from '../../shared/capture/pcapngWriter';
import { readCapture } from '../../shared/capture/readCapture';
import { craftFragments, craftFrame } from '../../shared/packet/craftFrame';
import { PacketDecoder } from '../../shared/packet/packetDecoder';

const udp = {
  source: '10.0.0.1',
  destination: '10.0.0.2',
  transport: { protocol: 'udp', sourcePort: 53, destinationPort: 9 },
} as const;

function batch(): Uint8Array {
  const writer = new PcapngWriter();
  const eth = writer.addInterface({ linkType: 1, name: 'NodeToPod/eth0' });
  const odd = writer.addInterface({ linkType: 127, name: 'wlan0' });
  const add = (interfaceIndex: number, data: Uint8Array): void =>
    writer.addPacket({ interfaceIndex, timestampSec: 1, timestampNsec: 0, data });
  add(eth, craftFrame({ ...udp, payload: 'whole' }));
  for (const fragment of craftFragments({ ...udp, payload: 'f'.repeat(100) }, 48)) add(eth, fragment);
  add(odd, new Uint8Array(30));
  add(odd, new Uint8Array(30));
  add(eth, new Uint8Array(5));
  return writer.toBytes();
}

describe('PacketDecoder', () => {
  it('decodes, reassembles, counts and reports an unsupported interface once', () => {
    const decoder = new PacketDecoder();
    const out = readCapture(batch()).packets.map((p) => decoder.decode(p));
    expect(out.map((p) => [p.frame, p.fragment ?? false, p.sourcePort, p.tracePoint])).toEqual([
      [1, false, 53, 'NodeToPod'],
      [2, true, undefined, 'NodeToPod'],
      [3, true, undefined, 'NodeToPod'],
      [4, false, 53, 'NodeToPod'],
      [5, false, undefined, undefined],
      [6, false, undefined, undefined],
      [7, false, undefined, 'NodeToPod'],
    ]);
    expect(out[3]!.reassembledFrames).toEqual([2, 3, 4]);
    expect(decoder.stats).toEqual({
      packets: 7,
      malformed: { link: 3, network: 0, transport: 0 },
      datagramsPending: 0,
      reassembled: 1,
      fragmentOverlaps: 0,
      fragmentIrregular: 0,
      fragmentsDropped: 0,
    });
    expect(decoder.unsupportedInterfaces).toEqual(['interface 1 (wlan0): link type 127 is not supported']);
  });

  it('starts empty', () => {
    const decoder = new PacketDecoder();
    expect([decoder.stats.packets, decoder.unsupportedInterfaces]).toEqual([0, []]);
  });

  it('counts a dropped datagram and pending ones', () => {
    const decoder = new PacketDecoder({ maxFragmentsPerDatagram: 1 });
    const frames = craftFragments({ ...udp, payload: 'f'.repeat(100) }, 48);
    const iface = { linkType: 1 };
    frames.forEach((data, i) =>
      decoder.decode({
        frame: i + 1,
        timestampSec: 0,
        timestampNsec: 0,
        originalLength: data.length,
        data,
        interface: iface,
      }),
    );
    expect([decoder.stats.fragmentsDropped, decoder.stats.reassembled]).toEqual([1, 0]);
  });

  it('counts datagrams reassembled from overlapping fragments with different bytes', () => {
    const decoder = new PacketDecoder();
    const frames = craftFragments({ ...udp, payload: 'f'.repeat(100) }, 48);
    const iface = { linkType: 1 };
    const second = frames[1]!;
    const conflicting = Uint8Array.from(second);
    conflicting[conflicting.length - 10] = 0x99;
    const out = [frames[0]!, conflicting, second, ...frames.slice(2)].map((data, i) =>
      decoder.decode({
        frame: i + 1,
        timestampSec: 0,
        timestampNsec: 0,
        originalLength: data.length,
        data,
        interface: iface,
      }),
    );
    expect(out.filter((p) => p.fragmentOverlap === true)).toHaveLength(1);
    expect([
      decoder.stats.reassembled,
      decoder.stats.fragmentOverlaps,
      decoder.stats.fragmentsDropped,
    ]).toEqual([1, 1, 0]);
  });
});
