import type { DecodedPacket } from '../packet/decodedPacket';
import { IpProtocol, TcpFlag } from '../packet/decodedPacket';
import { concatBytes } from './bytes';
import { DNS_PORTS, parseDnsMessage } from './dns';
import { DnsTcpStreamParser } from './dnsStream';
import { l7FlowKey } from './flowKey';
import { looksLikeHttp, parseHttpHead } from './http';
import { HttpFlowState, HttpStreamParser } from './httpStream';
import type { L7Fields } from './l7Fields';
import type { L7Stats } from './l7Stats';
import { emptyL7Stats } from './l7Stats';
import { MessageStream } from './messageStream';
import type { StreamParser } from './messageStream';
import { looksLikeQuicInitial } from './quicInitial';
import { QuicTracker } from './quicTracker';
import type { SecretKeyTest } from './redact';
import { secretKeyTest } from './redact';
import type { StreamSink } from './reassembly';
import { DEFAULT_REASSEMBLY_LIMITS, seqDiff, TcpDirection } from './reassembly';
import { looksLikeTls, TlsFlowState, TlsStreamParser } from './tlsStream';

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
}

/** A stateful layer-7 analyser for one packet sequence (a batch or a partition), in capture order. */
export interface L7Analyzer {
  /** Fields of the first message this packet completes, or undefined. */
  analyze(packet: DecodedPacket): L7Fields | undefined;
  /**
   * Fields of every message this packet completes (pipelined requests, several DNS messages in
   * one segment). The array is reused: read it before the next call. Use this or `analyze` per packet.
   */
  analyzeAll(packet: DecodedPacket): readonly L7Fields[];
  /** Drops all flow state (end of a batch). Counters are kept. */
  flush(): void;
  /** Running counters. */
  readonly stats: L7Stats;
  /** Flows currently tracked. */
  readonly flowCount: number;
}

type FlowProtocol = 'unknown' | 'http' | 'tls' | 'dns' | 'opaque';

/** SSDP's UDP port: HTTP-formatted messages in datagrams. */
const SSDP_PORT = 1900;
/** Segments inspected per flow before a flow with unrecognised content is ignored. */
const MAX_DETECTION_ATTEMPTS = 8;
/** Bytes gathered at the start of a flow direction before deciding what protocol it carries. */
const MIN_DETECTION_BYTES = 8;

interface FlowSide {
  tcp: TcpDirection;
  /** First bytes of a flow not yet long enough to recognise its protocol. */
  early: Uint8Array | undefined;
  stream: MessageStream | undefined;
  sink: StreamSink;
}

interface Flow {
  protocol: FlowProtocol;
  sides: [FlowSide, FlowSide];
  lastSeen: number;
  attempts: number;
  fin: number;
  buffered: number;
  dnsPort: boolean;
}

/** Creates an {@link L7Analyzer}. Pure: no clock, no I/O; time comes from packet timestamps. */
export function createL7Analyzer(options: L7AnalyzerOptions = {}): L7Analyzer {
  return new Analyzer(options);
}

class Analyzer implements L7Analyzer {
  readonly stats = emptyL7Stats();
  private readonly flows = new Map<string, Flow>();
  private readonly out: L7Fields[] = [];
  private readonly quic: QuicTracker;
  private readonly maxFlows: number;
  private readonly maxTotalBytes: number;
  private readonly idleSeconds: number;
  private readonly limits;
  private readonly isSecret: SecretKeyTest;
  private totalBuffered = 0;
  private lastSweep = -Infinity;

  constructor(options: L7AnalyzerOptions) {
    this.maxFlows = options.maxFlows ?? 50_000;
    this.maxTotalBytes = options.maxTotalBytes ?? 64 * 1024 * 1024;
    this.idleSeconds = (options.idleTimeoutInMs ?? 300_000) / 1000;
    this.limits = {
      ...DEFAULT_REASSEMBLY_LIMITS,
      ...(options.maxOutOfOrderBytes === undefined ? {} : { maxOutOfOrderBytes: options.maxOutOfOrderBytes }),
    };
    this.isSecret = secretKeyTest(options.secretQueryKeys);
    this.quic = new QuicTracker(this.stats);
  }

