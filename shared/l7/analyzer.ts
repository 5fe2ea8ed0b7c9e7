import { flowMapKey, sourceEndFirst } from '../packet/flowKey';
import type { DecodedPacket } from '../packet/decodedPacket';
import { IpProtocol, TcpFlag } from '../packet/decodedPacket';
import { isDnsPort, parseDnsMessage } from './dns';
import type { Http2Limits } from './http2Limits';
import { DEFAULT_HTTP2_LIMITS } from './http2Limits';
import { parseHttpHead } from './http';
import type { L7Fields } from './l7Fields';
import type { L7Stats } from './l7Stats';
import type { PendingRequest } from './latency';
import {
  ConnectionPending,
  drainConnection,
  dropLostResponses,
  elapsedNs,
  MAX_PENDING_UDP_DNS,
  pairTcpMessages,
  unansweredFields,
} from './latency';
import { emptyL7Stats } from './l7Stats';
import { looksLikeQuicInitial } from './quicInitial';
import { QuicTracker } from './quicTracker';
import type { SecretKeyTest } from './redact';
import { secretKeyTest } from './redact';
import { DEFAULT_REASSEMBLY_LIMITS } from './reassembly';
import type { TcpFlowContext } from './tcpFlow';
import { TcpFlow } from './tcpFlow';

/** Options of {@link createL7Analyzer}. Every limit is a hard bound; exceeding it evicts and counts. */
export interface L7AnalyzerOptions {
  /** Most TCP flows tracked at once; the oldest is evicted beyond it. Default 50 000. */
  maxFlows?: number;
  /** Most bytes buffered across all flows (held segments and partial messages). Default 64 MiB. */
  maxTotalBytes?: number;
  /** Most bytes held out of order per direction. Default 256 KiB. */
  maxOutOfOrderBytes?: number;
  /** A flow with no packet for this long (by packet timestamps) is dropped. Default 300 000 ms. */
  idleTimeoutInMs?: number;
  /** Query parameter names whose values are redacted in `HttpPath` (see `DEFAULT_SECRET_QUERY_KEYS`). */
  secretQueryKeys?: readonly string[];
  /** Bounds of HTTP/2 parsing per connection (see `DEFAULT_HTTP2_LIMITS`); exceeding one ends that connection's parsing, counted. */
  http2?: Partial<Http2Limits>;
  /** A DNS query over UDP without a response for this long (packet time) is reported unanswered. Default 30 000 ms. */
  dnsResponseTimeoutInMs?: number;
}

/** A request whose response never came: its fields (with `L7Unanswered`) and the packet that completed it. */
export interface UnansweredRequest {
  fields: L7Fields;
  packet: DecodedPacket;
}

/** A stateful layer-7 analyser for one packet sequence (a batch or a partition), in capture order. */
export interface L7Analyzer {
  /** Fields of the first message this packet completes, or undefined. */
  analyze(packet: DecodedPacket): L7Fields | undefined;
  /**
   * Fields of every message this packet completes (pipelined requests, several DNS messages in
   * one segment). The array is reused: read it before the next call. Use this or `analyze` per packet.
   */
  analyzeAll(packet: DecodedPacket, scope?: string): readonly L7Fields[];
  /** Drops all flow state (end of a batch). Counters are kept. */
  flush(): void;
  /**
   * Requests reported unanswered since the last call (docs/layer7.md, "Latency"): evicted by the
   * per-connection bound, pending when their connection ended (FIN both ways, RST), was evicted or
   * went idle, DNS queries over UDP unanswered for `dnsResponseTimeoutInMs`, and everything pending at `flush`.
   */
  takeUnanswered(): readonly UnansweredRequest[];
  /** Running counters. */
  readonly stats: L7Stats;
  /** Flows currently tracked. */
  readonly flowCount: number;
}

/** The side of a flow taken for the server when nothing else tells: the one with the lower port. */
function serverSide(direction: 0 | 1, srcPort: number, dstPort: number): 0 | 1 {
  return srcPort < dstPort ? direction : direction === 0 ? 1 : 0;
}

const NONE_UNANSWERED: UnansweredRequest[] = [];

/** Most scopes remembered as having seen a DNS response. */
const MAX_SCOPES_WITH_DNS_RESPONSES = 4096;

