import { craftFrame, type CraftSpec } from '../../shared/packet/craftFrame';
import { decodePacket } from '../../shared/packet/decodePacket';
import { LinkType } from '../../shared/packet/linkType';

const tcp: CraftSpec = {
  source: '10.0.0.1',
  destination: '10.0.0.2',
  transport: { protocol: 'tcp', sourcePort: 1234, destinationPort: 80 },
  payload: 'hello',
};
const udp: CraftSpec = {
  source: '10.0.0.1',
  destination: '10.0.0.2',
  transport: { protocol: 'udp', sourcePort: 1234, destinationPort: 53 },
  payload: 'hello',
};
const v6: CraftSpec = {
  source: '2001:db8::1',
  destination: '2001:db8::2',
  transport: { protocol: 'udp', sourcePort: 1, destinationPort: 2 },
  extensions: [{ type: 0 }, { type: 60 }],
};

/** Frames cut by a snapshot length (their wire length is longer than what was captured). */
const snapped = new Set<Uint8Array>();
function snap(bytes: Uint8Array, length: number): Uint8Array {
  const cut = bytes.subarray(0, length);
  snapped.add(cut);
  return cut;
}

function mutate(spec: CraftSpec, change: (b: Buffer) => void, cut?: number): Uint8Array {
  const bytes = Buffer.from(craftFrame(spec));
  change(bytes);
  return cut === undefined ? bytes : snap(bytes, cut);
}

