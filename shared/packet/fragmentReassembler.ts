/**
 * Bounded IPv4/IPv6 fragment reassembly. Stateful (one instance per capture or batch stream) but
 * pure: time comes from packet timestamps, never a clock. The reassembled packet is returned on the
 * fragment that completes the datagram, as Wireshark attaches it to that frame.
 *
 * Overlap policy: first wins. Where fragments overlap with different bytes, the bytes of the
 * fragment that arrived first are kept (as Windows and Wireshark do; Linux and the BSDs differ in
 * detail); the datagram is still reassembled, flagged `fragmentOverlap` and counted in `overlaps`.
 * A non-final fragment whose length is not a multiple of 8 breaks RFC 791/8200, but receivers accept
 * it (Linux trims it): it is kept as sent, flagged `fragmentIrregular` and counted in `irregular`.
 */
import { formatIp } from '../net/ipAddress';
import type { DecodedPacket } from './decodedPacket';
import { walkIpv6Headers } from './ipv6';
import { decodeTransport } from './transport';

/** Bounds on reassembly state. Defaults follow Linux (`ipfrag_time` 30 s, 64 KiB datagrams). */
export interface ReassemblyLimits {
  /** Fragments kept per datagram; default 64. */
  maxFragmentsPerDatagram?: number;
  /** Datagrams waiting for fragments at once; default 1024. The oldest is evicted beyond it. */
  maxPendingDatagrams?: number;
  /** Bytes held across all waiting datagrams; default 4 MiB. The oldest are evicted beyond it. */
  maxPendingBytes?: number;
  /** Seconds (packet time) a datagram may wait for its fragments; default 30. */
  timeoutSec?: number;
}

/** What happened to a packet given to {@link FragmentReassembler.push}. */
export type ReassemblyResult =
  | { kind: 'not-fragment' }
  | { kind: 'pending' }
  | { kind: 'reassembled'; packet: DecodedPacket }
  | { kind: 'dropped'; reason: string };

/** Counters for the once-per-batch log line. */
export interface ReassemblyStats {
  reassembled: number;
  /** Datagrams reassembled although fragments overlapped with different bytes (first-wins). */
  overlaps: number;
  /** Datagrams reassembled from a non-final fragment whose length is not a multiple of 8. */
  irregular: number;
  dropped: number;
  expired: number;
  evicted: number;
}

interface Piece {
  offset: number;
  bytes: Uint8Array;
  frame: number;
  protocol: number;
}

interface Datagram {
  key: string;
  firstSeenSec: number;
  pieces: Piece[];
  bytes: number;
  /** Datagram length once the last fragment (More Fragments clear) is seen; -1 before. */
  total: number;
  /** Fragments overlapped with different bytes. */
  overlap: boolean;
  /** A non-final fragment's length was not a multiple of 8. */
  irregular: boolean;
}

const MAX_DATAGRAM = 65535;
const NOT_FRAGMENT: ReassemblyResult = { kind: 'not-fragment' };
const PENDING: ReassemblyResult = { kind: 'pending' };

/** Reassembles IP fragments within the given limits. */
export class FragmentReassembler {
  /** Running counters. */
  readonly stats: ReassemblyStats = {
    reassembled: 0,
    overlaps: 0,
    irregular: 0,
    dropped: 0,
    expired: 0,
    evicted: 0,
  };
  private readonly pending = new Map<string, Datagram>();
  private pendingBytes = 0;
  private readonly maxFragments: number;
  private readonly maxDatagrams: number;
  private readonly maxBytes: number;
  private readonly timeoutSec: number;

  constructor(limits: ReassemblyLimits = {}) {
    this.maxFragments = limits.maxFragmentsPerDatagram ?? 64;
    this.maxDatagrams = limits.maxPendingDatagrams ?? 1024;
    this.maxBytes = limits.maxPendingBytes ?? 4 * 1024 * 1024;
    this.timeoutSec = limits.timeoutSec ?? 30;
  }

  /** Datagrams currently waiting for fragments. */
  get pendingDatagrams(): number {
    return this.pending.size;
  }

