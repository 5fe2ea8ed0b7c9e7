import type { DecodedPacket } from '../../shared/packet/decodedPacket';
import { decodeTransport } from '../../shared/packet/transport';

const blank = (ipVersion: 4 | 6 = 4): DecodedPacket => ({
  frame: 1,
  timestampSec: 0,
  timestampNsec: 0,
  direction: 'unknown',
  originalLength: 0,
  data: new Uint8Array(0),
  ipVersion,
});
const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/ /g, ''), 'hex'));

describe('decodeTransport', () => {
  it.each([
    [
      'TCP SYN',
      6,
      hex('c350 0050 00000001 00000000 5002 ffff 0000 0000'),
      4,
      {
        sourcePort: 50000,
        destinationPort: 80,
        tcpSeq: 1,
        tcpAck: 0,
        tcpFlags: 0x002,
        tcpWindow: 65535,
        payloadLength: 0,
      },
    ],
    [
      'TCP with NS and payload',
      6,
      hex('0001 0002 ffffffff 80000000 5110 0100 0000 0000 6869'),
      4,
      { tcpSeq: 0xffffffff, tcpAck: 0x80000000, tcpFlags: 0x110, payloadLength: 2 },
    ],
    [
      'TCP with MSS, SACK-permitted, timestamps',
      6,
      hex('0001 0002 00000001 00000000 a002 ffff 0000 0000 020405b4 0402 080a 0000000a 0000000b 01 030307'),
      4,
      { tcpTsVal: 10, tcpTsEcr: 11, tcpWindowScale: 7, payloadLength: 0 },
    ],
    [
      'TCP with a window scale shift above 14 (kept as sent) before timestamps',
      6,
      hex('0001 0002 00000001 00000000 9002 ffff 0000 0000 01 0303ff 080a 0000000a 0000000b 00 00'),
      4,
      { tcpWindowScale: 255, tcpTsVal: 10, tcpTsEcr: 11 },
    ],
    [
      'TCP with a broken option list: no timestamps, still decoded',
      6,
      hex('0001 0002 00000001 00000000 6002 ffff 0000 0000 0809 0000'),
      4,
      { tcpFlags: 0x002, payloadLength: 0 },
    ],
    [
      'UDP',
      17,
      hex('0035 d431 000a 0000 6869'),
      4,
      { sourcePort: 53, destinationPort: 54321, payloadLength: 2 },
    ],
    ['UDP length 0 in IPv6 (jumbogram)', 17, hex('0035 d431 0000 0000 6869'), 6, { payloadLength: 2 }],
    ['ICMP echo reply', 1, hex('0000 0000 00010001 61'), 4, { icmpType: 0, icmpCode: 0, payloadLength: 1 }],
    [
      'ICMPv6 time exceeded',
      58,
      hex('0300 0000 00000000'),
      6,
      { icmpType: 3, icmpCode: 0, payloadLength: 0 },
    ],
    [
      'SCTP',
      132,
      hex('0b84 0b84 00000001 00000000 01'),
      4,
      { sourcePort: 2948, destinationPort: 2948, payloadLength: 1 },
    ],
  ])('%s', (_name, protocol, data, ipVersion, expected) => {
    const out = blank(ipVersion as 4 | 6);
    decodeTransport(out, data, 0, data.length, data.length, protocol);
    expect(out).toMatchObject(expected);
    expect(out.malformed).toBeUndefined();
  });

  it.each([
    ['empty TCP', 6, hex(''), 'TCP header needs 20 bytes, 0 captured'],
    ['empty UDP', 17, hex(''), 'UDP header needs 8 bytes, 0 captured'],
    ['UDP length 0 in IPv4', 17, hex('0035 d431 0000 0000'), 'UDP length 0 is below the header size of 8'],
    ['empty ICMPv6', 58, hex(''), 'ICMPv6 header needs 4 bytes, 0 captured'],
  ])('%s is malformed', (_name, protocol, data, reason) => {
    const out = blank(4);
    decodeTransport(out, data, 0, data.length, data.length, protocol);
    expect(out.malformed).toEqual({ layer: 'transport', reason });
    expect(out.payload).toBeUndefined();
  });

  it('finds no timestamps in an option list whose lengths overrun the header', () => {
    const out = blank();
    const data = hex('0001 0002 00000001 00000000 6002 ffff 0000 0000 0809 0000');
    decodeTransport(out, data, 0, data.length, data.length, 6);
    expect([out.tcpTsVal, out.tcpTsEcr]).toEqual([undefined, undefined]);
  });

  it('leaves other protocols alone', () => {
    const out = blank();
    decodeTransport(out, hex('0102'), 0, 2, 2, 47);
    expect([out.sourcePort, out.malformed, out.payload]).toEqual([undefined, undefined, undefined]);
  });
});
