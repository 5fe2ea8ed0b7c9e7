import type { L7Stats } from './l7Stats';

/** Limits of one direction's reassembly buffer. */
export interface ReassemblyLimits {
  /** Most bytes held out of order (ahead of a missing segment) per direction. Default 256 KiB. */
  maxOutOfOrderBytes: number;
  /** Most segments held out of order per direction. Default 64. */
  maxOutOfOrderSegments: number;
}

/** Default {@link ReassemblyLimits}. */
export const DEFAULT_REASSEMBLY_LIMITS: ReassemblyLimits = {
  maxOutOfOrderBytes: 256 * 1024,
  maxOutOfOrderSegments: 64,
};

/** A segment beyond the next expected sequence number (a copy: the frame buffer may be reused). */
interface HeldSegment {
  seq: number;
  bytes: Uint8Array;
}

/** Where one direction's bytes go: in-order chunks, and notice of bytes that will never come. */
export interface StreamSink {
  data(chunk: Uint8Array): void;
  gap(missing: number): void;
}

/** Signed distance from `b` to `a` in 32-bit sequence space (RFC 793 arithmetic, wraps). */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/**
 * One direction of a TCP connection: puts segments back in sequence order, drops what was already
 * delivered (retransmissions, overlaps), holds early segments up to the limits, and declares a
 * gap when the hole cannot fill (limits reached, or the peer acknowledged bytes never seen).
 */
export class TcpDirection {
  /** Next sequence number expected; meaningful once `started`. */
  nextSeq = 0;
  started = false;
  private held: HeldSegment[] = [];
  private heldBytes = 0;

  constructor(
    private readonly limits: ReassemblyLimits,
    private readonly stats: L7Stats,
  ) {}

  /** Bytes held out of order. */
  get bufferedBytes(): number {
    return this.heldBytes;
  }

  /** Starts the stream at `seq` (the byte after a SYN, or the first data seen mid-connection). */
  start(seq: number): void {
    this.nextSeq = seq >>> 0;
    this.started = true;
    this.held = [];
    this.heldBytes = 0;
  }

  /**
   * Accepts a segment's payload starting at sequence number `seq`; delivers in-order bytes to
   * `sink`. An in-order segment is passed on as the same view, not a new one.
   */
  segment(seq: number, payload: Uint8Array, sink: StreamSink): void {
    if (payload.length === 0) return;
    if (!this.started) this.start(seq);
    const offset = seqDiff(seq, this.nextSeq);
    if (offset <= 0) {
      if (offset + payload.length <= 0) {
        this.stats.retransmissions++;
        return;
      }
      if (offset < 0) this.stats.retransmissions++;
      this.deliver(offset === 0 ? payload : payload.subarray(-offset), sink);
      this.drain(sink);
      return;
    }
    this.hold(seq >>> 0, payload);
    if (
      this.held.length > this.limits.maxOutOfOrderSegments ||
      this.heldBytes > this.limits.maxOutOfOrderBytes
    ) {
      this.skipToHeld(sink);
    }
  }

  /** The peer acknowledged `ack`: bytes before it that were never seen will never come. */
  acknowledged(ack: number, sink: StreamSink): void {
    if (!this.started) return;
    const ahead = seqDiff(ack, this.nextSeq);
    if (ahead <= 0) return;
    const first = this.held[0];
    if (first !== undefined && seqDiff(first.seq, ack) <= 0) {
      this.skipToHeld(sink);
      return;
    }
    if (first === undefined) {
      this.stats.gaps += ahead;
      this.nextSeq = ack >>> 0;
      sink.gap(ahead);
    }
  }

  private deliver(bytes: Uint8Array, sink: StreamSink): void {
    this.nextSeq = (this.nextSeq + bytes.length) >>> 0;
    sink.data(bytes);
  }

  private drain(sink: StreamSink): void {
    while (this.held.length > 0) {
      const first = this.held[0]!;
      const offset = seqDiff(first.seq, this.nextSeq);
      if (offset > 0) return;
      this.held.shift();
      this.heldBytes -= first.bytes.length;
      if (offset + first.bytes.length <= 0) {
        this.stats.retransmissions++;
        continue;
      }
      this.deliver(offset === 0 ? first.bytes : first.bytes.subarray(-offset), sink);
    }
  }

  private hold(seq: number, payload: Uint8Array): void {
    this.stats.outOfOrder++;
    let index = this.held.length;
    while (index > 0 && seqDiff(this.held[index - 1]!.seq, seq) > 0) index--;
    const previous = this.held[index - 1];
    if (previous !== undefined && previous.seq === seq && previous.bytes.length >= payload.length) {
      this.stats.retransmissions++;
      return;
    }
    this.held.splice(index, 0, { seq, bytes: payload.slice() });
    this.heldBytes += payload.length;
  }

  private skipToHeld(sink: StreamSink): void {
    const first = this.held[0];
    if (first === undefined) return;
    const missing = seqDiff(first.seq, this.nextSeq);
    this.stats.gaps += missing;
    this.nextSeq = first.seq;
    sink.gap(missing);
    this.drain(sink);
  }
}
