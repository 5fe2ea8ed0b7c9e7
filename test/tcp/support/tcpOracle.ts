/**
 * Our TCP analysis of a public capture next to tshark 4.0's `tcp.analysis.*` flags
 * (`../shared/captures/oracle-flows/<capture>.tsv`), frame by frame.
 */
import { readFileSync } from 'node:fs';
import { readCaptureInto } from '../../../shared/capture/readCapture';
import { decodePacket } from '../../../shared/packet/decodePacket';
import { IpProtocol } from '../../../shared/packet/decodedPacket';
import { TcpAnalyzer } from '../../../shared/tcp/tcpAnalyzer';
import { TcpCondition, REPORTED_TCP_CONDITION_MASK } from '../../../shared/tcp/tcpCondition';
import { oracleByFrame, type OracleRow } from '../../flow/support/flowOracle';
import { sharedPath } from '../../support/sharedData';

/** What we found for one TCP frame. */
export interface OurTcpFrame {
  conditions: number;
  ackRttNs: number;
  initialRttNs: number;
}

/** Our analysis of every TCP frame of `file`, by frame number (one scope: a plain capture). */
export function analyzeTcpCapture(file: string): Map<number, OurTcpFrame> {
  const analyzer = new TcpAnalyzer();
  const frames = new Map<number, OurTcpFrame>();
  readCaptureInto(readFileSync(sharedPath('captures', 'public', file)), {
    onPacket: (captured) => {
      const packet = decodePacket(captured, captured.interface.linkType);
      if (packet.protocol !== IpProtocol.TCP || packet.fragment === true) return;
      const result = analyzer.analyze(packet, '');
      frames.set(packet.frame, { ...result });
    },
    onProblem: () => undefined,
  });
  return frames;
}

/** The reported conditions tshark's oracle row carries (it has no zero-window-probe field). */
export function oracleConditions(row: OracleRow): number {
  const set = (field: string): boolean => (row[`tcp.analysis.${field}`] ?? '') !== '';
  let c = 0;
  if (set('fast_retransmission')) c |= TcpCondition.FastRetransmission;
  else if (set('spurious_retransmission')) c |= TcpCondition.SpuriousRetransmission;
  else if (set('retransmission')) c |= TcpCondition.Retransmission;
  if (set('out_of_order')) c |= TcpCondition.OutOfOrder;
  if (set('lost_segment')) c |= TcpCondition.LostSegment;
  if (set('duplicate_ack')) c |= TcpCondition.DuplicateAck;
  if (set('zero_window')) c |= TcpCondition.ZeroWindow;
  if (set('window_full')) c |= TcpCondition.WindowFull;
  if (set('keep_alive')) c |= TcpCondition.KeepAlive;
  return c;
}

/** Bits compared with the oracle: the reported ones tshark's dump has a field for. */
export const COMPARED_CONDITIONS = REPORTED_TCP_CONDITION_MASK & ~TcpCondition.ZeroWindowProbe;

/** tshark's seconds (`0.000123000`) as exact nanoseconds. */
export function secondsToNs(text: string): number {
  const [whole, fraction = ''] = text.split('.');
  return Number(whole) * 1e9 + Number(fraction.padEnd(9, '0').slice(0, 9));
}

/** One capture's TCP frames side by side. */
export interface TcpComparison {
  /** Frames tshark or we flag. */
  flagged: number;
  /** Of those, frames where both flag exactly the same conditions. */
  agreed: number;
  /** `frame N: tshark X, ours Y` for each disagreement. */
  differences: string[];
  /** tcp.stream ─► [tshark initial RTT ns, ours ns or -1]. */
  initialRtts: Map<string, [number, number]>;
}

/** Compares our analysis of `file` with the oracle. */
export function compareTcpAnalysis(file: string, describe: (bits: number) => string): TcpComparison {
  const ours = analyzeTcpCapture(file);
  const result: TcpComparison = { flagged: 0, agreed: 0, differences: [], initialRtts: new Map() };
  for (const [frame, row] of oracleByFrame(file)) {
    const our = ours.get(frame);
    if (our === undefined && row['tcp.flags'] === '') continue;
    const expected = oracleConditions(row);
    const actual = (our?.conditions ?? 0) & COMPARED_CONDITIONS;
    const irtt = row['tcp.analysis.initial_rtt'] ?? '';
    const stream = row['tcp.stream'] ?? '';
    if (irtt !== '' && stream !== '' && !result.initialRtts.has(stream))
      result.initialRtts.set(stream, [secondsToNs(irtt.split(',')[0]!), our?.initialRttNs ?? -1]);
    if (expected === 0 && actual === 0) continue;
    result.flagged++;
    if (expected === actual) result.agreed++;
    else result.differences.push(`frame ${frame}: tshark ${describe(expected)}, ours ${describe(actual)}`);
  }
  return result;
}
