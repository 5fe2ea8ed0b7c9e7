/**
 * The conditions of Wireshark's TCP sequence analysis (`tcp.analysis.*`), as bits of one number so
 * a packet's analysis costs no allocation. The reported ones carry tshark's vocabulary in the
 * `TcpAnalysis` column; the others are states the algorithm needs for the next segment.
 */

/** Condition bits. */
export const TcpCondition = {
  /** `tcp.analysis.retransmission`: data (or SYN/FIN) below the next expected sequence number. */
  Retransmission: 1 << 0,
  /** `tcp.analysis.fast_retransmission`: a retransmission after ≥ 2 duplicate ACKs, within 20 ms of the last. */
  FastRetransmission: 1 << 1,
  /** `tcp.analysis.spurious_retransmission`: data the receiver had already acknowledged. */
  SpuriousRetransmission: 1 << 2,
  /** `tcp.analysis.out_of_order`: below the next expected sequence number, sooner than the initial RTT (or 3 ms). */
  OutOfOrder: 1 << 3,
  /** `tcp.analysis.lost_segment` ("previous segment not captured"): beyond the next expected sequence number. */
  LostSegment: 1 << 4,
  /** `tcp.analysis.duplicate_ack`: an empty segment repeating the previous ACK and window. */
  DuplicateAck: 1 << 5,
  /** `tcp.analysis.zero_window`: the sender advertises a window of 0. */
  ZeroWindow: 1 << 6,
  /** `tcp.analysis.zero_window_probe`: one byte at the next sequence number into a zero window. */
  ZeroWindowProbe: 1 << 7,
  /** `tcp.analysis.window_full`: the segment fills the receiver's advertised window exactly. */
  WindowFull: 1 << 8,
  /** `tcp.analysis.keep_alive`: 0 or 1 byte one below the next expected sequence number. */
  KeepAlive: 1 << 9,
  /** Not reported: a window update (empty segment, same SEQ/ACK, new window). */
  WindowUpdate: 1 << 10,
  /** Not reported: the ACK of a keep-alive. */
  KeepAliveAck: 1 << 11,
  /** Not reported: the ACK of a zero-window probe. */
  ZeroWindowProbeAck: 1 << 12,
  /** Not reported: acknowledges a segment that was not captured. */
  AckedUnseenSegment: 1 << 13,
} as const;

/** The reported conditions, in the order their names appear in `TcpAnalysis`. */
export const REPORTED_TCP_CONDITIONS = [
  'Retransmission',
  'FastRetransmission',
  'SpuriousRetransmission',
  'OutOfOrder',
  'LostSegment',
  'DuplicateAck',
  'ZeroWindow',
  'ZeroWindowProbe',
  'WindowFull',
  'KeepAlive',
] as const;

/** A reported condition's name. */
export type TcpConditionName = (typeof REPORTED_TCP_CONDITIONS)[number];

/** Mask of the reported bits. */
export const REPORTED_TCP_CONDITION_MASK = (1 << REPORTED_TCP_CONDITIONS.length) - 1;

const TEXT: readonly string[] = Array.from({ length: REPORTED_TCP_CONDITION_MASK + 1 }, (_, bits) =>
  REPORTED_TCP_CONDITIONS.filter((_name, bit) => (bits & (1 << bit)) !== 0).join(','),
);

/**
 * The `TcpAnalysis` text of a condition set: reported names joined by `,` in
 * {@link REPORTED_TCP_CONDITIONS} order, e.g. `Retransmission,ZeroWindow`; `''` when none is
 * reported. Precomputed: no allocation per packet.
 */
export function tcpAnalysisText(conditions: number): string {
  return TEXT[conditions & REPORTED_TCP_CONDITION_MASK] ?? '';
}

/** Retransmissions of every kind (plain, fast, spurious), as the per-flow counters count them. */
export const ANY_RETRANSMISSION =
  TcpCondition.Retransmission | TcpCondition.FastRetransmission | TcpCondition.SpuriousRetransmission;