  get flowCount(): number {
    return this.flows.size;
  }

  analyze(packet: DecodedPacket): L7Fields | undefined {
    return this.analyzeAll(packet)[0];
  }

  analyzeAll(packet: DecodedPacket): readonly L7Fields[] {
    this.out.length = 0;
    try {
      this.dispatch(packet);
    } catch {
      // A defect in a parser must not take down the batch: count it and drop the flow's state.
      this.stats.internalErrors++;
      const { sourceIp, destinationIp, sourcePort, destinationPort } = packet;
      if (sourceIp && destinationIp && sourcePort !== undefined && destinationPort !== undefined) {
        this.flows.delete(
          l7FlowKey(IpProtocol.TCP, sourceIp, sourcePort, destinationIp, destinationPort).key,
        );
      }
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
      if (DNS_PORTS.has(sourcePort) || DNS_PORTS.has(destinationPort)) this.udpDns(payload);
      else if (sourcePort === SSDP_PORT || destinationPort === SSDP_PORT) this.udpHttp(payload);
      else if (looksLikeQuicInitial(payload)) {
        const { key } = l7FlowKey(IpProtocol.UDP, sourceIp, sourcePort, destinationIp, destinationPort);
        const before = this.out.length;
        this.quic.datagram(key, payload, this.out);
        this.stats.tls += this.out.length - before;
      }
      return;
    }
    if (packet.protocol !== IpProtocol.TCP || packet.tcpSeq === undefined) return;
    const now = packet.timestampSec + packet.timestampNsec / 1e9;
    if (now - this.lastSweep >= 1) this.sweep(now);
    this.tcp(packet, now, sourceIp, sourcePort, destinationIp, destinationPort);
  }

  flush(): void {
    this.flows.clear();
    this.totalBuffered = 0;
  }

