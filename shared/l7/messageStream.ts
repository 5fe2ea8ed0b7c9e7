import { concatBytes } from './bytes';
import type { L7Fields } from './l7Fields';
import type { L7Stats } from './l7Stats';

/**
 * A protocol's parser for one direction of a byte stream. It reads whole messages from a
 * contiguous buffer; the {@link MessageStream} around it handles buffering across segments,
 * skipping bodies and resynchronising after gaps.
 */
export interface StreamParser {
  /**
   * Reads from `bytes[offset, end)`. Returns the number of bytes consumed (> 0), 0 when more
   * bytes are needed, or -1 when the bytes cannot be a message. Appends completed messages to `out`.
   */
  parse(bytes: Uint8Array, offset: number, end: number, out: L7Fields[]): number;
  /** Bytes to pass over without parsing or buffering (message bodies, opaque records). */
  skip: number;
  /** True once nothing more of interest can follow in this direction. */
  done: boolean;
  /** Called when `skip` has been counted down to zero (a message body ended). */
  skipped?(out: L7Fields[]): void;
  /** Called when the direction ends (FIN): a message delimited by the close completes here. */
  finish?(out: L7Fields[]): void;
  /**
   * Set when another protocol takes over this direction from the next unconsumed byte (HTTP/1.1
   * upgraded to HTTP/2, or the HTTP/2 preface); the stream switches to it.
   */
  successor?: StreamParser;
  /** Bytes the parser holds itself (e.g. an HTTP/2 header block across CONTINUATION frames), for memory accounting. */
  readonly heldBytes?: number;
  /** Forgets any partial message state (after a gap or an invalid message). */
  reset(): void;
  /** Whether a message plausibly starts at `offset` (used to resynchronise after a gap). */
  looksLikeStart(bytes: Uint8Array, offset: number, end: number): boolean;
  /** Bytes `looksLikeStart` needs to decide; fewer are buffered while resynchronising. */
  readonly minStartBytes: number;
  /** Most bytes one message may need buffered before it is given up. */
  readonly maxMessageBytes: number;
}

/** Feeds in-order stream bytes to a {@link StreamParser}, buffering only incomplete messages. */
export class MessageStream {
  parser: StreamParser;
  private pending: Uint8Array | undefined;
  private resyncing: boolean;

  /**
   * @param resyncing - start by waiting for a plausible message start, for streams joined
   *   mid-connection.
   */
  constructor(
    parser: StreamParser,
    private readonly stats: L7Stats,
    resyncing = false,
  ) {
    this.parser = parser;
    this.resyncing = resyncing;
  }

  /** Bytes currently buffered for an incomplete message. */
  get bufferedBytes(): number {
    return (this.pending?.length ?? 0) + (this.parser.heldBytes ?? 0);
  }

  /** Delivers the next in-order bytes; completed messages are appended to `out`. */
  push(chunk: Uint8Array, out: L7Fields[]): void {
    let parser = this.parser;
    if (parser.done || chunk.length === 0) return;
    let bytes = chunk;
    if (this.pending !== undefined) {
      bytes = concatBytes(this.pending, chunk);
      this.pending = undefined;
    }
    const end = bytes.length;
    let offset = 0;
    while (offset < end && !parser.done) {
      if (parser.skip > 0) {
        const n = Math.min(parser.skip, end - offset);
        parser.skip -= n;
        offset += n;
        if (parser.skip === 0) parser.skipped?.(out);
        continue;
      }
      if (this.resyncing) {
        if (end - offset < parser.minStartBytes) {
          this.pending = bytes.slice(offset, end);
          return;
        }
        if (!parser.looksLikeStart(bytes, offset, end)) return;
        this.resyncing = false;
      }
      if (parser.successor !== undefined) {
        parser = this.switchParser(parser.successor);
        continue;
      }
      const consumed = parser.parse(bytes, offset, end, out);
      if (consumed > 0) {
        offset += consumed;
        if (parser.successor !== undefined) parser = this.switchParser(parser.successor);
      } else if (consumed === 0) {
        if (end - offset > parser.maxMessageBytes) {
          this.stats.oversized++;
          this.abandon();
        } else {
          this.pending = bytes.slice(offset, end);
        }
        return;
      } else {
        this.stats.malformed++;
        this.abandon();
        return;
      }
    }
  }

  private switchParser(next: StreamParser): StreamParser {
    this.parser = next;
    this.resyncing = false;
    return next;
  }

  /** The direction ended (FIN): lets a message delimited by the connection close complete. */
  end(out: L7Fields[]): void {
    if (!this.parser.done && this.pending === undefined) this.parser.finish?.(out);
  }

  /**
   * Tells the stream that `missing` bytes will never arrive before the next push. Inside a body
   * being skipped they are simply counted off (the message still completes); otherwise the current message is given up and the
   * stream resynchronises at the next plausible message start.
   */
  gap(missing: number, out: L7Fields[]): void {
    if (this.pending === undefined && !this.resyncing && this.parser.skip >= missing) {
      this.parser.skip -= missing;
      if (this.parser.skip === 0) this.parser.skipped?.(out);
      return;
    }
    this.abandon();
  }

  private abandon(): void {
    this.pending = undefined;
    this.parser.skip = 0;
    this.parser.reset();
    this.resyncing = true;
  }
}
