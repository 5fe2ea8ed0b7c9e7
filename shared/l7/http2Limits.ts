/** Bounds of HTTP/2 parsing per connection. Exceeding one ends parsing of that connection, counted by reason. */
export interface Http2Limits {
  /** Largest decoded header list, in octets as RFC 9113 §6.5.2 counts them. Default 262 144. */
  maxHeaderListSize: number;
  /** Largest HPACK dynamic table size accepted, in octets. Default 65 536. */
  maxTableSize: number;
  /** Most streams tracked at once per connection (open, awaiting their records). Default 1 024. */
  maxStreams: number;
  /** Most CONTINUATION frames after one HEADERS or PUSH_PROMISE. Default 64. */
  maxContinuationFrames: number;
  /** Largest header block (HEADERS + CONTINUATION fragments), in octets. Default 262 144. */
  maxHeaderBlockBytes: number;
  /** Largest non-DATA frame payload buffered, in octets. Default 262 144. */
  maxFrameBytes: number;
}

/** Default {@link Http2Limits}. */
export const DEFAULT_HTTP2_LIMITS: Http2Limits = {
  maxHeaderListSize: 262_144,
  maxTableSize: 65_536,
  maxStreams: 1024,
  maxContinuationFrames: 64,
  maxHeaderBlockBytes: 262_144,
  maxFrameBytes: 262_144,
};

/** Why parsing of an HTTP/2 connection ended early; counted in `L7Stats.http2Aborted`. */
export type Http2AbortReason =
  | 'frame-too-large'
  | 'header-block-too-large'
  | 'too-many-continuations'
  | 'continuation-expected'
  | 'too-many-streams'
  | 'protocol-error'
  | 'header-list-too-large'
  | 'hpack-integer-overflow'
  | 'hpack-truncated'
  | 'hpack-bad-index'
  | 'hpack-bad-huffman'
  | 'hpack-table-size-update';
