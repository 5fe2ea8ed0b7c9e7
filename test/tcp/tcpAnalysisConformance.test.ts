/**
 * `TcpAnalysis` and the initial and ACK round trips against tshark 4.0.17's `tcp.analysis.*`
 * fields (../shared/captures/oracle-flows). Skips with a message when ../shared is absent.
 */
import { describeWithSharedData } from '../support/sharedData';
import { catchAll, oracleByFrame, publicCaptures, recordsOfCapture } from '../flow/support/flowOracle';
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
  const totals = {
    flagged: 0,
    agreed: 0,
    streams: 0,
    rttEqual: 0,
    ackRtts: 0,
    ackRttEqual: 0,
    flowStreams: 0,
    flowRttEqual: 0,
    flowStreamsWithRtt: 0,
  };

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

  it.each(files)('%s: the pipeline writes the analysis on AllPackets records', (file) => {
    const ours = analyzeTcpCapture(file);
    for (const record of recordsOfCapture(file, catchAll('AllPackets'))) {
      if (record.Protocol !== 'TCP' || record.CaptureFrame === undefined) continue;
      const expected = tcpAnalysisText(ours.get(record.CaptureFrame)?.conditions ?? 0);
      expect([record.CaptureFrame, record.TcpAnalysis ?? '']).toEqual([record.CaptureFrame, expected]);
    }
  });

  it.each(files)('%s: FlowSummary TcpHandshakeRttNs equals tshark initial_rtt per tcp.stream', (file) => {
    // Each tcp.stream's first frame (Community ID and time) and its initial RTT, if tshark has one.
    const streams = new Map<string, { start: string; communityId: string; rtt: number | undefined }>();
    for (const row of oracleByFrame(file).values()) {
      const stream = row['tcp.stream'] ?? '';
      if (stream === '') continue;
      let entry = streams.get(stream);
      if (entry === undefined) {
        const [sec, fraction = ''] = (row['frame.time_epoch'] ?? '').split('.');
        const start = (BigInt(sec!) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0'))).toString();
        entry = { start, communityId: row.communityid ?? '', rtt: undefined };
        streams.set(stream, entry);
      }
      const irtt = row['tcp.analysis.initial_rtt'] ?? '';
      if (entry.rtt === undefined && irtt !== '') entry.rtt = secondsToNs(irtt.split(',')[0]!);
    }
    const flows = new Map<string, number | undefined>();
    for (const record of recordsOfCapture(file, catchAll('FlowSummary'))) {
      if (record.Protocol !== 'TCP') continue;
      flows.set(`${record.CommunityId}|${record.FlowStartNs}`, record.TcpHandshakeRttNs);
    }
    const mismatches: string[] = [];
    for (const [stream, { start, communityId, rtt }] of streams) {
      const key = `${communityId}|${start}`;
      if (!flows.has(key)) continue;
      totals.flowStreams++;
      if (rtt !== undefined) totals.flowStreamsWithRtt++;
      if (flows.get(key) === rtt) totals.flowRttEqual++;
      else mismatches.push(`tcp.stream ${stream}: tshark ${rtt} ns, ours ${flows.get(key)} ns`);
    }
    expect(mismatches).toEqual([]);
  });

  it('flags like tshark on at least 95% of the TCP frames either flags, with the initial RTT of every stream', () => {
    // Printed so the figures can be quoted (docs/flows.md, "TCP health").
    console.log(
      `TcpAnalysis conformance: ${totals.agreed}/${totals.flagged} flagged frames agree; ` +
        `initial RTT ${totals.rttEqual}/${totals.streams} streams; ack RTT ${totals.ackRttEqual}/${totals.ackRtts} frames; ` +
        `FlowSummary TcpHandshakeRttNs ${totals.flowRttEqual}/${totals.flowStreams} tcp.streams ` +
        `(${totals.flowStreamsWithRtt} with an initial RTT, the others without either)`,
    );
    expect(totals.flowStreams).toBeGreaterThan(80);
    expect(totals.flowRttEqual).toBe(totals.flowStreams);
    expect(totals.flagged).toBeGreaterThan(40);
    expect(totals.agreed / totals.flagged).toBeGreaterThanOrEqual(0.95);
    expect(totals.streams).toBeGreaterThan(50);
    expect(totals.rttEqual).toBe(totals.streams);
    expect(totals.ackRttEqual / totals.ackRtts).toBeGreaterThanOrEqual(0.99);
  });
});