// Ethernet header 14 bytes; IPv4 header at 14, transport at 34; IPv6 header at 14, extensions at 54.
describe('malformed packets are reported, never thrown', () => {
  it.each([
    [
      'empty Ethernet frame',
      new Uint8Array(0),
      LinkType.ETHERNET,
      'link',
      'Ethernet header needs 14 bytes, 0 captured',
    ],
    [
      'VLAN tag cut short',
      Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x81, 0, 0, 1),
      LinkType.ETHERNET,
      'link',
      '802.1Q tag 1 is cut short at byte 14',
    ],
    [
      'SLL too short',
      new Uint8Array(10),
      LinkType.LINUX_SLL,
      'link',
      'Linux cooked (SLL) header needs 16 bytes, 10 captured',
    ],
    [
      'SLL2 too short',
      new Uint8Array(19),
      LinkType.LINUX_SLL2,
      'link',
      'Linux cooked v2 (SLL2) header needs 20 bytes, 19 captured',
    ],
    [
      'raw frame with version 5',
      Uint8Array.of(0x50),
      LinkType.RAW,
      'link',
      'raw IP frame starts with IP version 5',
    ],
    ['empty raw frame', new Uint8Array(0), LinkType.RAW, 'link', 'raw IP frame is empty'],
    [
      'loopback unknown family',
      Uint8Array.of(7, 0, 0, 0),
      LinkType.NULL,
      'link',
      'loopback address family 7 is not IPv4 or IPv6',
    ],
    ['unsupported link type', new Uint8Array(20), 147, 'link', 'link type 147 is not supported'],
    [
      'IPv4 header cut',
      snap(craftFrame(tcp), 30),
      LinkType.ETHERNET,
      'network',
      'IPv4 header needs 20 bytes, 16 captured',
    ],
    [
      'IPv4 wrong version',
      mutate(tcp, (b) => (b[14] = 0x65)),
      LinkType.ETHERNET,
      'network',
      'IPv4 header has version 6',
    ],
    [
      'IPv4 IHL below 5',
      mutate(tcp, (b) => (b[14] = 0x44)),
      LinkType.ETHERNET,
      'network',
      'IPv4 header length 16 is below the minimum of 20',
    ],
    [
      'IPv4 IHL beyond capture',
      mutate(tcp, (b) => (b[14] = 0x4f), 50),
      LinkType.ETHERNET,
      'network',
      'IPv4 header length 60 exceeds the 36 captured bytes',
    ],
    [
      'IPv4 total length below header',
      mutate(tcp, (b) => b.writeUInt16BE(12, 16)),
      LinkType.ETHERNET,
      'network',
      'IPv4 total length 12 is below the header length 20',
    ],
    [
      'IPv4 total length beyond frame',
      mutate(tcp, (b) => b.writeUInt16BE(900, 16)),
      LinkType.ETHERNET,
      'network',
      'IPv4 total length 900 exceeds the 45 bytes left in the frame',
    ],
    [
      'IPv6 header cut',
      snap(craftFrame(v6), 40),
      LinkType.ETHERNET,
      'network',
      'IPv6 header needs 40 bytes, 26 captured',
    ],
    [
      'IPv6 wrong version',
      mutate(v6, (b) => (b[14] = 0x40)),
      LinkType.ETHERNET,
      'network',
      'IPv6 header has version 4',
    ],
    [
      'IPv6 payload length beyond frame',
      mutate(v6, (b) => b.writeUInt16BE(500, 18)),
      LinkType.ETHERNET,
      'network',
      'IPv6 payload length 500 exceeds the 24 bytes left in the frame',
    ],
    [
      'IPv6 extension header overruns',
      mutate(v6, (b) => (b[55] = 9)),
      LinkType.ETHERNET,
      'network',
      'IPv6 hop-by-hop options header at byte 54 is cut short (24 bytes left)',
    ],
    [
      'TCP header cut to 3 bytes',
      snap(craftFrame(tcp), 37),
      LinkType.ETHERNET,
      'transport',
      'TCP header needs 20 bytes, 3 captured',
    ],
    [
      'TCP data offset below 5',
      mutate(tcp, (b) => (b[46] = 0x40)),
      LinkType.ETHERNET,
      'transport',
      'TCP data offset 4 is below the minimum of 5',
    ],
    [
      'TCP data offset beyond segment',
      mutate(tcp, (b) => (b[46] = 0xf0)),
      LinkType.ETHERNET,
      'transport',
      'TCP header length 60 exceeds the 25-byte segment',
    ],
    [
      'UDP header cut',
      snap(craftFrame(udp), 40),
      LinkType.ETHERNET,
      'transport',
      'UDP header needs 8 bytes, 6 captured',
    ],
    [
      'UDP length below 8',
      mutate(udp, (b) => b.writeUInt16BE(4, 38)),
      LinkType.ETHERNET,
      'transport',
      'UDP length 4 is below the header size of 8',
    ],
    [
      'UDP length beyond IP payload',
      mutate(udp, (b) => b.writeUInt16BE(99, 38)),
      LinkType.ETHERNET,
      'transport',
      'UDP length 99 exceeds the 13-byte IP payload',
    ],
    [
      'ICMP cut to 1 byte',
      snap(craftFrame({ ...tcp, transport: { protocol: 'icmp', type: 8, code: 0 } }), 35),
      LinkType.ETHERNET,
      'transport',
      'ICMP header needs 4 bytes, 1 captured',
    ],
    [
      'SCTP cut',
      snap(craftFrame({ ...tcp, transport: { protocol: 'sctp', sourcePort: 1, destinationPort: 2 } }), 40),
      LinkType.ETHERNET,
      'transport',
      'SCTP common header needs 12 bytes, 6 captured',
    ],
  ])('%s', (_name, data, linkType, layer, reason) => {
    // A frame cut by the snapshot length was longer on the wire.
    const originalLength = snapped.has(data) ? data.length + 1000 : data.length;
    const packet = decodePacket(
      { frame: 1, timestampSec: 0, timestampNsec: 0, originalLength, data },
      linkType,
    );
    expect(packet.malformed).toEqual({ layer, reason });
  });

  it('decodes what a snaplen-truncated TCP header still holds, as Wireshark does', () => {
    const full = craftFrame({
      ...tcp,
      transport: {
        protocol: 'tcp',
        sourcePort: 1234,
        destinationPort: 80,
        flags: 0x02,
        options: new Uint8Array(20),
      },
    });
    const data = full.subarray(0, 14 + 20 + 30);
    const packet = decodePacket(
      { frame: 1, timestampSec: 0, timestampNsec: 0, originalLength: full.length, data },
      LinkType.ETHERNET,
    );
    expect([
      packet.sourcePort,
      packet.destinationPort,
      packet.tcpFlags,
      packet.payloadLength,
      packet.malformed?.reason,
    ]).toEqual([1234, 80, 0x02, 5, 'TCP header length 40 exceeds the 30 captured bytes']);
  });

  it('keeps a snaplen-truncated payload with its length from the headers, not malformed', () => {
    const full = craftFrame({ ...udp, payload: 'x'.repeat(100) });
    const packet = decodePacket(
      {
        frame: 1,
        timestampSec: 0,
        timestampNsec: 0,
        originalLength: full.length,
        data: full.subarray(0, 60),
      },
      LinkType.ETHERNET,
    );
    expect([packet.payload?.length, packet.payloadLength, packet.malformed]).toEqual([18, 100, undefined]);
  });

  it('ignores Ethernet trailer padding after the IP datagram', () => {
    const frame = Buffer.concat([craftFrame({ ...udp, payload: '' }), new Uint8Array(18)]);
    const packet = decodePacket(
      { frame: 1, timestampSec: 0, timestampNsec: 0, originalLength: frame.length, data: frame },
      LinkType.ETHERNET,
    );
    expect([packet.payload?.length, packet.payloadLength, packet.malformed]).toEqual([0, 0, undefined]);
  });

  it('takes the frame length for an IPv4 total length of 0 (TCP segmentation offload)', () => {
    const packet = decodePacket(
      {
        frame: 1,
        timestampSec: 0,
        timestampNsec: 0,
        originalLength: 0,
        data: mutate(tcp, (b) => b.writeUInt16BE(0, 16)),
      },
      LinkType.ETHERNET,
    );
    expect([packet.sourcePort, packet.payloadLength, packet.malformed]).toEqual([1234, 5, undefined]);
  });
});
