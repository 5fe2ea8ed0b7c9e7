import { TcpFlag } from '../../shared/packet/decodedPacket';
import { tcpFlagsText } from '../../shared/record/tcpFlagsText';

describe('tcpFlagsText', () => {
  it.each([
    [0, ''],
    [TcpFlag.SYN, 'SYN'],
    [TcpFlag.SYN | TcpFlag.ACK, 'SYN,ACK'],
    [TcpFlag.FIN | TcpFlag.ACK, 'FIN,ACK'],
    [TcpFlag.PSH | TcpFlag.ACK, 'PSH,ACK'],
    [TcpFlag.RST, 'RST'],
    [TcpFlag.SYN | TcpFlag.ECE | TcpFlag.CWR, 'SYN,ECE,CWR'],
    [TcpFlag.NS | TcpFlag.ACK, 'ACK,AE'],
    [0x1ff, 'FIN,SYN,RST,PSH,ACK,URG,ECE,CWR,AE'],
    [0x200 | TcpFlag.SYN, 'SYN'],
  ])('%i → %j', (flags, expected) => {
    expect(tcpFlagsText(flags)).toBe(expected);
  });
});