/** SSDP's UDP port: HTTP-formatted messages in datagrams. */
const SSDP_PORT = 1900;

/** Creates an {@link L7Analyzer}. Pure: no clock, no I/O; time comes from packet timestamps. */
export function createL7Analyzer(options: L7AnalyzerOptions = {}): L7Analyzer {
  return new Analyzer(options);
}

class Analyzer implements L7Analyzer {
  readonly stats = emptyL7Stats();
  private readonly flows = new Map<string, TcpFlow>();
  private readonly out: L7Fields[] = [];
  private readonly quic: QuicTracker;
  private readonly maxFlows: number;
  private readonly maxTotalBytes: number;
  private readonly idleSeconds: number;
  private readonly context: TcpFlowContext;
  private readonly isSecret: SecretKeyTest;
  private totalBuffered = 0;
  private lastSweep = -Infinity;
  /** DNS queries over UDP awaiting responses, by flow key and id, oldest first. */
  private readonly clock = { sec: 0, nsec: 0 };
  private readonly pendingDns = new Map<string, PendingRequest>();
  private readonly dnsTimeoutSeconds: number;
  private unanswered: PendingRequest[] = [];
  /** Scratch for pending requests dropped unreported (their connection was seen one way only). */
  private readonly discarded: PendingRequest[] = [];
  /**
   * Scopes (observation devices) that have seen a DNS response over UDP. A device that never sees
   * one (a trace point capturing a pod's egress only) sees queries only: its queries are not
   * reported unanswered, since their responses were not lost, only not visible there.
   */
  private readonly scopesWithDnsResponses = new Set<string>();
  /** The scope of the packet being analysed (see {@link L7Analyzer.analyzeAll}). */
  private scope = '';

  constructor(options: L7AnalyzerOptions) {
    this.maxFlows = options.maxFlows ?? 50_000;
    this.maxTotalBytes = options.maxTotalBytes ?? 64 * 1024 * 1024;
    this.idleSeconds = (options.idleTimeoutInMs ?? 300_000) / 1000;
    this.dnsTimeoutSeconds = (options.dnsResponseTimeoutInMs ?? 30_000) / 1000;
    this.isSecret = secretKeyTest(options.secretQueryKeys);
    const limits = {
      ...DEFAULT_REASSEMBLY_LIMITS,
      ...(options.maxOutOfOrderBytes === undefined ? {} : { maxOutOfOrderBytes: options.maxOutOfOrderBytes }),
    };
    const http2Limits = { ...DEFAULT_HTTP2_LIMITS, ...options.http2 };
    this.context = {
      stats: this.stats,
      limits,
      isSecret: this.isSecret,
      out: this.out,
      http2Limits,
      clock: this.clock,
    };
    this.quic = new QuicTracker(this.stats);
  }

  get flowCount(): number {
    return this.flows.size;
  }

  analyze(packet: DecodedPacket): L7Fields | undefined {
    return this.analyzeAll(packet)[0];
  }

  analyzeAll(packet: DecodedPacket, scope = ''): readonly L7Fields[] {
    this.out.length = 0;
    this.scope = scope;
    this.clock.sec = packet.timestampSec;
    this.clock.nsec = packet.timestampNsec;
    try {
      this.dispatch(packet);
    } catch {
      // A defect in a parser must not take down the batch: count it and drop the flow's state.
      this.stats.internalErrors++;
      const key = flowMapKey(packet);
      if (key !== undefined) this.flows.delete(this.scope + key);
    }
    return this.out;
  }

  private dispatch(packet: DecodedPacket): void {
    const payload = packet.payload;
    const { sourceIp, destinationIp, sourcePort, destinationPort } = packet;
    if (packet.fragment === true || !sourceIp || !destinationIp) return;
    if (sourcePort === undefined || destinationPort === undefined) return;
    if (packet.protocol === IpProtocol.UDP) {
      if (payload === undefined || payload.length === 0) return;
      if (isDnsPort(sourcePort) || isDnsPort(destinationPort)) this.udpDns(payload, packet);
      else if (sourcePort === SSDP_PORT || destinationPort === SSDP_PORT) this.udpHttp(payload);
      else if (looksLikeQuicInitial(payload)) {
        const key = this.scope + flowMapKey(packet)!;
        const before = this.out.length;
        this.quic.datagram(key, payload, this.out);
        this.stats.tls += this.out.length - before;
      }
      return;
    }
    if (packet.protocol !== IpProtocol.TCP || packet.tcpSeq === undefined) return;
    const now = packet.timestampSec + packet.timestampNsec / 1e9;
    if (now - this.lastSweep >= 1) this.sweep(now);
    this.tcp(packet, now, sourcePort, destinationPort);
  }