  private udpDns(payload: Uint8Array): void {
    const parsed = parseDnsMessage(payload);
    if (parsed.ok) {
      this.stats.dns++;
      this.out.push(parsed.fields);
    } else {
      this.stats.malformed++;
    }
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

  private tcp(
    packet: DecodedPacket,
    now: number,
    src: Uint8Array,
    srcPort: number,
    dst: Uint8Array,
    dstPort: number,
  ): void {
    const flags = packet.tcpFlags ?? 0;
    const seq = packet.tcpSeq ?? 0;
    const payload = packet.payload ?? new Uint8Array(0);
    const { key, direction } = l7FlowKey(IpProtocol.TCP, src, srcPort, dst, dstPort);
    let flow = this.flows.get(key);
    if (flow === undefined) {
      if (payload.length === 0 && (flags & TcpFlag.SYN) === 0) return;
      flow = this.newFlow(key, DNS_PORTS.has(srcPort) || DNS_PORTS.has(dstPort));
    }
    const side = flow.sides[direction];
    if ((flags & TcpFlag.SYN) !== 0) {
      const next = (seq + 1) >>> 0;
      if (side.tcp.started && seqDiff(next, side.tcp.nextSeq) !== 0) {
        this.drop(key, flow);
        flow = this.newFlow(key, flow.dnsPort);
      }
      flow.sides[direction].tcp.start(next);
    }
    flow.lastSeen = now;
    const active = flow.sides[direction];
    const other = flow.sides[direction === 0 ? 1 : 0];
    if ((flags & TcpFlag.ACK) !== 0 && packet.tcpAck !== undefined)
      other.tcp.acknowledged(packet.tcpAck, other.sink);
    if (payload.length > 0 && flow.protocol !== 'opaque') {
      const dataSeq = (flags & TcpFlag.SYN) !== 0 ? (seq + 1) >>> 0 : seq;
      active.tcp.segment(dataSeq, payload, active.sink);
      const declared = packet.payloadLength ?? payload.length;
      if (declared > payload.length) active.tcp.acknowledged((dataSeq + declared) >>> 0, active.sink);
    }
    if ((flags & TcpFlag.FIN) !== 0) {
      flow.fin |= 1 << direction;
      this.count(flow, () => active.stream?.end(this.out));
    }
    if ((flags & TcpFlag.RST) !== 0 || flow.fin === 3) {
      this.drop(key, flow);
      return;
    }
    this.account(flow);
  }

  private newFlow(key: string, dnsPort: boolean): Flow {
    if (this.flows.size >= this.maxFlows) {
      const oldest = this.flows.keys().next();
      if (!oldest.done) {
        this.stats.evictedFlows++;
        this.drop(oldest.value, this.flows.get(oldest.value)!);
      }
    }
    const flow: Flow = {
      protocol: 'unknown',
      sides: [] as unknown as Flow['sides'],
      lastSeen: 0,
      attempts: 0,
      fin: 0,
      buffered: 0,
      dnsPort,
    };
    flow.sides = [this.side(flow, 0), this.side(flow, 1)];
    this.flows.set(key, flow);
    return flow;
  }

  private side(flow: Flow, direction: 0 | 1): FlowSide {
    const side: FlowSide = {
      tcp: new TcpDirection(this.limits, this.stats),
      stream: undefined,
      early: undefined,
      sink: {
        data: (chunk) => this.data(flow, direction, chunk),
        gap: (missing) => {
          side.early = undefined;
          side.stream?.gap(missing, this.out);
        },
      },
    };
    return side;
  }

  private data(flow: Flow, direction: 0 | 1, received: Uint8Array): void {
    const side = flow.sides[direction];
    let chunk = received;
    if (flow.protocol === 'unknown') {
      if (side.early !== undefined) {
        chunk = concatBytes(side.early, chunk);
        side.early = undefined;
      }
      if (chunk.length < MIN_DETECTION_BYTES) {
        side.early = chunk.slice();
        return;
      }
      if (!this.detect(flow, chunk)) return;
    }
    const stream = side.stream;
    if (stream !== undefined) this.count(flow, () => stream.push(chunk, this.out));
  }

  /** Runs `work` and counts the messages it produced under the flow's protocol. */
  private count(flow: Flow, work: () => void): void {
    const before = this.out.length;
    work();
    const produced = this.out.length - before;
    if (produced > 0) {
      if (flow.protocol === 'http') this.stats.http += produced;
      else if (flow.protocol === 'tls') this.stats.tls += produced;
      else this.stats.dns += produced;
    }
  }

  private detect(flow: Flow, chunk: Uint8Array): boolean {
    let make: (() => StreamParser) | undefined;
    if (flow.dnsPort) {
      flow.protocol = 'dns';
      make = () => new DnsTcpStreamParser(this.stats);
    } else if (looksLikeTls(chunk, 0, chunk.length)) {
      flow.protocol = 'tls';
      const shared = new TlsFlowState();
      make = () => new TlsStreamParser(shared, this.stats);
    } else if (looksLikeHttp(chunk, 0, chunk.length)) {
      flow.protocol = 'http';
      const shared = new HttpFlowState();
      make = () => new HttpStreamParser(shared, this.isSecret);
    }
    if (make === undefined) {
      if (++flow.attempts >= MAX_DETECTION_ATTEMPTS) flow.protocol = 'opaque';
      return false;
    }
    for (const side of flow.sides) side.stream = new MessageStream(make(), this.stats, true);
    return true;
  }

  private account(flow: Flow): void {
    const [a, b] = flow.sides;
    const buffered =
      a.tcp.bufferedBytes +
      b.tcp.bufferedBytes +
      (a.stream?.bufferedBytes ?? 0) +
      (b.stream?.bufferedBytes ?? 0);
    this.totalBuffered += buffered - flow.buffered;
    flow.buffered = buffered;
    while (this.totalBuffered > this.maxTotalBytes && this.flows.size > 0) {
      const oldest = this.flows.entries().next();
      if (oldest.done) break;
      this.stats.evictedMemory++;
      this.drop(oldest.value[0], oldest.value[1]);
    }
  }

  private drop(key: string, flow: Flow): void {
    this.totalBuffered -= flow.buffered;
    flow.buffered = 0;
    this.flows.delete(key);
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    const cutoff = now - this.idleSeconds;
    for (const [key, flow] of this.flows) {
      if (flow.lastSeen < cutoff) {
        this.stats.evictedIdle++;
        this.drop(key, flow);
      }
    }
  }
}
