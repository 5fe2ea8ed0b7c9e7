import { grpcMessageText, grpcPath, grpcStatusCode, isGrpcContentType } from './grpc';
import { HpackDecoder } from './hpackDecoder';
import type { Http2AbortReason, Http2Limits } from './http2Limits';
import { DEFAULT_HTTP2_LIMITS } from './http2Limits';
import type { L7Fields } from './l7Fields';
import type { PacketClock } from './latency';
import { elapsedNs } from './latency';
import type { L7Stats } from './l7Stats';
import type { SecretKeyTest } from './redact';
import { redactRequestTarget } from './redact';
import { FIELD_LIMITS, truncateField } from './truncate';

/** One side of a connection, by the index the TCP flow gives its direction. */
export type Http2Side = 0 | 1;

/** gRPC length-prefixed message framing of one direction of a stream (gRPC over HTTP/2, "Length-Prefixed-Message"). */
class GrpcFraming {
  messages = 0;
  /** Prefix bytes (flag + 4 length bytes) still to read; 5 between messages. */
  private prefixNeeded = 5;
  private length = 0;
  private bodyRemaining = 0;

  /** Counts the messages in `n` DATA payload bytes at `bytes[offset]`. */
  feed(bytes: Uint8Array, offset: number, n: number): void {
    let at = offset;
    const end = offset + n;
    while (at < end) {
      if (this.bodyRemaining > 0) {
        const take = Math.min(this.bodyRemaining, end - at);
        this.bodyRemaining -= take;
        at += take;
        continue;
      }
      const byte = bytes[at++]!;
      if (this.prefixNeeded < 5) this.length = this.length * 256 + byte;
      if (--this.prefixNeeded === 0) {
        this.messages++;
        this.bodyRemaining = this.length;
        this.prefixNeeded = 5;
        this.length = 0;
      }
    }
  }
}

/** What one stream has shown so far; it is dropped once both its records are out. */
interface Http2StreamState {
  readonly id: number;
  request: L7Fields | undefined;
  response: L7Fields | undefined;
  requestDone: boolean;
  responseDone: boolean;
  grpc: boolean;
  service: string | undefined;
  method: string | undefined;
  /** gRPC framing per side; created when the stream is known to carry gRPC. */
  framing: [GrpcFraming | undefined, GrpcFraming | undefined];
  /** Packet time of the request HEADERS (seconds, nanoseconds), for `L7LatencyNs`; -1 when not seen. */
  requestSec: number;
  requestNsec: number;
}

/** Fields of one header block that records use; everything else is passed over. Reused per block. */
class HeaderScratch {
  method: string | undefined;
  path: string | undefined;
  authority: string | undefined;
  host: string | undefined;
  status: string | undefined;
  contentType: string | undefined;
  userAgent: string | undefined;
  grpcStatus: string | undefined;
  grpcMessage: string | undefined;
  unknownFields = 0;

  clear(): void {
    this.method = this.path = this.authority = this.host = this.status = undefined;
    this.contentType = this.userAgent = this.grpcStatus = this.grpcMessage = undefined;
    this.unknownFields = 0;
  }

  /** The header sink: pseudo-headers and the few headers records carry; Authorization, Cookie... are never kept. */
  readonly sink = (name: string | undefined, value: string | undefined): void => {
    if (name === undefined || value === undefined) {
      this.unknownFields++;
      return;
    }
    switch (name) {
      case ':method':
        this.method = value;
        break;
      case ':path':
        this.path = value;
        break;
      case ':authority':
        this.authority = value;
        break;
      case ':status':
        this.status = value;
        break;
      case 'host':
        this.host = value;
        break;
      case 'content-type':
        this.contentType = value;
        break;
      case 'user-agent':
        this.userAgent = value;
        break;
      case 'grpc-status':
        this.grpcStatus = value;
        break;
      case 'grpc-message':
        this.grpcMessage = value;
        break;
    }
  };
}

/**
 * The state both directions of one HTTP/2 connection share: an HPACK decoder per direction, the
 * open streams, and which side is the client. Turns decoded header blocks and stream ends into one
 * record per request and per response.
 */
