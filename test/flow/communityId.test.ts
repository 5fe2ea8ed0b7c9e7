import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { communityIdOf, packetCommunityId } from '../../shared/flow/communityId';
import { parseIp } from '../../shared/net/ipAddress';
import { decodePacket } from '../../shared/packet/decodePacket';
import type { DecodedPacket } from '../../shared/packet/decodedPacket';
import { LinkType } from '../../shared/packet/linkType';
import { CRAFTED_CASES } from './support/icmpFrames';

const ICMP_PAIRS: Record<number, number> = {
  8: 0,
  0: 8,
  13: 14,
  14: 13,
  15: 16,
  16: 15,
  10: 9,
  9: 10,
  17: 18,
  18: 17,
};
const ICMPV6_PAIRS: Record<number, number> = {
  128: 129,
  129: 128,
  130: 131,
  131: 130,
  133: 134,
  134: 133,
  135: 136,
  136: 135,
  139: 140,
  140: 139,
  144: 145,
  145: 144,
};

/** The spec's pseudo code, literally, over node:crypto (the reference the fast implementation must equal). */
function reference(
  proto: number,
  saddr: Uint8Array,
  daddr: Uint8Array,
  sport: number,
  dport: number,
  seed = 0,
): string {
  let oneWay = false;
  let ports = proto === 6 || proto === 17 || proto === 132;
  if (proto === 1 || proto === 58) {
    ports = true;
    const pair = (proto === 1 ? ICMP_PAIRS : ICMPV6_PAIRS)[sport];
    // A request/reply type hashes its counterpart as the port; any other keeps its code, one-way.
    if (pair === undefined) oneWay = true;
    else dport = pair;
  }
  const key = (ip: Uint8Array, port: number) =>
    Buffer.concat([Buffer.from(ip), Buffer.from([port >> 8, port & 0xff])]);
  let [a, b, pa, pb] = [saddr, daddr, sport, dport];
  if (!oneWay && Buffer.compare(key(saddr, ports ? sport : 0), key(daddr, ports ? dport : 0)) > 0) {
    [a, b, pa, pb] = [daddr, saddr, dport, sport];
  }
  const parts = [
    Buffer.from([seed >> 8, seed & 0xff]),
    Buffer.from(a),
    Buffer.from(b),
    Buffer.from([proto, 0]),
  ];
  if (ports) parts.push(Buffer.from([pa >> 8, pa & 0xff, pb >> 8, pb & 0xff]));
  return `1:${createHash('sha1').update(Buffer.concat(parts)).digest('base64')}`;
}

const ip = (text: string): Uint8Array => parseIp(text)!;

