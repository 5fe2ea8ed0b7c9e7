/**
 * `TcpAnalysis` and the initial and ACK round trips against tshark 4.0.17's `tcp.analysis.*`
 * fields (../shared/captures/oracle-flows). Skips with a message when ../shared is absent.
 */
import { describeWithSharedData } from '../support/sharedData';
import { oracleByFrame, publicCaptures } from '../flow/support/flowOracle';
import { tcpAnalysisText } from '../../shared/tcp/tcpCondition';
import { analyzeTcpCapture, compareTcpAnalysis, secondsToNs } from './support/tcpOracle';
import { TCP_DIFFERENCES } from './tcpDifferences';

function explained(file: string, field: 'TcpAnalysis' | 'ack_rtt', line: string): boolean {
  const frame = Number(/^frame (\d+):/.exec(line)?.[1]);
  return TCP_DIFFERENCES.some((d) => d.file === file && d.field === field && d.frames.includes(frame));
}

const describeBits = (bits: number): string => tcpAnalysisText(bits) || 'nothing';

describeWithSharedData('captures/oracle-flows', 'TCP analysis agrees with tshark tcp.analysis.*', () => {
  const files = publicCaptures();
  const totals = { flagged: 0, agreed: 0, streams: 0, rttEqual: 0, ackRtts: 0, ackRttEqual: 0 };

  it.each(files)('%s: every difference in the flags is explained', (file) => {
    const result = compareTcpAnalysis(file, describeBits);
    totals.flagged += result.flagged;
    totals.agreed += result.agreed;
    for (const [stream, [tshark, ours]] of result.initialRtts) {
      totals.streams++;
      if (tshark === ours) totals.rttEqual++;
      else console.log(`${file} tcp.stream ${stream}: initial RTT tshark ${tshark} ns, ours ${ours} ns`);
    }
    expect(result.differences.filter((line) => !explained(file, 'TcpAnalysis', line))).toEqual([]);
  });

  it.each(files)('%s: ACK round trips equal tshark ack_rtt, or the difference is explained', (file) => {
    const ours = analyzeTcpCapture(file);
    const differences: string[] = [];
    for (const [frame, row] of oracleByFrame(file)) {
      const text = row['tcp.analysis.ack_rtt'] ?? '';
      const mine = ours.get(frame)?.ackRttNs ?? -1;
      // tshark prints no zero round trip (same timestamp); we report 0.
      if (text === '' && mine <= 0) continue;
      const tshark = text === '' ? -1 : secondsToNs(text);
      totals.ackRtts++;
      if (tshark === mine) totals.ackRttEqual++;
      else differences.push(`frame ${frame}: tshark ${tshark} ns, ours ${mine} ns`);
    }
    expect(differences.filter((line) => !explained(file, 'ack_rtt', line))).toEqual([]);
  });

  it('flags like tshark on at least 95% of the TCP frames either flags, with the initial RTT of every stream', () => {
    // Printed so the figures can be quoted (docs/flows.md, "TCP health").
    console.log(
      `TcpAnalysis conformance: ${totals.agreed}/${totals.flagged} flagged frames agree; ` +
        `initial RTT ${totals.rttEqual}/${totals.streams} streams; ack RTT ${totals.ackRttEqual}/${totals.ackRtts} frames`,
    );
    expect(totals.flagged).toBeGreaterThan(40);
    expect(totals.agreed / totals.flagged).toBeGreaterThanOrEqual(0.95);
    expect(totals.streams).toBeGreaterThan(50);
    expect(totals.rttEqual).toBe(totals.streams);
    expect(totals.ackRttEqual / totals.ackRtts).toBeGreaterThanOrEqual(0.99);
  });
});
