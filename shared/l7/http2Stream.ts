import { u24, u32 } from './bytes';
import type { Http2Connection, Http2Side } from './http2Connection';
import {
  FRAME_HEADER_BYTES,
  Http2Flag,
  Http2FrameType,
  plausibleFrameHeader,
  SETTINGS_HEADER_TABLE_SIZE,
} from './http2Frame';
import type { L7Fields } from './l7Fields';
import type { StreamParser } from './messageStream';

/** The client connection preface (RFC 9113 §3.4). */
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/**
 * Reads the HTTP/2 frames of one direction of a connection (RFC 9113 §4, §6): header blocks
 * (HEADERS or PUSH_PROMISE, then CONTINUATION) are buffered whole and decoded in order; DATA
 * payloads are skipped without buffering, or read only for gRPC message framing; SETTINGS feeds
 * the other direction's HPACK limit; RST_STREAM and END_STREAM complete records.
 */
export class Http2StreamParser implements StreamParser {
  skip = 0;
  done = false;
  readonly minStartBytes = FRAME_HEADER_BYTES;
  readonly maxMessageBytes: number;
  /** Whether the preface may still come first (client side of an upgraded connection). */
  private prefaceAllowed: boolean;
  /** DATA frame being read: payload bytes left (padding excluded), padding after it, its stream. */
  private dataRemaining = 0;
  private dataPadding = 0;
  private dataStream = 0;
  private dataEnd = false;
  /** A DATA frame whose payload is being skipped ends its stream when the skip completes. */
  private endAfterSkip = 0;
  /** Header block under assembly across CONTINUATION frames. */
  private block: Uint8Array | undefined;
  private blockLength = 0;
  private blockStream = 0;
  private blockEndStream = false;
  private blockPromised: number | undefined;
  private continuations = 0;

  constructor(
    private readonly connection: Http2Connection,
    private readonly side: Http2Side,
    prefaceAllowed = false,
  ) {
    this.prefaceAllowed = prefaceAllowed;
    this.maxMessageBytes = FRAME_HEADER_BYTES + connection.limits.maxFrameBytes;
  }

  /** The header block under assembly counts towards the analyser's memory bound. */
  get heldBytes(): number {
    return this.block?.length ?? 0;
  }

  reset(): void {
    // Bytes were lost: frames may be missing, so the compression context cannot be trusted.
    this.dataRemaining = 0;
    this.dataPadding = 0;
    this.endAfterSkip = 0;
    this.block = undefined;
    this.blockLength = 0;
    this.continuations = 0;
    this.prefaceAllowed = false;
    this.connection.lostContext(this.side);
  }

  looksLikeStart(bytes: Uint8Array, offset: number, end: number): boolean {
    if (this.prefaceAllowed && bytes[offset] === 0x50) return true;
    return (
      end - offset >= FRAME_HEADER_BYTES &&
      plausibleFrameHeader(bytes, offset, this.connection.limits.maxFrameBytes)
    );
  }

  skipped(out: L7Fields[]): void {
    if (this.endAfterSkip !== 0) {
      const stream = this.endAfterSkip;
      this.endAfterSkip = 0;
      this.connection.endStream(this.side, stream, out);
    }
  }

  parse(bytes: Uint8Array, offset: number, end: number, out: L7Fields[]): number {
    const connection = this.connection;
    if (connection.aborted !== undefined) {
      this.done = true;
      return end - offset;
    }
    if (this.dataRemaining > 0) return this.gRpcData(bytes, offset, end, out);
    if (this.prefaceAllowed) {
      const available = Math.min(end - offset, PREFACE.length);
      for (let i = 0; i < available; i++) {
        if (bytes[offset + i] !== PREFACE[i]) {
          this.prefaceAllowed = false;
          break;
        }
      }
      if (this.prefaceAllowed) {
        if (available < PREFACE.length) return 0;
        this.prefaceAllowed = false;
        connection.preface(this.side);
        return PREFACE.length;
      }
    }
    if (end - offset < FRAME_HEADER_BYTES) return 0;
    const length = u24(bytes, offset);
    const type = bytes[offset + 3]!;
    const flags = bytes[offset + 4]!;
    const streamId = u32(bytes, offset + 5) & 0x7fffffff;
    if (this.block !== undefined && type !== Http2FrameType.CONTINUATION) {
      connection.abort('continuation-expected');
      return end - offset;
    }
    if (type === Http2FrameType.DATA) return this.dataFrame(bytes, offset, end, length, flags, streamId, out);
    if (length > connection.limits.maxFrameBytes) {
      connection.abort('frame-too-large');
      return end - offset;
    }
    const total = FRAME_HEADER_BYTES + length;
    if (end - offset < total) return 0;
    const payload = offset + FRAME_HEADER_BYTES;
    switch (type) {
      case Http2FrameType.HEADERS:
      case Http2FrameType.PUSH_PROMISE:
        this.headers(bytes, payload, length, type, flags, streamId, out);
        break;
      case Http2FrameType.CONTINUATION:
        this.continuation(bytes, payload, length, flags, streamId, out);
        break;
      case Http2FrameType.SETTINGS:
        if ((flags & Http2Flag.ACK) === 0) {
          for (let at = payload; at + 6 <= payload + length; at += 6) {
            if (((bytes[at]! << 8) | bytes[at + 1]!) === SETTINGS_HEADER_TABLE_SIZE)
              connection.headerTableSize(this.side, u32(bytes, at + 2));
          }
        }
        break;
      case Http2FrameType.RST_STREAM:
        connection.reset(streamId, out);
        break;
      // PRIORITY, PING, GOAWAY, WINDOW_UPDATE and unknown types (RFC 9113 §5.5) carry nothing records need.
    }
    return total;
  }

