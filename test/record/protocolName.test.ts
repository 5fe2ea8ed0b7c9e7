import { protocolName } from '../../shared/record/protocolName';

describe('protocolName', () => {
  it.each([
    [1, 'ICMP'],
    [6, 'TCP'],
    [17, 'UDP'],
    [58, 'ICMPv6'],
    [132, 'SCTP'],
    [47, '47'],
    [0, '0'],
    [300, '300'],
  ])('%i → %s', (n, expected) => {
    expect(protocolName(n)).toBe(expected);
  });
});