export class Http2Connection {
  /** Set when parsing of the connection ended early (a bound or a protocol violation). */
  aborted: Http2AbortReason | undefined;
  readonly decoders: [HpackDecoder, HpackDecoder];
  private readonly streams = new Map<number, Http2StreamState>();
  private readonly scratch = new HeaderScratch();
  /** Whether a header block was decoded per side (the compression context is in use). */
  private readonly decodedBlock: [boolean, boolean] = [false, false];
  /** Set when bytes of the connection were not seen (joined mid-way, or a gap). */
  private missedBytes = false;

  /**
   * @param client - the side that sent the connection preface (or the upgraded request); undefined
   *   when joined mid-connection, until a header block tells (`:method` or `:status`).
   * @param partial - the capture started mid-connection: HPACK state before it is unknown.
   */
  constructor(
    private client: Http2Side | undefined,
    partial: boolean,
    private readonly stats: L7Stats,
    private readonly isSecret: SecretKeyTest | undefined,
    readonly limits: Http2Limits = DEFAULT_HTTP2_LIMITS,
    /** Side to assume is the client when nothing else tells (the side with the higher port). */
    private readonly clientGuess: Http2Side = 0,
    /** Time of the packet being analysed, for `L7LatencyNs` (none: responses are not timed). */
    private readonly clock?: PacketClock,
  ) {
    const hpack = { maxTableSize: limits.maxTableSize, maxHeaderListSize: limits.maxHeaderListSize };
    this.decoders = [new HpackDecoder(hpack), new HpackDecoder(hpack)];
    if (partial) this.lostContext(0);
    if (partial) this.lostContext(1);
  }

  /** Streams currently tracked. */
  get streamCount(): number {
    return this.streams.size;
  }

  /** Ends parsing of the connection, counting why. */
  abort(reason: Http2AbortReason): void {
    if (this.aborted !== undefined) return;
    this.aborted = reason;
    this.stats.http2Aborted++;
    this.stats.http2AbortReasons[reason] = (this.stats.http2AbortReasons[reason] ?? 0) + 1;
    this.streams.clear();
  }

  /**
   * `side` sent the connection preface: it is the client, and a side that has sent no header
   * block yet has a fresh (known, empty) compression context, even if the flow was first taken
   * for one joined mid-connection (the server's SETTINGS can precede the preface in a capture).
   */
  preface(side: Http2Side): void {
    this.client = side;
    for (const s of [0, 1] as const) if (!this.decodedBlock[s]) this.decoders[s] = this.newDecoder();
    if (!this.decodedBlock[0] && !this.decodedBlock[1] && this.streams.size === 0) this.missedBytes = false;
  }

  private newDecoder(): HpackDecoder {
    return new HpackDecoder({
      maxTableSize: this.limits.maxTableSize,
      maxHeaderListSize: this.limits.maxHeaderListSize,
    });
  }

  /** Bytes of `side` were lost (a gap, or the capture started late): its HPACK table is now unknown. */
  lostContext(side: Http2Side): void {
    this.missedBytes = true;
    const decoder = this.newDecoder();
    decoder.partial = true;
    this.decoders[side] = decoder;
  }

  /** The stream upgraded from HTTP/1.1 (stream 1, RFC 7540 §3.2): its request was reported as HTTP/1.1. */
  upgraded(path: string | undefined): void {
    const stream = this.stream(1);
    if (stream === undefined) return;
    stream.requestDone = true;
    this.classify(stream, undefined, path);
  }

  /** SETTINGS_HEADER_TABLE_SIZE sent by `side`: the limit of the decoder of what the other side sends. */
  headerTableSize(side: Http2Side, size: number): void {
    this.decoders[side === 0 ? 1 : 0].announceTableSize(size);
  }

  /** Whether `side` sends requests (it is the client). */
  private isClient(side: Http2Side): boolean {
    return (this.client ?? this.clientGuess) === side;
  }

  /** The state of stream `id`, created on first sight; undefined after an abort for too many streams. */
  private stream(id: number): Http2StreamState | undefined {
    let stream = this.streams.get(id);
    if (stream !== undefined) return stream;
    if (this.aborted !== undefined) return undefined;
    if (this.streams.size >= this.limits.maxStreams) {
      this.abort('too-many-streams');
      return undefined;
    }
    stream = {
      id,
      request: undefined,
      response: undefined,
      requestDone: false,
      responseDone: false,
      grpc: false,
      service: undefined,
      method: undefined,
      framing: [undefined, undefined],
      requestSec: -1,
      requestNsec: 0,
    };
    this.streams.set(id, stream);
    return stream;
  }

