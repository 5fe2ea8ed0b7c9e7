import { formatIp } from '../../shared/net/ipAddress';
import { craftFrame, type CraftSpec } from '../../shared/packet/craftFrame';
import { decodePacket } from '../../shared/packet/decodePacket';
import type { DecodedPacket } from '../../shared/packet/decodedPacket';
import { LinkType } from '../../shared/packet/linkType';

const decode = (data: Uint8Array, linkType: number, originalLength = data.length): DecodedPacket =>
  decodePacket({ frame: 7, timestampSec: 1, timestampNsec: 2, originalLength, data }, linkType);

const summary = (p: DecodedPacket): unknown => ({
  ipVersion: p.ipVersion,
  source: p.sourceIp && formatIp(p.sourceIp),
  destination: p.destinationIp && formatIp(p.destinationIp),
  protocol: p.protocol,
  ports: p.sourcePort === undefined ? undefined : [p.sourcePort, p.destinationPort],
  payload: p.payload && new TextDecoder().decode(p.payload),
  payloadLength: p.payloadLength,
  malformed: p.malformed,
});

const tcp: CraftSpec = {
  source: '10.0.0.1',
  destination: '10.0.0.2',
  transport: {
    protocol: 'tcp',
    sourcePort: 40000,
    destinationPort: 80,
    seq: 0xfffffff0,
    ack: 7,
    flags: 0x1d2,
  },
  payload: 'GET / HTTP/1.1\r\n',
};
const udp6: CraftSpec = {
  source: '2001:db8::1',
  destination: 'fe80::2',
  transport: { protocol: 'udp', sourcePort: 5353, destinationPort: 53 },
  payload: 'dns',
};

