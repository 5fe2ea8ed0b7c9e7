/**
 * TCP sequence analysis as Wireshark 4.0 does it (`tcp_analyze_sequence_number` in
 * epan/dissectors/packet-tcp.c, default preferences), one packet at a time: per direction the next
 * expected sequence number, the highest sequence number still to be acknowledged, the last ACK and
 * window, the window scale from the handshake and a run of duplicate ACKs; per connection the
 * initial RTT. The checks run in Wireshark's order (zero-window probe, zero window, lost segment,
 * keep-alive, window update, window full, keep-alive ACK, zero-window-probe ACK, duplicate ACK,
 * ACK of an unseen segment, then the retransmission kind) and yield the same conditions.
 *
 * Connections are kept per observation scope (node and device, see `observationScope`), keyed by
 * the normalised 5-tuple, in a table bounded by `maxConnections` (least recently seen evicted and
 * counted). Time is packet time only. The hot path allocates nothing per packet: the outcome is
 * written to one reused {@link TcpPacketAnalysis}. Never throws on any packet.
 */
import { IpProtocol, TcpFlag, type DecodedPacket } from '../packet/decodedPacket';
import { flowMapKey } from '../packet/flowKey';
import { TcpCondition } from './tcpCondition';
import {
  MAX_UNACKED_SEGMENTS,
  TcpConnection,
  WINDOW_SCALE_NONE,
  WINDOW_SCALE_UNKNOWN,
  type TcpHalf,
} from './tcpConnection';

/** Options of a {@link TcpAnalyzer}. */
export interface TcpAnalyzerOptions {
  /** Most connections held at once (all scopes); the least recently seen is evicted. Default 65 536. */
  maxConnections?: number;
}

/** Counters of a {@link TcpAnalyzer}. */
export interface TcpAnalyzerStats {
  /** Connections held now. */
  connections: number;
  /** Connections forgotten because the table was full (their next packet starts them afresh). */
  evicted: number;
}

/** The outcome for the packet analysed last (one object, overwritten by every packet). */
export interface TcpPacketAnalysis {
  /** {@link TcpCondition} bits; 0 for none (and for a packet that is not analysable TCP). */
  conditions: number;
  /**
   * Time since the segment this packet acknowledges exactly (tshark's `tcp.analysis.ack_rtt`), ns;
   * -1 when none (and when the timestamps went backwards).
   */
  ackRttNs: number;
  /** The connection's initial RTT (tshark's `tcp.analysis.initial_rtt`), ns; -1 while unknown. */
  initialRttNs: number;
}

const SYN = TcpFlag.SYN;
const ACK = TcpFlag.ACK;
const FIN = TcpFlag.FIN;
const RST = TcpFlag.RST;
const SYN_FIN_RST = SYN | FIN | RST;

/** Fast retransmission: at most this long after the last duplicate ACK (ns). */
const FAST_RETRANSMISSION_NS = 20_000_000;
/** Out-of-order threshold while the initial RTT is unknown (ns). */
const DEFAULT_OUT_OF_ORDER_NS = 3_000_000;
/** Table positions are refreshed at most this often (packet time, ms). */
const REFRESH_MS = 1000;

