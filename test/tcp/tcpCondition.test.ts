import { tcpAnalysisText, TcpCondition, REPORTED_TCP_CONDITIONS } from '../../shared/tcp/tcpCondition';

describe('tcpAnalysisText', () => {
  it.each([
    [0, ''],
    [TcpCondition.Retransmission, 'Retransmission'],
    [TcpCondition.ZeroWindow | TcpCondition.LostSegment, 'LostSegment,ZeroWindow'],
    [TcpCondition.KeepAlive | TcpCondition.KeepAliveAck, 'KeepAlive'],
    // Internal states alone report nothing.
    [TcpCondition.WindowUpdate | TcpCondition.AckedUnseenSegment, ''],
  ])('%i ─► %j', (bits, text) => {
    expect(tcpAnalysisText(bits)).toBe(text);
  });

  it('names every reported bit in its own order', () => {
    const all = REPORTED_TCP_CONDITIONS.reduce((bits, name) => bits | TcpCondition[name], 0);
    expect(tcpAnalysisText(all)).toBe(REPORTED_TCP_CONDITIONS.join(','));
  });
});