  flush(): void {
    for (const flow of this.flows.values()) this.release(flow);
    for (const request of this.pendingDns.values())
      if (this.scopesWithDnsResponses.has(request.scope ?? '')) this.unanswered.push(request);
    this.pendingDns.clear();
    this.flows.clear();
    this.quic.clear();
    this.totalBuffered = 0;
  }

  takeUnanswered(): readonly UnansweredRequest[] {
    const taken = this.unanswered;
    if (taken.length === 0) return NONE_UNANSWERED;
    this.unanswered = [];
    this.stats.unanswered += taken.length;
    return taken.map((request) => ({ fields: unansweredFields(request), packet: request.packet! }));
  }

  /** Moves a connection's pending requests to the unanswered list (it ended or was dropped). */
  private release(flow: TcpFlow): void {
    if (flow.pending === undefined) return;
    // Seen one way only (a trace point that sees a pod's egress, not its ingress): the response was
    // not lost, only not visible here, so nothing is reported.
    if (flow.seen === 3) drainConnection(flow.pending, this.unanswered);
    else {
      drainConnection(flow.pending, this.discarded);
      this.discarded.length = 0;
    }
  }

  private udpDns(payload: Uint8Array, packet: DecodedPacket): void {
    const parsed = parseDnsMessage(payload);
    if (parsed.ok) {
      this.stats.dns++;
      const fields = parsed.fields;
      this.out.push(fields);
      if (fields.DnsId !== undefined) this.pairUdpDns(fields, packet);
    } else {
      this.stats.malformed++;
    }
  }

  /**
   * A DNS response over UDP is paired with the query of the same id, addresses and ports (the
   * flow key is the same both ways). A repeated query (same id) replaces the earlier one.
   */
  private pairUdpDns(fields: L7Fields, packet: DecodedPacket): void {
    const key = flowMapKey(packet)!;
    const scope = this.scope;
    const id = `${scope}${key}#${fields.DnsId}`;
    const map = this.pendingDns;
    if (fields.DnsIsResponse === true) {
      const seen = this.scopesWithDnsResponses;
      if (!seen.has(scope)) {
        // Bounded: forgetting every scope only makes later timeouts go unreported until a response is seen again.
        if (seen.size >= MAX_SCOPES_WITH_DNS_RESPONSES) seen.clear();
        seen.add(scope);
      }
      const request = map.get(id);
      if (request === undefined) return;
      map.delete(id);
      const latency = elapsedNs(request.sec, request.nsec, packet.timestampSec, packet.timestampNsec);
      fields.L7LatencyNs = latency < 0 ? 0 : latency;
      if (fields.DnsQuery === undefined && request.fields.DnsQuery !== undefined)
        fields.DnsQuery = request.fields.DnsQuery;
      return;
    }
    // A repeated query (a retry) restarts the clock, as tshark pairs the response with the latest one.
    if (map.delete(id)) this.stats.dnsRetries++;
    else if (map.size >= MAX_PENDING_UDP_DNS) {
      const oldest = map.entries().next();
      if (!oldest.done) {
        map.delete(oldest.value[0]);
        this.stats.pendingEvicted++;
        this.unanswered.push(oldest.value[1]);
      }
    }
    map.set(id, { sec: packet.timestampSec, nsec: packet.timestampNsec, fields, packet, side: 0, scope });
  }

  /** SSDP (HTTP over UDP): one message head per datagram. */
  private udpHttp(payload: Uint8Array): void {
    const head = parseHttpHead(payload, 0, payload.length, this.isSecret);
    if (head.kind === 'request' || head.kind === 'response') {
      this.stats.http++;
      this.out.push(head.fields);
    } else {
      this.stats.malformed++;
    }
  }

