import type { Http2AbortReason } from './http2Limits';

/** Counters an analyser keeps; read them once per batch for logging, never per packet. */
export interface L7Stats {
  /** Messages that produced record fields, per protocol. */
  http: number;
  dns: number;
  tls: number;
  /** Messages or records that could not be parsed (no fields were produced for them). */
  malformed: number;
  /** Bytes given up on because of a sequence gap that never filled. */
  gaps: number;
  /** TCP segments (or parts) already delivered and seen again. */
  retransmissions: number;
  /** Segments held because they arrived ahead of a missing one. */
  outOfOrder: number;
  /** Flows dropped to respect a limit: idle age, flow count or total memory. */
  evictedIdle: number;
  evictedFlows: number;
  evictedMemory: number;
  /** Messages abandoned because they exceeded a per-message size limit. */
  oversized: number;
  /** HTTP/2 connections whose parsing ended early (a bound or a protocol violation), in total and by reason. */
  http2Aborted: number;
  http2AbortReasons: Partial<Record<Http2AbortReason, number>>;
  /** Requests dropped from a connection's pending set by its bound (oldest first), reported unanswered. */
  pendingEvicted: number;
  /** DNS queries repeated with the same id before a response (retries): the response is timed from the latest. */
  dnsRetries: number;
  /** Requests reported unanswered (`L7Unanswered`): evicted by a bound, or pending when their connection ended, expired or was flushed. */
  unanswered: number;
  /** Packets whose analysis failed unexpectedly (a defect); the flow's state was dropped. */
  internalErrors: number;
}

/** A zeroed {@link L7Stats}. */
export function emptyL7Stats(): L7Stats {
  return {
    http: 0,
    dns: 0,
    tls: 0,
    malformed: 0,
    gaps: 0,
    retransmissions: 0,
    outOfOrder: 0,
    evictedIdle: 0,
    evictedFlows: 0,
    evictedMemory: 0,
    oversized: 0,
    internalErrors: 0,
    pendingEvicted: 0,
    dnsRetries: 0,
    unanswered: 0,
    http2Aborted: 0,
    http2AbortReasons: {},
  };
}
