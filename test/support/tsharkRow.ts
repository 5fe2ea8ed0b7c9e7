import type { CapturePacket } from '../../shared/capture/capturePacket';
import { formatIp } from '../../shared/net/ipAddress';
import type { DecodedPacket } from '../../shared/packet/decodedPacket';

/** A field as `tshark -T fields` prints it: empty when absent. */
const text = (value: number | string | undefined): string => (value === undefined ? '' : String(value));

/**
 * Our decoding of one frame in the shape of a tshark field dump (`-E occurrence=f`), keyed by tshark
 * field name. Only the fields this project decodes at layers 2–4.
 */
export function tsharkFields(captured: CapturePacket, packet: DecodedPacket): Record<string, string> {
  const v4 = packet.ipVersion === 4;
  const v6 = packet.ipVersion === 6;
  const l4 = packet.fragment !== true;
  const tcp = l4 && packet.protocol === 6;
  const udp = l4 && packet.protocol === 17;
  return {
    'frame.time_epoch': captured.hasTimestamp
      ? `${captured.timestampSec}.${String(captured.timestampNsec).padStart(9, '0')}`
      : '',
    'frame.len': text(captured.originalLength),
    'frame.cap_len': text(captured.data.length),
    'ip.src': v4 ? formatIp(packet.sourceIp!) : '',
    'ip.dst': v4 ? formatIp(packet.destinationIp!) : '',
    'ip.proto': v4 ? text(packet.protocol) : '',
    'ip.ttl': v4 ? text(packet.ttl) : '',
    'ipv6.src': v6 ? formatIp(packet.sourceIp!) : '',
    'ipv6.dst': v6 ? formatIp(packet.destinationIp!) : '',
    'ipv6.hlim': v6 ? text(packet.ttl) : '',
    'vlan.id': text(packet.vlanId),
    'tcp.srcport': tcp ? text(packet.sourcePort) : '',
    'tcp.dstport': tcp ? text(packet.destinationPort) : '',
    'tcp.flags':
      tcp && packet.tcpFlags !== undefined ? `0x${packet.tcpFlags.toString(16).padStart(4, '0')}` : '',
    'tcp.seq_raw': tcp ? text(packet.tcpSeq) : '',
    'tcp.ack_raw': tcp ? text(packet.tcpAck) : '',
    'tcp.len': tcp ? text(packet.payloadLength) : '',
    'udp.srcport': udp ? text(packet.sourcePort) : '',
    'udp.dstport': udp ? text(packet.destinationPort) : '',
    'udp.length': udp && packet.payloadLength !== undefined ? text(packet.payloadLength + 8) : '',
    'icmp.type': l4 && packet.protocol === 1 ? text(packet.icmpType) : '',
    'icmp.code': l4 && packet.protocol === 1 ? text(packet.icmpCode) : '',
    'icmpv6.type': l4 && packet.protocol === 58 ? text(packet.icmpType) : '',
    'icmpv6.code': l4 && packet.protocol === 58 ? text(packet.icmpCode) : '',
    'sctp.srcport': l4 && packet.protocol === 132 ? text(packet.sourcePort) : '',
    'sctp.dstport': l4 && packet.protocol === 132 ? text(packet.destinationPort) : '',
  };
}
