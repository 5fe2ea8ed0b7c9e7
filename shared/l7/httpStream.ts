import { indexOfByte } from './bytes';
import type { L7Fields } from './l7Fields';
import type { StreamParser } from './messageStream';
import type { SecretKeyTest } from './redact';
import { looksLikeHttp, MAX_HTTP_HEAD_BYTES, parseHttpHead } from './http';
import type { Http2Side } from './http2Connection';
import { Http2Connection } from './http2Connection';
import { Http2StreamParser } from './http2Stream';
import type { Http2Limits } from './http2Limits';
import { DEFAULT_HTTP2_LIMITS } from './http2Limits';
import type { L7Stats } from './l7Stats';
import type { PacketClock } from './latency';

/** Most requests remembered per flow while waiting for their responses. */
const MAX_OUTSTANDING_REQUESTS = 64;
/** Longest chunk-size line accepted. */
const MAX_CHUNK_LINE = 1024;

/** State both directions of one HTTP flow share: request methods awaiting responses. */
export class HttpFlowState {
  /** Methods of requests not yet answered, oldest first. */
  readonly outstanding: string[] = [];
  /** Set when the connection switched protocols (101, CONNECT 2xx): HTTP/1 parsing stops. */
  switched = false;
  /** Set by a 2xx answer to CONNECT: what follows is a tunnel whose protocol can be detected anew. */
  tunnel = false;
  /** The HTTP/2 connection after the preface or an `Upgrade: h2c` accepted by 101. */
  h2: Http2Connection | undefined;
  /** Path of the last request offering `Upgrade: h2c`: it becomes HTTP/2 stream 1. */
  upgradePath: string | undefined;

  constructor(
    readonly stats: L7Stats,
    readonly isSecret?: SecretKeyTest,
    readonly http2Limits: Http2Limits = DEFAULT_HTTP2_LIMITS,
    readonly clock?: PacketClock,
  ) {}
}

type BodyMode = 'none' | 'chunk-size' | 'chunk-data-end' | 'trailers' | 'until-close';

/**
 * Parses HTTP/1.x messages in one direction: heads become record fields, bodies are skipped by
 * Content-Length or chunked framing so pipelined messages are found, responses to HEAD and
 * 1xx/204/304 have no body, and a switch of protocols ends parsing.
 */
export class HttpStreamParser implements StreamParser {
  skip = 0;
  done = false;
  readonly minStartBytes = 1;
  readonly maxMessageBytes = MAX_HTTP_HEAD_BYTES;
  private body: BodyMode = 'none';
  /** Fields of the message whose body is being read; reported when the body ends, as Wireshark does. */
  private held: L7Fields | undefined;

  /** Set when HTTP/2 takes over this direction (see {@link StreamParser.successor}). */
  successor: StreamParser | undefined;
  private readonly isSecret: SecretKeyTest | undefined;

  /** @param side - this direction's index in the flow, which HTTP/2 needs to pair its two directions. */
  constructor(
    private readonly flow: HttpFlowState,
    private readonly side: Http2Side,
  ) {
    this.isSecret = flow.isSecret;
  }

  /** Hands this direction to HTTP/2 (the connection exists: the other side sent the preface or the 101). */
  private toHttp2(prefaceAllowed: boolean): boolean {
    const connection = this.flow.h2;
    if (connection === undefined) return false;
    this.successor = new Http2StreamParser(connection, this.side, prefaceAllowed);
    return true;
  }

  reset(): void {
    this.body = 'none';
    this.held = undefined;
  }

  skipped(out: L7Fields[]): void {
    if (this.body === 'none') this.release(out);
  }

  finish(out: L7Fields[]): void {
    if (this.body === 'until-close') {
      this.body = 'none';
      this.release(out);
    }
  }

  private release(out: L7Fields[]): void {
    if (this.held !== undefined) out.push(this.held);
    this.held = undefined;
  }

  looksLikeStart(bytes: Uint8Array, offset: number, end: number): boolean {
    if (this.flow.h2 !== undefined) return this.toHttp2(true);
    return looksLikeHttp(bytes, offset, end);
  }

  parse(bytes: Uint8Array, offset: number, end: number, out: L7Fields[]): number {
    if (this.flow.h2 !== undefined && this.toHttp2(true))
      return this.successor!.parse(bytes, offset, end, out);
    if (this.flow.switched) {
      this.done = true;
      return end - offset;
    }
    switch (this.body) {
      case 'until-close':
        return end - offset;
      case 'chunk-size':
        return this.chunkSize(bytes, offset, end);
      case 'chunk-data-end':
        return this.chunkDataEnd(bytes, offset, end);
      case 'trailers':
        return this.trailers(bytes, offset, end, out);
      case 'none':
        return this.head(bytes, offset, end, out);
    }
  }

