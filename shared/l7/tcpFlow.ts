import { concatBytes } from './bytes';
import { DnsTcpStreamParser } from './dnsStream';
import { looksLikeHttp } from './http';
import { HttpFlowState, HttpStreamParser } from './httpStream';
import { Http2Connection } from './http2Connection';
import { looksLikeHttp2Frames } from './http2Frame';
import type { Http2Limits } from './http2Limits';
import { Http2StreamParser } from './http2Stream';
import type { L7Fields } from './l7Fields';
import type { ConnectionPending, PacketClock } from './latency';
import type { L7Stats } from './l7Stats';
import type { StreamParser } from './messageStream';
import { MessageStream } from './messageStream';
import type { SecretKeyTest } from './redact';
import type { ReassemblyLimits, StreamSink } from './reassembly';
import { TcpDirection } from './reassembly';
import { looksLikeTls, TlsFlowState, TlsStreamParser } from './tlsStream';

/** What a TCP flow carries, once known. `opaque` flows are no longer examined. */
export type FlowProtocol = 'unknown' | 'http' | 'tls' | 'dns' | 'opaque';

/** Segments inspected per flow before a flow with unrecognised content is ignored. */
const MAX_DETECTION_ATTEMPTS = 8;
/** Bytes gathered at the start of a flow direction before deciding what protocol it carries. */
const MIN_DETECTION_BYTES = 8;

/** What every flow of one analyser shares. `out` receives completed messages. */
export interface TcpFlowContext {
  readonly stats: L7Stats;
  readonly limits: ReassemblyLimits;
  readonly isSecret: SecretKeyTest;
  readonly out: L7Fields[];
  readonly http2Limits: Http2Limits;
  /** Time of the packet being analysed (for HTTP/2 latency). */
  readonly clock?: PacketClock;
}

/**
 * One direction of a flow, and the sink of its reassembly. A class rather than an object of
 * closures: a flow is set up per connection, and its sinks are called per segment.
 */
class FlowSide implements StreamSink {
  readonly tcp: TcpDirection;
  /** First bytes of a direction not yet long enough to recognise the protocol. */
  early: Uint8Array | undefined = undefined;
  stream: MessageStream | undefined = undefined;

  constructor(
    private readonly flow: TcpFlow,
    private readonly context: TcpFlowContext,
    private readonly bit: number,
  ) {
    this.tcp = new TcpDirection(context.limits, context.stats);
  }

  data(chunk: Uint8Array): void {
    this.flow.received(this, chunk);
  }

  gap(missing: number): void {
    this.flow.lost |= this.bit;
    this.early = undefined;
    this.stream?.gap(missing, this.context.out);
  }
}

/**
 * One TCP connection for layer 7: reassembly per direction, protocol detection by content (DNS by
 * port), and a message stream per direction once the protocol is known.
 */
export class TcpFlow {
  protocol: FlowProtocol = 'unknown';
  /** Packet time of the last packet, in seconds. */
  lastSeen = 0;
  /** Bit per direction that sent FIN. */
  fin = 0;
  /** Bytes this flow had buffered at the last accounting. */
  buffered = 0;
  /** Bit per direction (1 << direction) this observation point saw packets of. */
  seen = 0;
  /** Bit per direction (1 << direction) whose bytes were lost to a gap since the analyser last looked. */
  lost = 0;
  /** Requests awaiting responses (latency pairing), created on the first message. */
  pending: ConnectionPending | undefined = undefined;
  private attempts = 0;
  /** The HTTP state of the flow, to notice a CONNECT tunnel opening. */
  private http: HttpFlowState | undefined;
  private readonly sides: readonly [FlowSide, FlowSide];

  /**
   * @param dnsPort - either port is a DNS port.
   * @param serverGuess - the side taken for the server when content cannot tell (the lower port's
   *   side); used only for HTTP/2 joined mid-connection.
   */
  constructor(
    private readonly dnsPort: boolean,
    private readonly context: TcpFlowContext,
    private readonly serverGuess: 0 | 1 = 1,
  ) {
    this.sides = [new FlowSide(this, context, 1), new FlowSide(this, context, 2)];
  }

  /** Whether direction `direction` has started and expects `seq` next. */
  expects(direction: 0 | 1, seq: number): boolean {
    const tcp = this.sides[direction].tcp;
    return !tcp.started || tcp.nextSeq === seq >>> 0;
  }

  /** A SYN from `direction`: its data starts at `seq`. */
  start(direction: 0 | 1, seq: number): void {
    this.sides[direction].tcp.start(seq);
  }