  private classify(
    stream: Http2StreamState,
    contentType: string | undefined,
    path: string | undefined,
  ): void {
    if (!stream.grpc && isGrpcContentType(contentType)) {
      stream.grpc = true;
      stream.framing = [new GrpcFraming(), new GrpcFraming()];
    }
    if (stream.grpc && stream.service === undefined && path !== undefined) {
      const parsed = grpcPath(path);
      stream.service = parsed?.service;
      stream.method = parsed?.method;
    }
  }

  /**
   * A complete header block from `side` on stream `streamId` (HEADERS + CONTINUATION), or from a
   * PUSH_PROMISE (`promised` is then the promised stream, whose request this block is).
   */
  headerBlock(
    side: Http2Side,
    streamId: number,
    block: Uint8Array,
    start: number,
    end: number,
    endStream: boolean,
    promised: number | undefined,
    out: L7Fields[],
  ): void {
    const h = this.scratch;
    h.clear();
    const decoder = this.decoders[side];
    this.decodedBlock[side] = true;
    const error = decoder.decode(block, start, end, h.sink);
    if (error !== undefined) {
      this.abort(error);
      return;
    }
    const partial = decoder.sawUnknown;
    if (this.client === undefined) {
      if (h.method !== undefined) this.client = side;
      else if (h.status !== undefined) this.client = side === 0 ? 1 : 0;
    }
    if (promised !== undefined) {
      const pushed = this.stream(promised);
      if (pushed === undefined) return;
      this.request(pushed, partial);
      pushed.requestDone = true;
      out.push(pushed.request!);
      return;
    }
    const stream = this.stream(streamId);
    if (stream === undefined) return;
    if (this.isClient(side)) {
      if (stream.request === undefined && !stream.requestDone) this.request(stream, partial);
      if (endStream) this.endStream(side, streamId, out);
      return;
    }
    this.response(stream, partial, out);
    if (endStream) this.endStream(side, streamId, out);
  }

  private request(stream: Http2StreamState, partial: boolean): void {
    const h = this.scratch;
    this.classify(stream, h.contentType, h.path);
    const fields: L7Fields = { L7Protocol: 'HTTP', HttpVersion: '2', Http2StreamId: stream.id };
    if (h.method !== undefined) fields.HttpMethod = h.method;
    if (h.path !== undefined && h.path !== '') fields.HttpPath = redactRequestTarget(h.path, this.isSecret);
    const host = h.authority ?? h.host;
    if (host) fields.HttpHost = truncateField(host, FIELD_LIMITS.short);
    if (h.userAgent) fields.HttpUserAgent = truncateField(h.userAgent, FIELD_LIMITS.userAgent);
    if (h.contentType) fields.HttpContentType = truncateField(h.contentType, FIELD_LIMITS.short);
    if (stream.service !== undefined) fields.GrpcService = stream.service;
    if (stream.method !== undefined) fields.GrpcMethod = stream.method;
    if (partial || h.method === undefined) fields.L7Partial = true;
    stream.request = fields;
    if (this.clock !== undefined) {
      stream.requestSec = this.clock.sec;
      stream.requestNsec = this.clock.nsec;
    }
  }

  private response(stream: Http2StreamState, partial: boolean, out: L7Fields[]): void {
    const h = this.scratch;
    const status = h.status === undefined ? undefined : Number(h.status);
    if (status !== undefined && status >= 100 && status < 200) {
      // An informational response (100-continue, 103) is its own record; the final one follows.
      const interim: L7Fields = {
        L7Protocol: 'HTTP',
        HttpVersion: '2',
        Http2StreamId: stream.id,
        HttpStatusCode: status,
      };
      this.timeResponse(stream, interim);
      out.push(interim);
      return;
    }
    let fields = stream.response;
    if (fields === undefined) {
      this.classify(stream, h.contentType, undefined);
      fields = { L7Protocol: 'HTTP', HttpVersion: '2', Http2StreamId: stream.id };
      if (status !== undefined && Number.isInteger(status)) fields.HttpStatusCode = status;
      else fields.L7Partial = true;
      if (h.contentType) fields.HttpContentType = truncateField(h.contentType, FIELD_LIMITS.short);
      stream.response = fields;
    }
    if (partial) fields.L7Partial = true;
    if (h.grpcStatus !== undefined) {
      const code = grpcStatusCode(h.grpcStatus.trim());
      if (code !== undefined) fields.GrpcStatusCode = code;
    }
    if (h.grpcMessage !== undefined && h.grpcMessage !== '')
      fields.GrpcMessage = grpcMessageText(h.grpcMessage);
  }

