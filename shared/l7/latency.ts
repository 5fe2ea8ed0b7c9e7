import type { DecodedPacket } from '../packet/decodedPacket';
import type { L7Fields } from './l7Fields';
import type { L7Stats } from './l7Stats';

/** Most requests awaiting a response per connection (HTTP/1 FIFO, DNS ids over TCP); HTTP/2 streams are bounded by `Http2Limits.maxStreams`. */
export const MAX_PENDING_PER_CONNECTION = 64;
/** Most DNS queries over UDP awaiting a response per analyser. */
export const MAX_PENDING_UDP_DNS = 10_000;

/** A request awaiting its response: when it completed and the key fields a response row carries. */
export interface PendingRequest {
  sec: number;
  nsec: number;
  /** The request's own fields (HttpMethod, HttpPath, DnsQuery, ...), reported with `L7Unanswered` if no response comes. */
  fields: L7Fields;
  /** The packet that completed the request (for the record of an unanswered one). */
  packet: DecodedPacket | undefined;
  /** The direction (0/1 of the flow key) that sent the request. */
  side: number;
  /** DNS over UDP: the observation scope the query was seen in (see `L7Analyzer.analyzeAll`). */
  scope?: string;
}

/** Pending requests of one TCP connection. Created on its first request only. */
export class ConnectionPending {
  /** HTTP/1.x requests in order (pipelining: responses answer them first in, first out). */
  readonly http1: PendingRequest[] = [];
  /** DNS-over-TCP queries by id. */
  readonly byKey = new Map<number, PendingRequest>();
  /** The ClientHello awaiting its ServerHello. */
  tls: PendingRequest | undefined = undefined;
}

/** Time of the packet being analysed, set by the analyser before each packet. */
export interface PacketClock {
  sec: number;
  nsec: number;
}

/** Nanoseconds from (sec0, nsec0) to (sec1, nsec1), exact for capture timestamps (no 2^53 overflow). */
export function elapsedNs(sec0: number, nsec0: number, sec1: number, nsec1: number): number {
  return (sec1 - sec0) * 1e9 + (nsec1 - nsec0);
}

/** A copy of the request's key fields on the response, where the response does not carry them. */
function answer(response: L7Fields, request: PendingRequest, sec: number, nsec: number): void {
  const latency = elapsedNs(request.sec, request.nsec, sec, nsec);
  response.L7LatencyNs = latency < 0 ? 0 : latency;
  const fields = request.fields;
  if (response.HttpMethod === undefined && fields.HttpMethod !== undefined)
    response.HttpMethod = fields.HttpMethod;
  if (response.HttpPath === undefined && fields.HttpPath !== undefined) response.HttpPath = fields.HttpPath;
  if (response.DnsQuery === undefined && fields.DnsQuery !== undefined) response.DnsQuery = fields.DnsQuery;
}

/** The fields of an unanswered request's record: its key fields and `L7Unanswered`. */
export function unansweredFields(request: PendingRequest): L7Fields {
  return { ...request.fields, L7Unanswered: true };
}

/**
 * Pairs the layer-7 messages one packet completed with their requests (docs/layer7.md, "Latency").
 * `out` holds the messages of a packet at time (sec, nsec); `pending` is the connection's state (TCP).
 * Requests pushed out by a bound are appended to `unanswered`.
 */
export function pairTcpMessages(
  out: readonly L7Fields[],
  from: number,
  pending: ConnectionPending,
  packet: DecodedPacket,
  side: number,
  stats: L7Stats,
  unanswered: PendingRequest[],
): void {
  const sec = packet.timestampSec;
  const nsec = packet.timestampNsec;
  for (let i = from; i < out.length; i++) {
    const fields = out[i]!;
    if (fields.L7Protocol === 'DNS') {
      if (fields.DnsId === undefined) continue;
      const key = fields.DnsId;
      if (fields.DnsIsResponse === true) {
        const request = pending.byKey.get(key);
        if (request !== undefined) {
          pending.byKey.delete(key);
          answer(fields, request, sec, nsec);
        }
      } else {
        // A repeated query (a retry) restarts the clock, as for DNS over UDP.
        pending.byKey.delete(key);
        remember(pending.byKey, key, { sec, nsec, fields, packet, side }, stats, unanswered);
      }
      continue;
    }
    if (fields.TlsHandshake !== undefined) {
      if (fields.TlsHandshake === 'ClientHello') {
        // A second ClientHello (after a HelloRetryRequest) is answered by the next ServerHello.
        pending.tls ??= { sec, nsec, fields, packet, side };
      } else if (pending.tls !== undefined) {
        answer(fields, pending.tls, sec, nsec);
        pending.tls = undefined;
      }
      continue;
    }
    if (fields.L7Protocol !== 'HTTP') continue;
    // HTTP/2 and gRPC are timed per stream by the connection itself (http2Connection.ts).
    if (fields.Http2StreamId !== undefined) continue;
    if (fields.HttpMethod !== undefined) {
      const queue = pending.http1;
      if (queue.length >= MAX_PENDING_PER_CONNECTION) {
        stats.pendingEvicted++;
        unanswered.push(queue.shift()!);
      }
      queue.push({ sec, nsec, fields, packet, side });
    } else if (fields.HttpStatusCode !== undefined) {
      const status = fields.HttpStatusCode;
      const request = pending.http1[0];
      if (request === undefined) continue;
      answer(fields, request, sec, nsec);
      // 1xx is interim (100 Continue, 103): the request still awaits its final response; 101 ends it.
      if (status >= 200 || status === 101) pending.http1.shift();
    }
  }
}

function remember(
  map: Map<number, PendingRequest>,
  key: number,
  request: PendingRequest,
  stats: L7Stats,
  unanswered: PendingRequest[],
): void {
  if (map.size >= MAX_PENDING_PER_CONNECTION) {
    const oldest = map.entries().next();
    if (!oldest.done) {
      map.delete(oldest.value[0]);
      stats.pendingEvicted++;
      unanswered.push(oldest.value[1]);
    }
  }
  map.set(key, request);
}

/**
 * Direction `side` of a connection lost or could not read bytes (a gap, a malformed or oversized
 * message): HTTP/1 requests the other side sent before are taken as answered by what was lost, and
 * reported unanswered, so the next response pairs with the request it answers.
 */
export function dropLostResponses(
  pending: ConnectionPending,
  side: number,
  unanswered: PendingRequest[],
): void {
  const queue = pending.http1;
  let kept = 0;
  for (let i = 0; i < queue.length; i++) {
    const request = queue[i]!;
    if (request.side === side) queue[kept++] = request;
    else unanswered.push(request);
  }
  queue.length = kept;
}

/** Every request still pending on a connection (it ended or was dropped), appended to `unanswered`. */
export function drainConnection(pending: ConnectionPending, unanswered: PendingRequest[]): void {
  for (const request of pending.http1) unanswered.push(request);
  for (const request of pending.byKey.values()) unanswered.push(request);
  if (pending.tls !== undefined) unanswered.push(pending.tls);
  pending.http1.length = 0;
  pending.byKey.clear();
  pending.tls = undefined;
}
