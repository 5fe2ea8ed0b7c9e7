import { decodeIcmpQuote, isIcmpError, isIcmpv6Error } from '../../shared/packet/icmpQuote';
import { decodePacket } from '../../shared/packet/decodePacket';
import type { DecodedPacket } from '../../shared/packet/decodedPacket';
import { LinkType } from '../../shared/packet/linkType';
import { formatIp } from '../../shared/net/ipAddress';
import { assembleTraceRecord } from '../../shared/record/assembleRecord';
import { CRAFTED_CASES } from '../flow/support/icmpFrames';

const decode = (frame: Uint8Array): DecodedPacket =>
  decodePacket(
    {
      frame: 1,
      timestampSec: 0,
      timestampNsec: 0,
      originalLength: frame.length,
      data: frame,
      direction: 'unknown',
    } as never,
    LinkType.ETHERNET,
  );

const caseNamed = (name: string): DecodedPacket => decode(CRAFTED_CASES.find((c) => c.name === name)!.frame);

/** What tshark 4.0 shows for the crafted frames (icmp.type/code, then the quoted ip/tcp/udp fields). */
const TSHARK: [string, number, number, string?, string?, string?, number?, number?][] = [
  ['ICMP echo request', 8, 0],
  ['ICMP echo reply', 0, 0],
  ['ICMP port unreachable quoting UDP', 3, 3, 'UDP', '10.0.0.1', '10.0.0.2', 5353, 9999],
  ['ICMP fragmentation needed quoting TCP', 3, 4, 'TCP', '10.0.0.1', '198.51.100.7', 40000, 443],
  ['ICMP time exceeded quoting UDP', 11, 0, 'UDP', '10.0.0.1', '10.0.0.2', 5353, 9999],
  ['ICMP parameter problem quoting GRE', 12, 0, '47', '10.0.0.1', '10.0.0.9'],
  ['ICMP timestamp request', 13, 0],
  ['ICMPv6 echo request', 128, 0],
  ['ICMPv6 packet too big quoting TCP', 2, 0, 'TCP', '2001:db8::1', '2001:db8::2', 50000, 443],
  ['ICMPv6 port unreachable quoting UDP', 1, 4, 'UDP', '2001:db8::1', '2001:db8::2', 33434, 53],
  ['ICMPv6 neighbor solicitation', 135, 0],
  ['ICMPv6 unknown type 200 (one-way)', 200, 7],
];

describe('ICMP records', () => {
  // Rows padded to full length: jest would take a missing last argument for a `done` callback.
  it.each(TSHARK.map((row) => Array.from({ length: 8 }, (_, i) => row[i]) as (typeof TSHARK)[number]))(
    '%s: type %i code %i and the quoted tuple as tshark shows them',
    (name, type, code, proto, src, dst, sport, dport) => {
      const packet = caseNamed(name);
      const record = assembleTraceRecord(
        packet,
        { cluster: 'c', node: 'n' },
        { key: 'a/b', captureLevel: 'AllPackets' },
        undefined,
        undefined,
      );
      expect(record.IcmpType).toBe(type);
      expect(record.IcmpCode).toBe(code);
      expect(record.IcmpInnerProtocol).toBe(proto);
      expect(record.IcmpInnerSourceIp).toBe(src);
      expect(record.IcmpInnerDestinationIp).toBe(dst);
      expect(record.IcmpInnerSourcePort).toBe(sport);
      expect(record.IcmpInnerDestinationPort).toBe(dport);
      // The quoted header never becomes the outer record's ports or flags.
      expect(record.SourcePort).toBeUndefined();
      expect(record.DestinationPort).toBeUndefined();
      expect(record.TcpFlags).toBeUndefined();
      expect(record.Protocol).toBe(name.startsWith('ICMPv6') ? 'ICMPv6' : 'ICMP');
    },
  );

  it('TCP and UDP records carry no ICMP columns', () => {
    const record = assembleTraceRecord(
      caseNamed('UDP over IPv6'),
      { cluster: 'c', node: 'n' },
      { key: 'a/b', captureLevel: 'AllPackets' },
      undefined,
      undefined,
    );
    expect(Object.keys(record).filter((k) => k.startsWith('Icmp'))).toEqual([]);
  });
});