  /** Whether DATA of stream `streamId` needs its payload read (gRPC message counting). */
  wantsData(streamId: number): boolean {
    return this.streams.get(streamId)?.grpc === true;
  }

  /** DATA payload bytes from `side` on a gRPC stream. */
  data(side: Http2Side, streamId: number, bytes: Uint8Array, offset: number, n: number): void {
    this.streams.get(streamId)?.framing[side]?.feed(bytes, offset, n);
  }

  /** `side` ended its half of stream `streamId` (END_STREAM): its record is complete. */
  endStream(side: Http2Side, streamId: number, out: L7Fields[]): void {
    // A stream never seen is one that began before the capture (or a gap): report what is known.
    // With the whole connection in view it is a stream already closed (DATA after RST_STREAM): nothing to report.
    const stream = this.streams.get(streamId) ?? (this.missedBytes ? this.stream(streamId) : undefined);
    if (stream === undefined) return;
    if (this.isClient(side)) this.finishRequest(stream, out);
    else this.finishResponse(stream, out);
    this.release(stream);
  }

  /** RST_STREAM on `streamId` from either side: what was seen of the stream is reported. */
  reset(streamId: number, out: L7Fields[]): void {
    const stream = this.streams.get(streamId);
    if (stream === undefined) return;
    if (stream.request !== undefined) this.finishRequest(stream, out);
    if (stream.response !== undefined) this.finishResponse(stream, out);
    this.streams.delete(streamId);
  }

  private finishRequest(stream: Http2StreamState, out: L7Fields[]): void {
    if (stream.requestDone) return;
    stream.requestDone = true;
    const fields = stream.request ?? {
      L7Protocol: 'HTTP',
      HttpVersion: '2',
      Http2StreamId: stream.id,
      L7Partial: true,
    };
    const client = this.client ?? this.clientGuess;
    const framing = stream.framing[client];
    if (framing !== undefined) fields.GrpcMessageCount = framing.messages;
    out.push(fields);
  }

  private finishResponse(stream: Http2StreamState, out: L7Fields[]): void {
    if (stream.responseDone) return;
    stream.responseDone = true;
    const fields = stream.response ?? {
      L7Protocol: 'HTTP',
      HttpVersion: '2',
      Http2StreamId: stream.id,
      L7Partial: true,
    };
    if (stream.service !== undefined) fields.GrpcService = stream.service;
    if (stream.method !== undefined) fields.GrpcMethod = stream.method;
    const server = (this.client ?? this.clientGuess) === 0 ? 1 : 0;
    const framing = stream.framing[server];
    if (framing !== undefined) fields.GrpcMessageCount = framing.messages;
    this.timeResponse(stream, fields);
    out.push(fields);
  }

  /**
   * `L7LatencyNs` of a response record (reported at the response's END_STREAM, trailers included):
   * time since the request HEADERS of the stream, with the request's method and path.
   */
  private timeResponse(stream: Http2StreamState, fields: L7Fields): void {
    const clock = this.clock;
    if (clock === undefined || stream.requestSec < 0) return;
    const latency = elapsedNs(stream.requestSec, stream.requestNsec, clock.sec, clock.nsec);
    fields.L7LatencyNs = latency < 0 ? 0 : latency;
    const request = stream.request;
    if (request === undefined) return;
    if (fields.HttpMethod === undefined && request.HttpMethod !== undefined)
      fields.HttpMethod = request.HttpMethod;
    if (fields.HttpPath === undefined && request.HttpPath !== undefined) fields.HttpPath = request.HttpPath;
  }

  private release(stream: Http2StreamState): void {
    if (stream.requestDone && stream.responseDone) this.streams.delete(stream.id);
  }
}