  /** Offers a decoded packet; fragments are held until their datagram completes. */
  push(packet: DecodedPacket): ReassemblyResult {
    if (packet.fragment !== true || packet.payload === undefined || packet.sourceIp === undefined)
      return NOT_FRAGMENT;
    const now = packet.timestampSec + packet.timestampNsec / 1e9;
    this.expire(now);
    const key = fragmentKey(packet);
    const offset = packet.fragmentOffset ?? 0;
    const data = packet.payload;
    if (data.length < (packet.payloadLength ?? 0)) {
      return this.drop(
        key,
        `fragment in frame ${packet.frame} was captured short (${data.length} of ${packet.payloadLength} bytes)`,
      );
    }
    if (offset + data.length > MAX_DATAGRAM) {
      return this.drop(
        key,
        `fragment in frame ${packet.frame} ends at byte ${offset + data.length}, beyond ${MAX_DATAGRAM}`,
      );
    }
    let datagram = this.pending.get(key);
    if (datagram === undefined) {
      datagram = {
        key,
        firstSeenSec: now,
        pieces: [],
        bytes: 0,
        total: -1,
        overlap: false,
        irregular: false,
      };
      this.pending.set(key, datagram);
    }
    if (packet.moreFragments === true && data.length % 8 !== 0) datagram.irregular = true;
    if (packet.moreFragments !== true) {
      const total = offset + data.length;
      if (datagram.total >= 0 && datagram.total !== total) {
        return this.drop(
          key,
          `frame ${packet.frame} ends the datagram at ${total}, an earlier last fragment at ${datagram.total}`,
        );
      }
      datagram.total = total;
    }
    let duplicate = false;
    for (const piece of datagram.pieces) {
      if (!sameBytesWhereOverlapping(piece, offset, data)) datagram.overlap = true;
      duplicate ||= piece.offset === offset && piece.bytes.length === data.length;
    }
    // A copy at the same place adds nothing under first-wins (its differing bytes were noted above).
    if (duplicate) return PENDING;
    if (datagram.pieces.length >= this.maxFragments) {
      return this.drop(key, `datagram has more than ${this.maxFragments} fragments`);
    }
    datagram.pieces.push({
      offset,
      bytes: data.slice(),
      frame: packet.frame,
      protocol: packet.protocol ?? 0,
    });
    datagram.bytes += data.length;
    this.pendingBytes += data.length;
    const complete = this.complete(datagram, packet);
    if (complete !== undefined) return complete;
    this.enforceBounds(key);
    return PENDING;
  }

  private complete(datagram: Datagram, last: DecodedPacket): ReassemblyResult | undefined {
    if (datagram.total < 0) return undefined;
    const pieces = datagram.pieces.slice().sort((a, b) => a.offset - b.offset);
    let covered = 0;
    for (const piece of pieces) {
      if (piece.offset > covered) return undefined;
      covered = Math.max(covered, piece.offset + piece.bytes.length);
    }
    if (covered < datagram.total) return undefined;
    const buffer = new Uint8Array(datagram.total);
    // First wins: write the latest arrival first, so earlier fragments overwrite what they overlap.
    for (let i = datagram.pieces.length - 1; i >= 0; i--) {
      const piece = datagram.pieces[i]!;
      if (piece.offset < datagram.total)
        buffer.set(piece.bytes.subarray(0, datagram.total - piece.offset), piece.offset);
    }
    this.forget(datagram);
    this.stats.reassembled++;
    if (datagram.overlap) this.stats.overlaps++;
    if (datagram.irregular) this.stats.irregular++;
    const first = pieces[0]!;
    const out: DecodedPacket = {
      ...last,
      fragment: false,
      protocol: first.protocol,
      payload: buffer,
      payloadLength: buffer.length,
      malformed: undefined,
      reassembledFrames: pieces.map((p) => p.frame),
    };
    if (datagram.overlap) out.fragmentOverlap = true;
    if (datagram.irregular) out.fragmentIrregular = true;
    let end = buffer.length;
    if (out.ipVersion === 6)
      end = walkIpv6Headers(out, buffer, 0, buffer.length, first.protocol, buffer.length);
    if (end >= 0 && out.payload !== undefined && out.fragment !== true) {
      const start = out.payload.byteOffset - buffer.byteOffset;
      decodeTransport(out, buffer, start, end, start + out.payloadLength!, out.protocol!);
    }
    out.fragment = false;
    return { kind: 'reassembled', packet: out };
  }

  private expire(now: number): void {
    for (const datagram of this.pending.values()) {
      if (now - datagram.firstSeenSec <= this.timeoutSec) break;
      this.forget(datagram);
      this.stats.expired++;
    }
  }

  private enforceBounds(keep: string): void {
    for (const datagram of this.pending.values()) {
      if (this.pending.size <= this.maxDatagrams && this.pendingBytes <= this.maxBytes) return;
      if (datagram.key === keep) continue;
      this.forget(datagram);
      this.stats.evicted++;
    }
  }

  private drop(key: string, reason: string): ReassemblyResult {
    const datagram = this.pending.get(key);
    if (datagram !== undefined) this.forget(datagram);
    this.stats.dropped++;
    return { kind: 'dropped', reason };
  }

  private forget(datagram: Datagram): void {
    this.pending.delete(datagram.key);
    this.pendingBytes -= datagram.bytes;
  }
}

/** Identifies a datagram: RFC 791 (src, dst, protocol, id) and RFC 8200 (src, dst, id). */
function fragmentKey(packet: DecodedPacket): string {
  const protocol = packet.ipVersion === 4 ? packet.protocol : '';
  return `${packet.ipVersion}|${formatIp(packet.sourceIp!)}|${formatIp(packet.destinationIp!)}|${protocol}|${packet.fragmentId}`;
}

/** True when `bytes` at `offset` agrees with `piece` wherever the two overlap (exact duplicates are harmless). */
function sameBytesWhereOverlapping(piece: Piece, offset: number, bytes: Uint8Array): boolean {
  const from = Math.max(piece.offset, offset);
  const to = Math.min(piece.offset + piece.bytes.length, offset + bytes.length);
  for (let at = from; at < to; at++) {
    if (piece.bytes[at - piece.offset] !== bytes[at - offset]) return false;
  }
  return true;
}