describe('communityIdOf', () => {
  it.each([
    // The example of the spec and pycommunityid's README.
    ['TCP, spec example', 6, '128.232.110.120', '66.35.250.204', 34855, 80, '1:LQU9qZlK+B5F3KDmev6m5PMibrg='],
    [
      'TCP, spec example reversed',
      6,
      '66.35.250.204',
      '128.232.110.120',
      80,
      34855,
      '1:LQU9qZlK+B5F3KDmev6m5PMibrg=',
    ],
    // Values Wireshark 4.0 gives on the public captures (oracle-flows) and on crafted frames.
    [
      'TCP, dpkt_http.pcap frame 1',
      6,
      '145.254.160.237',
      '65.208.228.223',
      3372,
      80,
      '1:D0Hb5PnRilB52ktTszXCb9PSY8M=',
    ],
    [
      'GRE has no ports (tcpdump_pptp.pcap frame 16)',
      47,
      '10.1.1.11',
      '10.1.1.10',
      -1,
      -1,
      '1:aBYJw1JiOrWkwb1XzUnzmn5hDW0=',
    ],
    ['ICMP echo request', 1, '10.0.0.1', '10.0.0.2', 8, 0, '1:YcMyyWJfhc95EW1GfXt6jlZ3DiQ='],
    ['ICMP echo reply is the same flow', 1, '10.0.0.2', '10.0.0.1', 0, 0, '1:YcMyyWJfhc95EW1GfXt6jlZ3DiQ='],
    [
      'ICMP unreachable is one-way (type, code; not reordered)',
      1,
      '10.0.0.2',
      '10.0.0.1',
      3,
      3,
      '1:LhjXG72oBqb/FpYqPl9LboG4/B4=',
    ],
    ['ICMPv6 echo request', 58, '2001:db8::1', '2001:db8::2', 128, 0, '1:u2vMS3HiWth2lIMKHB1fjELshpQ='],
    [
      'ICMPv6 echo reply is the same flow',
      58,
      '2001:db8::2',
      '2001:db8::1',
      129,
      0,
      '1:u2vMS3HiWth2lIMKHB1fjELshpQ=',
    ],
    [
      'ICMPv6 unknown type is one-way',
      58,
      '2001:db8::9',
      '2001:db8::1',
      200,
      7,
      '1:JyuLUY4VxaNNC+jyJGZWF98THiA=',
    ],
    ['SCTP', 132, '10.0.0.9', '10.0.0.3', 36412, 38412, '1:hCKdjydHrzToee0ZWocc8evQzzE='],
    ['UDP over IPv6', 17, '2001:db8::53', '2001:db8::1', 53, 40001, '1:jOYQRuLnhdDnaQ5ClvA3Tw6UIug='],
    [
      'one address: the ports decide the order',
      6,
      '127.0.0.1',
      '127.0.0.1',
      8080,
      1234,
      '1:kFwaaooIP1RJd+4sH0YCQiXBgKU=',
    ],
  ])('%s', (_name, proto, src, dst, sport, dport, expected) => {
    expect(communityIdOf(proto, ip(src), ip(dst), sport, dport)).toBe(expected);
    expect(reference(proto, ip(src), ip(dst), sport, dport)).toBe(expected);
  });

  it('equals the spec pseudo code for any tuple, protocol and seed, and both directions agree', () => {
    const v4 = fc.uint8Array({ minLength: 4, maxLength: 4 });
    const v6 = fc.uint8Array({ minLength: 16, maxLength: 16 });
    const port = fc.nat(65535);
    const proto = fc.oneof(fc.constantFrom(1, 6, 17, 58, 132, 47, 0, 255), fc.nat(255));
    fc.assert(
      fc.property(
        fc.oneof(fc.tuple(v4, v4), fc.tuple(v6, v6)),
        port,
        port,
        proto,
        fc.nat(65535),
        ([s, d], sp, dp, p, seed) => {
          const icmp = p === 1 || p === 58;
          const sport = icmp ? sp & 0xff : sp;
          const dport = icmp ? dp & 0xff : dp;
          const ours = communityIdOf(p, s, d, sport, dport, seed);
          expect(ours).toBe(reference(p, s, d, sport, dport, seed));
          if (p !== 1 && p !== 58) expect(communityIdOf(p, d, s, dport, sport, seed)).toBe(ours);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('packetCommunityId', () => {
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

  it.each(CRAFTED_CASES.map((c, i) => [c.name, i] as const))('%s: as tshark 4.0 gives it', (_name, index) => {
    const expected = [
      '1:YcMyyWJfhc95EW1GfXt6jlZ3DiQ=',
      '1:YcMyyWJfhc95EW1GfXt6jlZ3DiQ=',
      '1:LhjXG72oBqb/FpYqPl9LboG4/B4=',
      '1:gt80W37XxkDgkh1JO7/KA4ekOy4=',
      '1:Wap0XNYY5DLdslrRk1+LXijro4U=',
      '1:oIABzipEQSWNpr+aIsysP22ZSsk=',
      '1:FTzKw1eurKLeLdyl51nWJ/7sIh8=',
      '1:KDtIOkv6uzc+/q9Usi5BqXX+1Pg=',
      '1:u2vMS3HiWth2lIMKHB1fjELshpQ=',
      '1:u2vMS3HiWth2lIMKHB1fjELshpQ=',
      '1:jo8C0T5d8MqnS7Nax6x05veuCRA=',
      '1:qxd1LeYGiZWewhdgFCEH4g39f1w=',
      '1:6GkV4Q23CW9hmt4IlBap+Dis6uk=',
      '1:JyuLUY4VxaNNC+jyJGZWF98THiA=',
      '1:hCKdjydHrzToee0ZWocc8evQzzE=',
      '1:aBYJw1JiOrWkwb1XzUnzmn5hDW0=',
      '1:jOYQRuLnhdDnaQ5ClvA3Tw6UIug=',
      '1:kFwaaooIP1RJd+4sH0YCQiXBgKU=',
    ][index];
    expect(packetCommunityId(decode(CRAFTED_CASES[index]!.frame))).toBe(expected);
  });

  it.each([
    ['no IP layer', {}],
    [
      'addresses of different families',
      { sourceIp: ip('10.0.0.1'), destinationIp: ip('::1'), protocol: 6, sourcePort: 1, destinationPort: 2 },
    ],
    [
      'TCP without ports (truncated header)',
      { sourceIp: ip('10.0.0.1'), destinationIp: ip('10.0.0.2'), protocol: 6 },
    ],
    ['ICMP without a type', { sourceIp: ip('10.0.0.1'), destinationIp: ip('10.0.0.2'), protocol: 1 }],
    [
      'a fragment of an unknown protocol',
      { sourceIp: ip('10.0.0.1'), destinationIp: ip('10.0.0.2'), protocol: 47, fragment: true },
    ],
  ])('is absent for %s', (_name, fields) => {
    expect(packetCommunityId(fields as DecodedPacket)).toBeUndefined();
  });
});