describe('decodePacket across link types', () => {
  it.each([
    ['Ethernet', LinkType.ETHERNET, tcp],
    ['Ethernet 802.1Q', LinkType.ETHERNET, { ...tcp, vlanIds: [42] }],
    ['Ethernet QinQ', LinkType.ETHERNET, { ...tcp, vlanIds: [100, 42] }],
    ['Ethernet triple tag', LinkType.ETHERNET, { ...udp6, vlanIds: [1, 2, 3] }],
    ['Linux SLL', LinkType.LINUX_SLL, udp6],
    ['Linux SLL2', LinkType.LINUX_SLL2, tcp],
    ['raw (101) IPv4', LinkType.RAW, tcp],
    ['raw (101) IPv6', LinkType.RAW, udp6],
    ['DLT_RAW 12', LinkType.RAW_DLT12, udp6],
    ['DLT_RAW 14', LinkType.RAW_DLT14, tcp],
    ['LINKTYPE_IPV4', LinkType.IPV4, tcp],
    ['LINKTYPE_IPV6', LinkType.IPV6, udp6],
    ['BSD NULL IPv4', LinkType.NULL, tcp],
    ['BSD NULL IPv6', LinkType.NULL, udp6],
    ['OpenBSD LOOP IPv6', LinkType.LOOP, udp6],
  ])('%s', (_name, linkType, spec) => {
    const packet = decode(craftFrame({ ...spec, linkType }), linkType);
    const v6 = spec.source.includes(':');
    expect(summary(packet)).toEqual({
      ipVersion: v6 ? 6 : 4,
      source: spec.source,
      destination: spec.destination,
      protocol: v6 ? 17 : 6,
      ports: v6 ? [5353, 53] : [40000, 80],
      payload: v6 ? 'dns' : 'GET / HTTP/1.1\r\n',
      payloadLength: v6 ? 3 : 16,
      malformed: undefined,
    });
    expect(packet).toMatchObject({ frame: 7, timestampSec: 1, timestampNsec: 2, linkType });
    if (spec.vlanIds !== undefined)
      expect([packet.vlanId, packet.vlanDepth]).toEqual([spec.vlanIds[0], spec.vlanIds.length]);
  });

  it('reads TCP seq, ack, window and all 12 flag bits', () => {
    const packet = decode(craftFrame(tcp), LinkType.ETHERNET);
    expect([packet.tcpSeq, packet.tcpAck, packet.tcpFlags, packet.tcpWindow, packet.ttl]).toEqual([
      0xfffffff0, 7, 0x1d2, 65535, 64,
    ]);
  });

  it('skips TCP options to find the payload', () => {
    const options = Uint8Array.of(2, 4, 5, 0xb4, 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2);
    const packet = decode(
      craftFrame({
        ...tcp,
        transport: {
          ...(tcp.transport as object),
          protocol: 'tcp',
          sourcePort: 1,
          destinationPort: 2,
          options,
        },
      }),
      LinkType.ETHERNET,
    );
    expect(new TextDecoder().decode(packet.payload)).toBe('GET / HTTP/1.1\r\n');
  });

  it.each([
    [
      'ICMP echo',
      { source: '10.0.0.1', destination: '10.0.0.2', transport: { protocol: 'icmp', type: 8, code: 0 } },
      1,
      8,
      0,
    ],
    [
      'ICMP unreachable',
      { source: '10.0.0.1', destination: '10.0.0.2', transport: { protocol: 'icmp', type: 3, code: 3 } },
      1,
      3,
      3,
    ],
    [
      'ICMPv6 neighbour solicitation',
      { source: 'fe80::1', destination: 'ff02::1', transport: { protocol: 'icmpv6', type: 135, code: 0 } },
      58,
      135,
      0,
    ],
  ] as [string, CraftSpec, number, number, number][])('%s', (_name, spec, protocol, type, code) => {
    const packet = decode(craftFrame(spec), LinkType.ETHERNET);
    expect([packet.protocol, packet.icmpType, packet.icmpCode, packet.sourcePort, packet.malformed]).toEqual([
      protocol,
      type,
      code,
      undefined,
      undefined,
    ]);
  });

  it('reads SCTP ports', () => {
    const packet = decode(
      craftFrame({
        source: '10.0.0.1',
        destination: '10.0.0.2',
        transport: { protocol: 'sctp', sourcePort: 3868, destinationPort: 38412 },
        payload: 'x',
      }),
      LinkType.ETHERNET,
    );
    expect([packet.protocol, packet.sourcePort, packet.destinationPort, packet.payloadLength]).toEqual([
      132, 3868, 38412, 1,
    ]);
  });

  it('leaves unknown protocols with the IP payload', () => {
    const packet = decode(
      craftFrame({
        source: '10.0.0.1',
        destination: '10.0.0.2',
        transport: { protocol: 47 },
        payload: 'gre!',
      }),
      LinkType.ETHERNET,
    );
    expect([
      packet.protocol,
      packet.sourcePort,
      new TextDecoder().decode(packet.payload),
      packet.malformed,
    ]).toEqual([47, undefined, 'gre!', undefined]);
  });

  it('decodes a non-IP Ethernet frame (ARP) without calling it malformed', () => {
    const frame = new Uint8Array(42);
    frame[12] = 0x08;
    frame[13] = 0x06;
    const packet = decode(frame, LinkType.ETHERNET);
    expect([packet.etherType, packet.ipVersion, packet.malformed]).toEqual([0x0806, undefined, undefined]);
  });

  it('keeps interface name, trace point and direction', () => {
    const packet = decodePacket(
      {
        frame: 1,
        timestampSec: 0,
        timestampNsec: 0,
        originalLength: 0,
        data: new Uint8Array(0),
        direction: 'outbound',
        interface: { name: 'PodToNode/veth1', tracePoint: 'PodToNode' },
      },
      LinkType.ETHERNET,
    );
    expect([packet.interfaceName, packet.tracePoint, packet.direction]).toEqual([
      'PodToNode/veth1',
      'PodToNode',
      'outbound',
    ]);
  });

  it('returns views into the frame, not copies', () => {
    const data = craftFrame(tcp);
    const packet = decode(data, LinkType.ETHERNET);
    expect(packet.sourceIp!.buffer).toBe(data.buffer);
    expect(packet.payload!.buffer).toBe(data.buffer);
  });
});