  private tcp(packet: DecodedPacket, now: number, srcPort: number, dstPort: number): void {
    const flags = packet.tcpFlags ?? 0;
    const seq = packet.tcpSeq ?? 0;
    const payload = packet.payload;
    const syn = (flags & TcpFlag.SYN) !== 0;
    const key = this.scope + flowMapKey(packet)!;
    // 0: from the side that sorts first (A) to the other (B), the flow key's order.
    const direction = sourceEndFirst(packet) ? 0 : 1;
    let flow = this.flows.get(key);
    if (flow === undefined) {
      if ((payload === undefined || payload.length === 0) && !syn) return;
      flow = this.newFlow(
        key,
        isDnsPort(srcPort) || isDnsPort(dstPort),
        serverSide(direction, srcPort, dstPort),
      );
    }
    const dataSeq = syn ? (seq + 1) >>> 0 : seq;
    if (syn) {
      if (!flow.expects(direction, dataSeq)) {
        this.drop(key, flow);
        flow = this.newFlow(
          key,
          isDnsPort(srcPort) || isDnsPort(dstPort),
          serverSide(direction, srcPort, dstPort),
        );
      }
      flow.start(direction, dataSeq);
    }
    flow.lastSeen = now;
    flow.seen |= direction === 0 ? 1 : 2;
    if ((flags & TcpFlag.ACK) !== 0 && packet.tcpAck !== undefined)
      flow.acknowledge(direction, packet.tcpAck);
    const stats = this.stats;
    const troubles = stats.malformed + stats.oversized;
    if (payload !== undefined && payload.length > 0) {
      flow.segment(direction, dataSeq, payload, packet.payloadLength ?? payload.length);
    }
    if ((flags & TcpFlag.FIN) !== 0) flow.finish(direction);
    const pending = flow.pending;
    // Bytes of this direction lost or unreadable: an HTTP/1 response among them is lost, so the
    // requests the other side sent before it are reported unanswered rather than paired with later responses.
    if (pending !== undefined && flow.seen === 3) {
      if (stats.malformed + stats.oversized !== troubles)
        dropLostResponses(pending, direction, this.unanswered);
      if ((flow.lost & 1) !== 0) dropLostResponses(pending, 0, this.unanswered);
      if ((flow.lost & 2) !== 0) dropLostResponses(pending, 1, this.unanswered);
    }
    flow.lost = 0;
    if (this.out.length > 0)
      pairTcpMessages(
        this.out,
        0,
        (flow.pending ??= new ConnectionPending()),
        packet,
        direction,
        stats,
        flow.seen === 3 ? this.unanswered : this.discarded,
      );
    this.discarded.length = 0;
    if ((flags & TcpFlag.RST) !== 0 || flow.fin === 3) {
      this.drop(key, flow);
      return;
    }
    this.account(flow);
  }

  private newFlow(key: string, dnsPort: boolean, server: 0 | 1): TcpFlow {
    if (this.flows.size >= this.maxFlows) {
      const oldest = this.flows.entries().next();
      if (!oldest.done) {
        this.stats.evictedFlows++;
        this.drop(oldest.value[0], oldest.value[1]);
      }
    }
    const flow = new TcpFlow(dnsPort, this.context, server);
    this.flows.set(key, flow);
    return flow;
  }

  private account(flow: TcpFlow): void {
    const buffered = flow.bufferedBytes;
    this.totalBuffered += buffered - flow.buffered;
    flow.buffered = buffered;
    while (this.totalBuffered > this.maxTotalBytes && this.flows.size > 0) {
      const oldest = this.flows.entries().next();
      if (oldest.done) break;
      this.stats.evictedMemory++;
      this.drop(oldest.value[0], oldest.value[1]);
    }
  }

  private drop(key: string, flow: TcpFlow): void {
    this.release(flow);
    this.totalBuffered -= flow.buffered;
    flow.buffered = 0;
    this.flows.delete(key);
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    const cutoff = now - this.idleSeconds;
    const dnsCutoff = now - this.dnsTimeoutSeconds;
    for (const [id, request] of this.pendingDns) {
      // Insertion order is query order: the first one still in time ends the scan.
      if (request.sec + request.nsec / 1e9 >= dnsCutoff) break;
      this.pendingDns.delete(id);
      if (this.scopesWithDnsResponses.has(request.scope ?? '')) this.unanswered.push(request);
    }
    for (const [key, flow] of this.flows) {
      if (flow.lastSeen < cutoff) {
        this.stats.evictedIdle++;
        this.drop(key, flow);
      }
    }
  }
}
