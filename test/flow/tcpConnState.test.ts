import {
  appendHistory,
  historyBits,
  nextTcpStates,
  TcpEndpoint as E,
  zeekConnState,
  type TcpEndpointState,
} from '../../shared/flow/tcpConnState';

const F = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 };

describe('zeekConnState (base/protocols/conn/main.zeek)', () => {
  it.each<[TcpEndpointState, TcpEndpointState, string, boolean, string]>([
    [E.SYN_SENT, E.INACTIVE, 'S', false, 'S0'],
    [E.ESTABLISHED, E.ESTABLISHED, 'ShAD', true, 'S1'],
    [E.CLOSED, E.CLOSED, 'ShADadFf', true, 'SF'],
    [E.SYN_SENT, E.RESET, 'Sr', false, 'REJ'],
    [E.RESET, E.RESET, 'SrR', false, 'REJ'],
    [E.CLOSED, E.ESTABLISHED, 'ShAF', false, 'S2'],
    [E.ESTABLISHED, E.CLOSED, 'ShAf', false, 'S3'],
    [E.RESET, E.ESTABLISHED, 'ShAR', false, 'RSTO'],
    [E.ESTABLISHED, E.RESET, 'ShADr', true, 'RSTR'],
    [E.RESET, E.INACTIVE, 'SR', false, 'RSTOS0'],
    [E.RESET, E.INACTIVE, 'DR', true, 'OTH'],
    [E.INACTIVE, E.RESET, 'hr', false, 'RSTRH'],
    [E.CLOSED, E.INACTIVE, 'SF', false, 'SH'],
    [E.INACTIVE, E.CLOSED, 'hf', false, 'SHR'],
    [E.PARTIAL, E.PARTIAL, 'Dd', true, 'OTH'],
    [E.INACTIVE, E.INACTIVE, '', false, 'OTH'],
  ])('initiator %i, responder %i, history %s ⇒ %s', (orig, resp, history, payload, expected) => {
    expect(zeekConnState(orig, resp, history, payload)).toBe(expected);
  });
});

describe('nextTcpStates', () => {
  const step = (sender: TcpEndpointState, peer: TcpEndpointState, flags: number) => {
    const packed = nextTcpStates(sender, peer, flags);
    return [packed & 7, packed >> 3];
  };
  it.each<[string, TcpEndpointState, TcpEndpointState, number, number[]]>([
    ['a SYN opens', E.INACTIVE, E.INACTIVE, F.SYN, [E.SYN_SENT, E.INACTIVE]],
    [
      'a SYN-ACK answering a SYN establishes both',
      E.INACTIVE,
      E.SYN_SENT,
      F.SYN | F.ACK,
      [E.ESTABLISHED, E.ESTABLISHED],
    ],
    ['a SYN-ACK without a SYN seen', E.INACTIVE, E.INACTIVE, F.SYN | F.ACK, [E.SYN_ACK_SENT, E.INACTIVE]],
    ['midstream data is partial', E.INACTIVE, E.INACTIVE, F.ACK | F.PSH, [E.PARTIAL, E.INACTIVE]],
    ['an ACK after a reset does not establish', E.SYN_SENT, E.RESET, F.ACK, [E.SYN_SENT, E.RESET]],
    ['a FIN closes', E.ESTABLISHED, E.ESTABLISHED, F.FIN | F.ACK, [E.CLOSED, E.ESTABLISHED]],
    [
      'a RST resets, whatever else is set',
      E.ESTABLISHED,
      E.ESTABLISHED,
      F.RST | F.FIN | F.ACK,
      [E.RESET, E.ESTABLISHED],
    ],
    ['no flags at all (null scan) on a new flow', E.INACTIVE, E.INACTIVE, 0, [E.PARTIAL, E.INACTIVE]],
  ])('%s', (_name, sender, peer, flags, expected) => {
    expect(step(sender, peer, flags)).toEqual(expected);
  });
});

describe('history letters', () => {
  it.each<[string, number, number, number | undefined, string, string]>([
    ['SYN', F.SYN, 0, 64240, '', 'S'],
    ['SYN-ACK from the responder', F.SYN | F.ACK, 0, 64240, '', 'h'],
    ['pure ACK', F.ACK, 0, 500, '', 'A'],
    ['data', F.ACK | F.PSH, 10, 500, '', 'D'],
    ['FIN-ACK is F, not A', F.FIN | F.ACK, 0, 500, '', 'F'],
    ['RST', F.RST, 0, 0, '', 'R'],
    ['zero window', F.ACK, 0, 0, '', 'AW'],
    ['SYN and FIN together', F.SYN | F.FIN, 0, 10, '', 'SFQ'],
  ])('%s', (name, flags, payload, window, before, expected) => {
    const responder = name.includes('responder');
    expect(appendHistory(before, 0, historyBits(flags, payload, window), !responder)).toBe(expected);
  });

  it('records each letter once per direction and allocates nothing for a letter seen before', () => {
    const bits = historyBits(F.ACK, 0, 100);
    const history = 'ShA';
    expect(appendHistory(history, bits, bits, true)).toBe(history);
    expect(appendHistory(history, 0, bits, false)).toBe('ShAa');
  });
});
