/**
 * Crafted frames covering Community ID and ICMP edge cases: request/reply pairs, one-way types,
 * errors quoting TCP/UDP/GRE over IPv4 and IPv6, SCTP, GRE, equal addresses. The expected values
 * in the tests beside this file were read from tshark 4.0 (`--enable-protocol communityid`) over
 * exactly these frames (see test/flow/icmpOracle.test.ts for the command).
 */
import { craftFrame, craftIpPacket, craftTransport, type CraftSpec } from '../../../shared/packet/craftFrame';

/** The IP packet an error message quotes: its header and the first `keep` bytes of its payload. */
function quote(spec: CraftSpec, keep = 8): Uint8Array {
  const transport = craftTransport(spec);
  const protocol =
    typeof spec.transport.protocol === 'number'
      ? spec.transport.protocol
      : { tcp: 6, udp: 17, icmp: 1, icmpv6: 58, sctp: 132 }[spec.transport.protocol];
  const whole = craftIpPacket(spec, transport, protocol);
  const header = spec.source.includes(':') ? 40 : 20;
  return whole.subarray(0, header + keep);
}

const tcpToWeb: CraftSpec = {
  source: '10.0.0.1',
  destination: '198.51.100.7',
  transport: { protocol: 'tcp', sourcePort: 40000, destinationPort: 443, flags: 0x18 },
  payload: 'x'.repeat(1400),
};
const udpProbe: CraftSpec = {
  source: '10.0.0.1',
  destination: '10.0.0.2',
  transport: { protocol: 'udp', sourcePort: 5353, destinationPort: 9999 },
  payload: 'probe',
};
const tcpV6: CraftSpec = {
  source: '2001:db8::1',
  destination: '2001:db8::2',
  transport: { protocol: 'tcp', sourcePort: 50000, destinationPort: 443, flags: 0x18 },
  payload: 'y'.repeat(1300),
};
const udpV6: CraftSpec = {
  source: '2001:db8::1',
  destination: '2001:db8::2',
  transport: { protocol: 'udp', sourcePort: 33434, destinationPort: 53 },
  payload: 'q',
};
const greInner: CraftSpec = {
  source: '10.0.0.1',
  destination: '10.0.0.9',
  transport: { protocol: 47 },
  payload: 'gre!',
};

/** One crafted case: a name and its frame (Ethernet). */
export interface CraftedCase {
  name: string;
  frame: Uint8Array;
}

/** The cases, in capture order (frame n is `CRAFTED_CASES[n - 1]`). */
export const CRAFTED_CASES: readonly CraftedCase[] = [
  [
    'ICMP echo request',
    {
      source: '10.0.0.1',
      destination: '10.0.0.2',
      transport: { protocol: 'icmp', type: 8, code: 0, rest: 0x00010001 },
      payload: 'ping',
    },
  ],
  [
    'ICMP echo reply',
    {
      source: '10.0.0.2',
      destination: '10.0.0.1',
      transport: { protocol: 'icmp', type: 0, code: 0, rest: 0x00010001 },
      payload: 'ping',
    },
  ],
  [
    'ICMP port unreachable quoting UDP',
    {
      source: '10.0.0.2',
      destination: '10.0.0.1',
      transport: { protocol: 'icmp', type: 3, code: 3 },
      payload: quote(udpProbe),
    },
  ],
  [
    'ICMP fragmentation needed quoting TCP',
    {
      source: '192.0.2.1',
      destination: '10.0.0.1',
      transport: { protocol: 'icmp', type: 3, code: 4, rest: 1400 },
      payload: quote(tcpToWeb),
    },
  ],
  [
    'ICMP time exceeded quoting UDP',
    {
      source: '192.0.2.1',
      destination: '10.0.0.1',
      transport: { protocol: 'icmp', type: 11, code: 0 },
      payload: quote(udpProbe),
    },
  ],
  [
    'ICMP parameter problem quoting GRE',
    {
      source: '192.0.2.1',
      destination: '10.0.0.1',
      transport: { protocol: 'icmp', type: 12, code: 0, rest: 0x14000000 },
      payload: quote(greInner),
    },
  ],
  [
    'ICMP timestamp request',
    {
      source: '10.0.0.5',
      destination: '10.0.0.1',
      transport: { protocol: 'icmp', type: 13, code: 0 },
      payload: new Uint8Array(12),
    },
  ],
  [
    'ICMP router advertisement (one of a pair)',
    {
      source: '10.0.0.254',
      destination: '224.0.0.1',
      transport: { protocol: 'icmp', type: 9, code: 0 },
      payload: new Uint8Array(8),
    },
  ],
  [
    'ICMPv6 echo request',
    {
      source: '2001:db8::1',
      destination: '2001:db8::2',
      transport: { protocol: 'icmpv6', type: 128, code: 0, rest: 0x00070001 },
      payload: 'ping6',
    },
  ],
  [
    'ICMPv6 echo reply',
    {
      source: '2001:db8::2',
      destination: '2001:db8::1',
      transport: { protocol: 'icmpv6', type: 129, code: 0, rest: 0x00070001 },
      payload: 'ping6',
    },
  ],
  [
    'ICMPv6 packet too big quoting TCP',
    {
      source: '2001:db8::fe',
      destination: '2001:db8::1',
      transport: { protocol: 'icmpv6', type: 2, code: 0, rest: 1280 },
      payload: quote(tcpV6),
    },
  ],
  [
    'ICMPv6 port unreachable quoting UDP',
    {
      source: '2001:db8::2',
      destination: '2001:db8::1',
      transport: { protocol: 'icmpv6', type: 1, code: 4 },
      payload: quote(udpV6),
    },
  ],
  [
    'ICMPv6 neighbor solicitation',
    {
      source: 'fe80::1',
      destination: 'ff02::1:ff00:2',
      transport: { protocol: 'icmpv6', type: 135, code: 0 },
      payload: new Uint8Array(16),
    },
  ],
  [
    'ICMPv6 unknown type 200 (one-way)',
    {
      source: '2001:db8::9',
      destination: '2001:db8::1',
      transport: { protocol: 'icmpv6', type: 200, code: 7 },
      payload: 'z',
    },
  ],
  [
    'SCTP over IPv4',
    {
      source: '10.0.0.9',
      destination: '10.0.0.3',
      transport: { protocol: 'sctp', sourcePort: 36412, destinationPort: 38412 },
      payload: new Uint8Array(16),
    },
  ],
  [
    'GRE over IPv4 (no ports)',
    {
      source: '10.1.1.11',
      destination: '10.1.1.10',
      transport: { protocol: 47 },
      payload: new Uint8Array(8),
    },
  ],
  [
    'UDP over IPv6',
    {
      source: '2001:db8::53',
      destination: '2001:db8::1',
      transport: { protocol: 'udp', sourcePort: 53, destinationPort: 40001 },
      payload: 'answer',
    },
  ],
  [
    'TCP between one address (ports decide)',
    {
      source: '127.0.0.1',
      destination: '127.0.0.1',
      transport: { protocol: 'tcp', sourcePort: 8080, destinationPort: 1234, flags: 0x12 },
      payload: '',
    },
  ],
].map(([name, spec]) => ({ name: name as string, frame: craftFrame(spec as CraftSpec) }));