  private head(bytes: Uint8Array, offset: number, end: number, out: L7Fields[]): number {
    const head = parseHttpHead(bytes, offset, end, this.isSecret);
    switch (head.kind) {
      case 'incomplete':
        return 0;
      case 'invalid':
        return -1;
      case 'h2preface':
        // Prior knowledge (RFC 9113 §3.3), or the client's preface after an accepted upgrade.
        this.flow.h2 ??= new Http2Connection(
          this.side,
          false,
          this.flow.stats,
          this.isSecret,
          this.flow.http2Limits,
          undefined,
          this.flow.clock,
        );
        this.toHttp2(false);
        return head.end - offset;
      case 'request': {
        if (head.upgradeH2c === true) this.flow.upgradePath = head.fields.HttpPath;
        const outstanding = this.flow.outstanding;
        if (outstanding.length >= MAX_OUTSTANDING_REQUESTS) outstanding.shift();
        outstanding.push(head.method ?? '');
        this.startBody(head.fields, head.chunked, head.contentLength, false, out);
        return head.end - offset;
      }
      case 'response': {
        const status = head.status ?? 0;
        const informational = status >= 100 && status < 200;
        const method = informational ? this.flow.outstanding[0] : this.flow.outstanding.shift();
        if (status === 101 && head.upgradeH2c === true) {
          out.push(head.fields);
          const client: Http2Side = this.side === 0 ? 1 : 0;
          const connection = new Http2Connection(
            client,
            false,
            this.flow.stats,
            this.isSecret,
            this.flow.http2Limits,
            undefined,
            this.flow.clock,
          );
          connection.upgraded(this.flow.upgradePath);
          this.flow.h2 = connection;
          this.toHttp2(false);
          return head.end - offset;
        }
        if (status === 101 || (method === 'CONNECT' && status >= 200 && status < 300)) {
          out.push(head.fields);
          this.flow.switched = true;
          this.flow.tunnel = status !== 101;
          this.done = true;
          return end - offset;
        }
        const bodiless = informational || status === 204 || status === 304 || method === 'HEAD';
        if (bodiless) out.push(head.fields);
        else this.startBody(head.fields, head.chunked, head.contentLength, true, out);
        return head.end - offset;
      }
    }
  }

  private startBody(
    fields: L7Fields,
    chunked: boolean,
    contentLength: number | undefined,
    isResponse: boolean,
    out: L7Fields[],
  ): void {
    if (chunked) this.body = 'chunk-size';
    else if (contentLength !== undefined && contentLength > 0) this.skip = contentLength;
    else if (contentLength === undefined && isResponse) this.body = 'until-close';
    else {
      out.push(fields);
      return;
    }
    this.held = fields;
  }

  private chunkSize(bytes: Uint8Array, offset: number, end: number): number {
    const lf = lineLength(bytes, offset, Math.min(end, offset + MAX_CHUNK_LINE));
    if (lf < 0) return end - offset >= MAX_CHUNK_LINE ? -1 : 0;
    let size = 0;
    let digits = 0;
    for (let i = offset; i < offset + lf; i++) {
      const value = hexValue(bytes[i] ?? 0);
      if (value < 0) break;
      if (++digits > 12) return -1;
      size = size * 16 + value;
    }
    if (digits === 0) return -1;
    if (size === 0) {
      this.body = 'trailers';
    } else {
      this.skip = size;
      this.body = 'chunk-data-end';
    }
    return lf + 1;
  }

  private chunkDataEnd(bytes: Uint8Array, offset: number, end: number): number {
    if (bytes[offset] === 0x0a) {
      this.body = 'chunk-size';
      return 1;
    }
    if (end - offset < 2) return 0;
    if (bytes[offset] !== 0x0d || bytes[offset + 1] !== 0x0a) return -1;
    this.body = 'chunk-size';
    return 2;
  }

  private trailers(bytes: Uint8Array, offset: number, end: number, out: L7Fields[]): number {
    const lf = lineLength(bytes, offset, Math.min(end, offset + MAX_HTTP_HEAD_BYTES));
    if (lf < 0) return end - offset >= MAX_HTTP_HEAD_BYTES ? -1 : 0;
    if (lf === 0 || (lf === 1 && bytes[offset] === 0x0d)) {
      this.body = 'none';
      this.release(out);
    }
    return lf + 1;
  }
}

/** Offset of the first LF in `bytes[offset, limit)` relative to `offset`, or -1. */
function lineLength(bytes: Uint8Array, offset: number, limit: number): number {
  const lf = indexOfByte(bytes, 0x0a, offset, limit);
  return lf < 0 ? -1 : lf - offset;
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  return -1;
}
