/**
 * The state Wireshark's TCP sequence analysis keeps per connection (`struct tcp_analysis`) and per
 * direction (`struct tcp_flow_t`), as classes of numbers: one allocation per connection and
 * direction, none per packet. Sequence numbers are unsigned 32-bit values; 0 means "not seen yet"
 * for `nextSeq`, `maxSeqToBeAcked` and `lastAck`, as in Wireshark.
 */

/** Window scale not known yet (no SYN seen): Wireshark's `-1`. */
export const WINDOW_SCALE_UNKNOWN = -1;
/** The handshake showed that windows are not scaled: Wireshark's `-2`. */
export const WINDOW_SCALE_NONE = -2;

/** Most unacknowledged segments remembered per direction for ACK round trips (Wireshark: 1000). */
export const MAX_UNACKED_SEGMENTS = 32;

/** One direction of a connection. */
export class TcpHalf {
  /** Highest sequence number sent so far plus the segment length (and SYN/FIN). */
  nextSeq = 0;
  /** Packet time (s, ns) of the segment that set {@link nextSeq}. */
  nextSeqSec = 0;
  nextSeqNsec = 0;
  /** Highest in-order sequence number still to be acknowledged. */
  maxSeqToBeAcked = 0;
  /** ACK number of this direction's last segment, and when it was sent. */
  lastAck = 0;
  lastAckSec = 0;
  lastAckNsec = 0;
  /**
   * Raw (unscaled) window of this direction's last segment; 0xffffffff before the first, as in
   * Wireshark, so the first segment the other way is never taken for a zero-window probe.
   */
  window = 0xffffffff;
  /** Window scale shift (0–14), or {@link WINDOW_SCALE_UNKNOWN} / {@link WINDOW_SCALE_NONE}. */
  windowScale = WINDOW_SCALE_UNKNOWN;
  /** True until this direction sends its first segment with ACK and without SYN (its windows are scaled from then on). */
  firstAck = true;
  /** Conditions of this direction's previous segment (keep-alive and zero-window-probe ACKs look at them). */
  lastSegmentConditions = 0;
  /** Duplicate ACKs in a row. */
  dupAcks = 0;
  /** True once the first segment set the base sequence number (Wireshark's `TCP_S_BASE_SEQ_SET`). */
  baseSet = false;
  baseSeq = 0;
  /**
   * Unacknowledged segments, oldest first: `[seq, nextSeq, sec, nsec]` per segment. Allocated on
   * the first segment with data, SYN or FIN.
   */
  segments: Float64Array | undefined = undefined;
  segmentCount = 0;
}

/** One connection in one observation scope. */
export class TcpConnection {
  /** Map key in the analyser's table (scope and normalised 5-tuple). */
  readonly key: string;
  /** The end that sent the first packet seen: its address (a copy) and port. */
  readonly firstIp: Uint8Array;
  readonly firstPort: number;
  readonly secondIp: Uint8Array;
  readonly secondPort: number;
  /** Direction of the first end, and of the second. */
  first = new TcpHalf();
  second = new TcpHalf();
  /** Packet time (s, ns) of the most recent SYN without ACK (`ts_mru_syn`); `synSeen` once there was one. */
  synSeen = false;
  synSec = 0;
  synNsec = 0;
  /** Initial RTT (ns): most recent SYN to the first ACK without SYN (`ts_first_rtt`); 0 while unknown. */
  initialRttNs = 0;
  /** Set once a FIN or a RST was seen (a new SYN then starts a new connection). */
  closing = false;
  /** Packet time (ms) of the last move to the young end of the analyser's table. */
  refreshedMs = 0;

  constructor(
    key: string,
    sourceIp: Uint8Array,
    sourcePort: number,
    destinationIp: Uint8Array,
    destinationPort: number,
  ) {
    this.key = key;
    this.firstIp = new Uint8Array(sourceIp);
    this.firstPort = sourcePort;
    this.secondIp = new Uint8Array(destinationIp);
    this.secondPort = destinationPort;
  }

  /** Starts over for a new connection on the same 5-tuple (port reuse). */
  reset(): void {
    this.first = new TcpHalf();
    this.second = new TcpHalf();
    this.synSeen = false;
    this.initialRttNs = 0;
    this.closing = false;
  }

  /** 1 when the packet was sent by the first end, 2 by the second, 0 when it is not of this connection. */
  sideOf(
    sourceIp: Uint8Array,
    sourcePort: number,
    destinationIp: Uint8Array,
    destinationPort: number,
  ): number {
    if (
      sourcePort === this.firstPort &&
      destinationPort === this.secondPort &&
      sameBytes(sourceIp, this.firstIp) &&
      sameBytes(destinationIp, this.secondIp)
    )
      return 1;
    if (
      sourcePort === this.secondPort &&
      destinationPort === this.firstPort &&
      sameBytes(sourceIp, this.secondIp) &&
      sameBytes(destinationIp, this.firstIp)
    )
      return 2;
    return 0;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