  private dataFrame(
    bytes: Uint8Array,
    offset: number,
    end: number,
    length: number,
    flags: number,
    streamId: number,
    out: L7Fields[],
  ): number {
    let header = FRAME_HEADER_BYTES;
    let padding = 0;
    if ((flags & Http2Flag.PADDED) !== 0) {
      if (end - offset < FRAME_HEADER_BYTES + 1) return 0;
      padding = bytes[offset + FRAME_HEADER_BYTES]!;
      header++;
    }
    const dataLength = length - (header - FRAME_HEADER_BYTES) - padding;
    if (dataLength < 0) {
      this.connection.abort('protocol-error');
      return end - offset;
    }
    const endStream = (flags & Http2Flag.END_STREAM) !== 0;
    if (dataLength > 0 && this.connection.wantsData(streamId)) {
      this.dataRemaining = dataLength;
      this.dataPadding = padding;
      this.dataStream = streamId;
      this.dataEnd = endStream;
      return header;
    }
    if (dataLength + padding === 0) {
      if (endStream) this.connection.endStream(this.side, streamId, out);
    } else {
      this.skip = dataLength + padding;
      if (endStream) this.endAfterSkip = streamId;
    }
    return header;
  }

  /** Payload of a gRPC stream's DATA frame, read for message framing. */
  private gRpcData(bytes: Uint8Array, offset: number, end: number, out: L7Fields[]): number {
    const n = Math.min(this.dataRemaining, end - offset);
    this.connection.data(this.side, this.dataStream, bytes, offset, n);
    this.dataRemaining -= n;
    if (this.dataRemaining === 0) {
      if (this.dataPadding > 0) this.skip = this.dataPadding;
      if (this.dataEnd) this.connection.endStream(this.side, this.dataStream, out);
    }
    return n;
  }

  private headers(
    bytes: Uint8Array,
    payload: number,
    length: number,
    type: number,
    flags: number,
    streamId: number,
    out: L7Fields[],
  ): void {
    let start = payload;
    let end = payload + length;
    if ((flags & Http2Flag.PADDED) !== 0) {
      const padding = bytes[start]!;
      start++;
      end -= padding;
    }
    let promised: number | undefined;
    if (type === Http2FrameType.PUSH_PROMISE) {
      promised = u32(bytes, start) & 0x7fffffff;
      start += 4;
    } else if ((flags & Http2Flag.PRIORITY) !== 0) {
      start += 5;
    }
    if (start > end) {
      this.connection.abort('protocol-error');
      return;
    }
    const endStream = type === Http2FrameType.HEADERS && (flags & Http2Flag.END_STREAM) !== 0;
    if ((flags & Http2Flag.END_HEADERS) !== 0) {
      this.connection.headerBlock(this.side, streamId, bytes, start, end, endStream, promised, out);
      return;
    }
    this.blockStream = streamId;
    this.blockEndStream = endStream;
    this.blockPromised = promised;
    this.continuations = 0;
    this.blockLength = 0;
    this.block = new Uint8Array(Math.max(end - start, 1024));
    this.append(bytes, start, end);
  }

  private continuation(
    bytes: Uint8Array,
    payload: number,
    length: number,
    flags: number,
    streamId: number,
    out: L7Fields[],
  ): void {
    if (this.block === undefined || streamId !== this.blockStream) {
      this.connection.abort('protocol-error');
      return;
    }
    if (++this.continuations > this.connection.limits.maxContinuationFrames) {
      this.connection.abort('too-many-continuations');
      return;
    }
    if (!this.append(bytes, payload, payload + length)) return;
    if ((flags & Http2Flag.END_HEADERS) === 0) return;
    const block = this.block;
    this.block = undefined;
    this.connection.headerBlock(
      this.side,
      this.blockStream,
      block,
      0,
      this.blockLength,
      this.blockEndStream,
      this.blockPromised,
      out,
    );
  }

  /** Adds a fragment to the header block; false (and the connection aborted) past the bound. */
  private append(bytes: Uint8Array, start: number, end: number): boolean {
    const needed = this.blockLength + (end - start);
    if (needed > this.connection.limits.maxHeaderBlockBytes) {
      this.block = undefined;
      this.connection.abort('header-block-too-large');
      return false;
    }
    let block = this.block!;
    if (needed > block.length) {
      const grown = new Uint8Array(
        Math.min(Math.max(needed, block.length * 2), this.connection.limits.maxHeaderBlockBytes),
      );
      grown.set(block.subarray(0, this.blockLength));
      block = grown;
      this.block = grown;
    }
    block.set(bytes.subarray(start, end), this.blockLength);
    this.blockLength = needed;
    return true;
  }
}