/** `a > b` in sequence space (RFC 1982 serial arithmetic on 32 bits). */
function seqGreater(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

/** `a < b` in sequence space. */
function seqLess(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

function deltaNs(sec: number, nsec: number, sinceSec: number, sinceNsec: number): number {
  return (sec - sinceSec) * 1e9 + (nsec - sinceNsec);
}

/** Per-partition TCP analysis. */
export class TcpAnalyzer {
  /** The outcome of the last {@link analyze} call (reused). */
  readonly result: TcpPacketAnalysis = { conditions: 0, ackRttNs: -1, initialRttNs: -1 };
  private readonly connections = new Map<string, TcpConnection>();
  private readonly maxConnections: number;
  private evicted = 0;
  private lastConnection: TcpConnection | undefined;
  private lastScope = '';

  constructor(options: TcpAnalyzerOptions = {}) {
    this.maxConnections = Math.max(1, Math.floor(options.maxConnections ?? 65_536));
  }

  /** Current counters. */
  stats(): TcpAnalyzerStats {
    return { connections: this.connections.size, evicted: this.evicted };
  }

  /** Forgets every connection (the partition's state is released). */
  clear(): void {
    this.connections.clear();
    this.lastConnection = undefined;
  }

  /**
   * Analyses one packet seen in `scope` and returns {@link result}. A packet that is not TCP, or
   * whose header was cut before the window, yields no condition and changes no state.
   */
  analyze(packet: DecodedPacket, scope: string): TcpPacketAnalysis {
    const result = this.result;
    result.conditions = 0;
    result.ackRttNs = -1;
    result.initialRttNs = -1;
    const { sourceIp, destinationIp, sourcePort, destinationPort, tcpSeq, tcpAck, tcpFlags, tcpWindow } =
      packet;
    if (
      packet.protocol !== IpProtocol.TCP ||
      sourceIp === undefined ||
      destinationIp === undefined ||
      sourcePort === undefined ||
      destinationPort === undefined ||
      tcpSeq === undefined ||
      tcpAck === undefined ||
      tcpFlags === undefined ||
      tcpWindow === undefined
    )
      return result;
    const sec = packet.timestampSec;
    const nsec = packet.timestampNsec;
    let connection = this.lastConnection;
    let side = 0;
    if (connection !== undefined && scope === this.lastScope)
      side = connection.sideOf(sourceIp, sourcePort, destinationIp, destinationPort);
    if (side === 0) {
      const key = scope + (flowMapKey(packet) ?? '');
      connection = this.connections.get(key);
      if (connection === undefined) {
        connection = new TcpConnection(key, sourceIp, sourcePort, destinationIp, destinationPort);
        connection.refreshedMs = sec * 1000;
        this.connections.set(key, connection);
        if (this.connections.size > this.maxConnections) this.evictOldest();
      }
      side = connection.sideOf(sourceIp, sourcePort, destinationIp, destinationPort);
      this.lastConnection = connection;
      this.lastScope = scope;
      if (side === 0) return result;
    }
    connection = connection!;
    if (sec * 1000 - connection.refreshedMs >= REFRESH_MS) {
      this.connections.delete(connection.key);
      this.connections.set(connection.key, connection);
      connection.refreshedMs = sec * 1000;
    }
    const flags = tcpFlags;
    let fwd = side === 1 ? connection.first : connection.second;
    // A new SYN on a 5-tuple that closed, or with another initial sequence number, is a new
    // connection (tshark's "TCP port numbers reused" starts a new tcp.stream).
    if ((flags & (SYN | ACK)) === SYN && fwd.baseSet && (tcpSeq !== fwd.baseSeq || connection.closing)) {
      connection.reset();
      fwd = side === 1 ? connection.first : connection.second;
    }
    const rev = side === 1 ? connection.second : connection.first;
    if ((flags & (SYN | ACK)) === SYN) {
      connection.synSeen = true;
      connection.synSec = sec;
      connection.synNsec = nsec;
    } else if ((flags & (SYN | ACK)) === ACK) {
      if (connection.synSeen && connection.initialRttNs === 0)
        connection.initialRttNs = deltaNs(sec, nsec, connection.synSec, connection.synNsec);
      fwd.firstAck = false;
    }
    if (packet.tcpWindowScale !== undefined) fwd.windowScale = Math.min(packet.tcpWindowScale, 14);
    if ((flags & SYN) !== 0) verifyWindowScaling((flags & ACK) !== 0, fwd, rev);
    const seglen = Math.max(0, packet.payloadLength ?? 0);
    result.conditions = analyzeSequence(
      result,
      connection,
      fwd,
      rev,
      tcpSeq,
      tcpAck,
      seglen,
      flags,
      tcpWindow,
      sec,
      nsec,
    );
    if ((flags & (FIN | RST)) !== 0) connection.closing = true;
    result.initialRttNs = connection.initialRttNs === 0 ? -1 : connection.initialRttNs;
    return result;
  }

  private evictOldest(): void {
    while (this.connections.size > this.maxConnections) {
      const oldest = this.connections.keys().next();
      if (oldest.done === true) return;
      const connection = this.connections.get(oldest.value);
      this.connections.delete(oldest.value);
      if (connection === this.lastConnection) this.lastConnection = undefined;
      this.evicted++;
    }
  }
}

/** Wireshark's `verify_tcp_window_scaling`, on a SYN or SYN-ACK. */
function verifyWindowScaling(synAck: boolean, fwd: TcpHalf, rev: TcpHalf): void {
  if (fwd.windowScale === WINDOW_SCALE_UNKNOWN) {
    // This SYN (or SYN-ACK) has no window scale option: neither side scales.
    fwd.windowScale = WINDOW_SCALE_NONE;
    rev.windowScale = WINDOW_SCALE_NONE;
  } else if (synAck && rev.windowScale === WINDOW_SCALE_NONE) {
    fwd.windowScale = WINDOW_SCALE_NONE;
  }
}

/** `tcp_analyze_sequence_number`: the conditions of one segment, updating both directions. */
function analyzeSequence(
  result: TcpPacketAnalysis,
  connection: TcpConnection,
  fwd: TcpHalf,
  rev: TcpHalf,
  seq: number,
  ack: number,
  seglen: number,
  flags: number,
  window: number,
  sec: number,
  nsec: number,
): number {
  let c = 0;
  if (!fwd.baseSet) {
    fwd.baseSeq = (flags & SYN) !== 0 ? seq : (seq - 1) >>> 0;
    fwd.baseSet = true;
  }
  if (!rev.baseSet && (flags & ACK) !== 0) {
    rev.baseSeq = (ack - 1) >>> 0;
    rev.baseSet = true;
  }
  const noSynFinRst = (flags & SYN_FIN_RST) === 0;
  if (seglen === 1 && seq === fwd.nextSeq && rev.window === 0) {
    c |= TcpCondition.ZeroWindowProbe;
  } else {
    if (window === 0 && noSynFinRst) c |= TcpCondition.ZeroWindow;
    if (fwd.nextSeq !== 0 && seqGreater(seq, fwd.nextSeq) && (flags & RST) === 0)
      c |= TcpCondition.LostSegment;
    if ((seglen === 0 || seglen === 1) && seq === (fwd.nextSeq - 1) >>> 0 && noSynFinRst)
      c |= TcpCondition.KeepAlive;
    const sameSeqAck = seq === fwd.nextSeq && ack === fwd.lastAck;
    if (seglen === 0 && window !== 0 && window !== fwd.window && sameSeqAck && noSynFinRst)
      c |= TcpCondition.WindowUpdate;
    if (seglen > 0 && rev.windowScale !== WINDOW_SCALE_UNKNOWN && noSynFinRst) {
      const shift = rev.firstAck || rev.windowScale === WINDOW_SCALE_NONE ? 0 : rev.windowScale;
      // 32-bit arithmetic as in C: `<<` and `>>> 0` wrap exactly as guint32 does.
      const edge = (rev.lastAck + ((rev.window << shift) >>> 0)) >>> 0;
      if ((seq + seglen) >>> 0 === edge) c |= TcpCondition.WindowFull;
    }
    const repeatsAck = seglen === 0 && window !== 0 && window === fwd.window && sameSeqAck && noSynFinRst;
    if (repeatsAck && (rev.lastSegmentConditions & TcpCondition.KeepAlive) !== 0) {
      c |= TcpCondition.KeepAliveAck;
    } else if (
      seglen === 0 &&
      window === 0 &&
      fwd.window === 0 &&
      seq === fwd.nextSeq &&
      (ack === fwd.lastAck || ack === (fwd.lastAck + 1) >>> 0) &&
      (rev.lastSegmentConditions & TcpCondition.ZeroWindowProbe) !== 0 &&
      noSynFinRst
    ) {
      c |= TcpCondition.ZeroWindowProbeAck;
    } else if (repeatsAck) {
      fwd.dupAcks++;
      c |= TcpCondition.DuplicateAck;
    }
  }
  if ((c & TcpCondition.DuplicateAck) === 0) fwd.dupAcks = 0;

  if (rev.maxSeqToBeAcked !== 0 && seqGreater(ack, rev.maxSeqToBeAcked) && (flags & ACK) !== 0) {
    c |= TcpCondition.AckedUnseenSegment;
    rev.maxSeqToBeAcked = rev.nextSeq;
  }

  const synOrFin = (flags & (SYN | FIN)) !== 0;
  if ((seglen > 0 || synOrFin) && (c & TcpCondition.KeepAlive) === 0) {
    c |= retransmissionKind(connection, fwd, rev, seq, seglen, synOrFin, sec, nsec);
  }

  let nextSeq = (seq + seglen) >>> 0;
  if (seglen > 0 || synOrFin) {
    if (synOrFin) nextSeq = (nextSeq + 1) >>> 0;
    rememberSegment(fwd, seq, nextSeq, sec, nsec);
  }
  const probe = (c & TcpCondition.ZeroWindowProbe) !== 0;
  if ((seqGreater(nextSeq, fwd.nextSeq) || fwd.nextSeq === 0) && !probe) {
    fwd.nextSeq = nextSeq;
    fwd.nextSeqSec = sec;
    fwd.nextSeqNsec = nsec;
  }
  if ((seq === fwd.maxSeqToBeAcked || fwd.maxSeqToBeAcked === 0) && !probe) fwd.maxSeqToBeAcked = fwd.nextSeq;
  fwd.window = window;
  fwd.lastAck = ack;
  fwd.lastAckSec = sec;
  fwd.lastAckNsec = nsec;
  fwd.lastSegmentConditions = c;
  result.ackRttNs = acknowledge(rev, ack, sec, nsec);
  return c;
}

/** Retransmission, fast retransmission, out-of-order or spurious retransmission (or 0), in Wireshark's order. */
function retransmissionKind(
  connection: TcpConnection,
  fwd: TcpHalf,
  rev: TcpHalf,
  seq: number,
  seglen: number,
  synOrFin: boolean,
  sec: number,
  nsec: number,
): number {
  const notAdvanced = fwd.nextSeq !== 0 && seqLess(seq, fwd.nextSeq);
  // Wireshark subtracts into an unsigned 64-bit number: a time going backwards never counts as "soon".
  const sinceAck = deltaNs(sec, nsec, rev.lastAckSec, rev.lastAckNsec);
  if (
    notAdvanced &&
    rev.dupAcks >= 2 &&
    rev.lastAck === seq &&
    sinceAck >= 0 &&
    sinceAck < FAST_RETRANSMISSION_NS
  )
    return TcpCondition.FastRetransmission;
  const sinceNext = deltaNs(sec, nsec, fwd.nextSeqSec, fwd.nextSeqNsec);
  const threshold = connection.initialRttNs === 0 ? DEFAULT_OUT_OF_ORDER_NS : connection.initialRttNs;
  if (
    notAdvanced &&
    sinceNext >= 0 &&
    sinceNext < threshold &&
    fwd.nextSeq !== (seq + seglen + (synOrFin ? 1 : 0)) >>> 0
  )
    return TcpCondition.OutOfOrder;
  if (seglen > 0 && rev.lastAck !== 0 && !seqGreater((seq + seglen) >>> 0, rev.lastAck))
    return TcpCondition.SpuriousRetransmission;
  return notAdvanced ? TcpCondition.Retransmission : 0;
}

/** Adds a segment to the unacknowledged list (not when it is full, as Wireshark). */
function rememberSegment(half: TcpHalf, seq: number, nextSeq: number, sec: number, nsec: number): void {
  if (half.segmentCount >= MAX_UNACKED_SEGMENTS) return;
  half.segments ??= new Float64Array(MAX_UNACKED_SEGMENTS * 4);
  const at = half.segmentCount * 4;
  half.segments[at] = seq;
  half.segments[at + 1] = nextSeq;
  half.segments[at + 2] = sec;
  half.segments[at + 3] = nsec;
  half.segmentCount++;
}

/**
 * Removes from `half`'s unacknowledged segments those `ack` covers, trims one it covers in part,
 * and returns the round trip to a segment it acknowledges exactly (the oldest such, as Wireshark
 * walks its newest-first list and keeps the last match), or -1.
 */
function acknowledge(half: TcpHalf, ack: number, sec: number, nsec: number): number {
  const segments = half.segments;
  if (segments === undefined) return -1;
  let rtt = -1;
  for (let i = half.segmentCount - 1; i >= 0; i--) {
    const at = i * 4;
    const seq = segments[at]!;
    const next = segments[at + 1]!;
    if (ack === next) {
      rtt = deltaNs(sec, nsec, segments[at + 2]!, segments[at + 3]!);
    } else if (seqGreater(ack, seq) && !seqGreater(ack, next)) {
      segments[at] = ack;
      continue;
    } else if (seqGreater(next, ack)) {
      continue;
    }
    segments.copyWithin(at, at + 4, half.segmentCount * 4);
    half.segmentCount--;
  }
  // A negative round trip (timestamps going backwards) measures nothing: reported as none.
  return rtt < 0 ? -1 : rtt;
}
