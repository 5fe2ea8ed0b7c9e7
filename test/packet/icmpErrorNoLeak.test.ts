import { craftFrame } from '../../shared/packet/craftFrame';
import { decodePacket } from '../../shared/packet/decodePacket';
import { LinkType } from '../../shared/packet/linkType';
import { assembleTraceRecord } from '../../shared/record/assembleRecord';
import { createL7Analyzer } from '../../shared/l7/analyzer';

/** The IPv4 header + first 8 bytes of the offending datagram, as an ICMP error quotes it (RFC 792). */
function quoted(protocol: 'tcp' | 'udp'): Uint8Array {
  const inner = craftFrame({
    source: '10.0.0.2',
    destination: '10.0.0.1',
    transport:
      protocol === 'tcp'
        ? { protocol: 'tcp', sourcePort: 443, destinationPort: 51000, flags: 0x12, seq: 1, ack: 2 }
        : { protocol: 'udp', sourcePort: 53, destinationPort: 51001 },
    payload: 'GET / HTTP/1.1\r\nHost: x\r\n\r\n',
  });
  return inner.subarray(14, 14 + 20 + 8 + 20);
}

describe('ICMP errors quoting a packet', () => {
  it.each([
    ['destination unreachable quoting TCP', 3, 3, 'tcp'],
    ['destination unreachable quoting UDP', 3, 3, 'udp'],
    ['time exceeded quoting UDP', 11, 0, 'udp'],
  ] as const)(
    '%s: the quoted ports and flags never reach the outer record',
    (_name, type, code, protocol) => {
      const frame = craftFrame({
        source: '10.0.0.254',
        destination: '10.0.0.2',
        transport: { protocol: 'icmp', type, code },
        payload: Buffer.from(quoted(protocol)).toString('latin1'),
      });
      const packet = decodePacket(
        { frame: 1, timestampSec: 1, timestampNsec: 0, originalLength: frame.length, data: frame },
        LinkType.ETHERNET,
      );
      expect(packet).toMatchObject({ protocol: 1, icmpType: type, icmpCode: code });
      expect([packet.sourcePort, packet.destinationPort, packet.tcpFlags, packet.tcpSeq]).toEqual([
        undefined,
        undefined,
        undefined,
        undefined,
      ]);
      const record = assembleTraceRecord(
        packet,
        { cluster: 'c', node: 'n' },
        { key: 'a/b', captureLevel: 'AllPackets' },
        undefined,
        undefined,
      );
      expect(record).toMatchObject({ Protocol: 'ICMP', SourceIp: '10.0.0.254', DestinationIp: '10.0.0.2' });
      for (const column of ['SourcePort', 'DestinationPort', 'TcpFlags', 'TcpSeq', 'TcpAck', 'L7Protocol'])
        expect(record).not.toHaveProperty(column);
      // Layer 7 does not read the quoted bytes as a message either.
      expect(createL7Analyzer().analyzeAll(packet)).toEqual([]);
    },
  );
});