describe('decodeIcmpQuote', () => {
  const v4Header = (bytes: Partial<Record<number, number>>, length = 28): Uint8Array => {
    const full = new Uint8Array(28);
    const quote = full;
    quote[0] = 0x45;
    quote[9] = 17;
    quote.set([10, 0, 0, 1], 12);
    quote.set([10, 0, 0, 2], 16);
    quote.set([0x13, 0x88, 0x00, 0x35], 20);
    for (const [at, value] of Object.entries(bytes)) quote[Number(at)] = value!;
    return full.subarray(0, length);
  };
  const run = (quote: Uint8Array, version: 4 | 6): DecodedPacket => {
    const out = { frame: 1 } as DecodedPacket;
    decodeIcmpQuote(out, quote, 0, quote.length, version);
    return out;
  };
  const summary = (p: DecodedPacket) => ({
    protocol: p.icmpInnerProtocol,
    source: p.icmpInnerSourceIp && formatIp(p.icmpInnerSourceIp),
    destination: p.icmpInnerDestinationIp && formatIp(p.icmpInnerDestinationIp),
    ports:
      p.icmpInnerSourcePort === undefined ? undefined : [p.icmpInnerSourcePort, p.icmpInnerDestinationPort],
  });

  it.each([
    [
      'a whole IPv4 + UDP quote',
      v4Header({}),
      4,
      { protocol: 17, source: '10.0.0.1', destination: '10.0.0.2', ports: [5000, 53] },
    ],
    [
      'an empty quote',
      new Uint8Array(0),
      4,
      { protocol: undefined, source: undefined, destination: undefined, ports: undefined },
    ],
    [
      'a quote shorter than an IPv4 header',
      v4Header({}, 19),
      4,
      { protocol: undefined, source: undefined, destination: undefined, ports: undefined },
    ],
    [
      'an IPv6 quote in an ICMPv4 error',
      v4Header({ 0: 0x60 }),
      4,
      { protocol: undefined, source: undefined, destination: undefined, ports: undefined },
    ],
    [
      'an IHL below 5',
      v4Header({ 0: 0x44 }),
      4,
      { protocol: undefined, source: undefined, destination: undefined, ports: undefined },
    ],
    [
      'a quote cut inside the ports',
      v4Header({}, 22),
      4,
      { protocol: 17, source: '10.0.0.1', destination: '10.0.0.2', ports: undefined },
    ],
    [
      'a non-first fragment (no transport header)',
      v4Header({ 7: 1 }),
      4,
      { protocol: 17, source: '10.0.0.1', destination: '10.0.0.2', ports: undefined },
    ],
    [
      'ICMP quoted in ICMP (no ports)',
      v4Header({ 9: 1 }),
      4,
      { protocol: 1, source: '10.0.0.1', destination: '10.0.0.2', ports: undefined },
    ],
  ])('%s', (_name, quote, version, expected) => {
    expect(summary(run(quote, version as 4 | 6))).toEqual(expected);
  });

  it('follows IPv6 extension headers to the quoted transport header, and stops at a cut one', () => {
    const quote = new Uint8Array(40 + 8 + 4);
    quote[0] = 0x60;
    quote[6] = 60; // destination options
    quote[8] = 0x20;
    quote[24] = 0x20;
    quote[40] = 17; // next: UDP, length 0 (8 bytes)
    quote.set([0x00, 0x35, 0xc3, 0x50], 48);
    expect(summary(run(quote, 6))).toEqual({
      protocol: 17,
      source: '2000::',
      destination: '2000::',
      ports: [53, 50000],
    });
    expect(summary(run(quote.subarray(0, 44), 6))).toEqual({
      protocol: 60,
      source: '2000::',
      destination: '2000::',
      ports: undefined,
    });
  });

  it.each([
    [3, true],
    [4, true],
    [5, true],
    [11, true],
    [12, true],
    [0, false],
    [8, false],
    [13, false],
    [255, false],
  ])('ICMPv4 type %i is an error quoting a packet: %s', (type, expected) => {
    expect(isIcmpError(type)).toBe(expected);
  });

  it.each([
    [1, true],
    [2, true],
    [3, true],
    [4, true],
    [0, false],
    [128, false],
    [135, false],
  ])('ICMPv6 type %i is an error: %s', (type, expected) => {
    expect(isIcmpv6Error(type)).toBe(expected);
  });
});