  /** `direction` acknowledged `ack`: bytes of the other direction before it will not come. */
  acknowledge(direction: 0 | 1, ack: number): void {
    const other = this.sides[direction === 0 ? 1 : 0];
    other.tcp.acknowledged(ack, other);
  }

  /** Payload from `direction` at `seq`; `declared` is its length before snaplen truncation. */
  segment(direction: 0 | 1, seq: number, payload: Uint8Array, declared: number): void {
    if (this.protocol === 'opaque') return;
    const side = this.sides[direction];
    side.tcp.segment(seq, payload, side);
    if (declared > payload.length) side.tcp.acknowledged((seq + declared) >>> 0, side);
  }

  /** FIN from `direction`: a message delimited by the close completes. */
  finish(direction: 0 | 1): void {
    this.fin |= 1 << direction;
    const stream = this.sides[direction].stream;
    if (stream === undefined) return;
    const out = this.context.out;
    const before = out.length;
    stream.end(out);
    this.count(before);
  }

  /** Bytes held for reassembly and partial messages, both directions. */
  get bufferedBytes(): number {
    const a = this.sides[0];
    const b = this.sides[1];
    return (
      a.tcp.bufferedBytes +
      b.tcp.bufferedBytes +
      (a.stream?.bufferedBytes ?? 0) +
      (b.stream?.bufferedBytes ?? 0)
    );
  }

  /** In-order bytes of `side`, from its reassembly. */
  received(side: FlowSide, received: Uint8Array): void {
    let chunk = received;
    if (this.protocol === 'unknown') {
      if (side.early !== undefined) {
        chunk = concatBytes(side.early, chunk);
        side.early = undefined;
      }
      if (chunk.length < MIN_DETECTION_BYTES) {
        side.early = chunk.slice();
        return;
      }
      if (!this.detect(chunk)) return;
    }
    const stream = side.stream;
    if (stream !== undefined) {
      const out = this.context.out;
      const before = out.length;
      stream.push(chunk, out);
      this.count(before);
    }
    if (this.http?.tunnel === true) this.openTunnel();
  }

  /** After CONNECT succeeded the bytes belong to the tunnelled protocol (usually TLS): detect it. */
  private openTunnel(): void {
    this.http = undefined;
    this.protocol = 'unknown';
    this.attempts = 0;
    for (const side of this.sides) side.stream = undefined;
  }

  /** Counts the messages added to `out` since it held `before` under the flow's protocol. */
  private count(before: number): void {
    const produced = this.context.out.length - before;
    if (produced === 0) return;
    const stats = this.context.stats;
    if (this.protocol === 'http') stats.http += produced;
    else if (this.protocol === 'tls') stats.tls += produced;
    else stats.dns += produced;
  }

  private detect(chunk: Uint8Array): boolean {
    const { stats, isSecret, http2Limits } = this.context;
    let first: StreamParser;
    let second: StreamParser;
    if (this.dnsPort) {
      this.protocol = 'dns';
      first = new DnsTcpStreamParser(stats);
      second = new DnsTcpStreamParser(stats);
    } else if (looksLikeTls(chunk, 0, chunk.length)) {
      this.protocol = 'tls';
      const shared = new TlsFlowState();
      first = new TlsStreamParser(shared, stats);
      second = new TlsStreamParser(shared, stats);
    } else if (looksLikeHttp(chunk, 0, chunk.length)) {
      this.protocol = 'http';
      const shared = new HttpFlowState(stats, isSecret, http2Limits, this.context.clock);
      this.http = shared;
      first = new HttpStreamParser(shared, 0);
      second = new HttpStreamParser(shared, 1);
    } else if (looksLikeHttp2Frames(chunk, 0, chunk.length)) {
      // HTTP/2 joined mid-connection: no preface, and header compression state from before is unknown.
      this.protocol = 'http';
      const clientGuess = this.serverGuess === 0 ? 1 : 0;
      const connection = new Http2Connection(
        undefined,
        true,
        stats,
        isSecret,
        http2Limits,
        clientGuess,
        this.context.clock,
      );
      first = new Http2StreamParser(connection, 0, true);
      second = new Http2StreamParser(connection, 1, true);
    } else {
      if (++this.attempts >= MAX_DETECTION_ATTEMPTS) this.protocol = 'opaque';
      return false;
    }
    this.sides[0].stream = new MessageStream(first, stats, true);
    this.sides[1].stream = new MessageStream(second, stats, true);
    return true;
  }
}
