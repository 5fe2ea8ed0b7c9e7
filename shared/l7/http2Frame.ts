/** HTTP/2 frame types (RFC 9113 §6). */
export const Http2FrameType = {
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const;

/** HTTP/2 frame flags (RFC 9113 §6). */
export const Http2Flag = {
  END_STREAM: 0x1,
  ACK: 0x1,
  END_HEADERS: 0x4,
  PADDED: 0x8,
  PRIORITY: 0x20,
} as const;

/** Octets of a frame header. */
export const FRAME_HEADER_BYTES = 9;

/** SETTINGS_HEADER_TABLE_SIZE (RFC 9113 §6.5.2). */
export const SETTINGS_HEADER_TABLE_SIZE = 0x1;

/** Flags each frame type defines; a sender sets no others, which makes frame detection sharper. */
const DEFINED_FLAGS = [0x09, 0x2d, 0x00, 0x00, 0x01, 0x0c, 0x01, 0x00, 0x00, 0x04];

/**
 * Whether a plausible HTTP/2 frame header starts at `offset` (9 bytes available): a known type,
 * only its defined flags, the reserved bit clear, a stream id where the type needs one (and none
 * where it must not), and a length that type allows.
 */
export function plausibleFrameHeader(bytes: Uint8Array, offset: number, maxLength = 16_384): boolean {
  const length = ((bytes[offset]! << 16) | (bytes[offset + 1]! << 8) | bytes[offset + 2]!) >>> 0;
  const type = bytes[offset + 3]!;
  const flags = bytes[offset + 4]!;
  if (type > 9 || (flags & ~DEFINED_FLAGS[type]!) !== 0 || (bytes[offset + 5]! & 0x80) !== 0) return false;
  if (length > maxLength) return false;
  const stream =
    ((bytes[offset + 5]! & 0x7f) << 24) |
    (bytes[offset + 6]! << 16) |
    (bytes[offset + 7]! << 8) |
    bytes[offset + 8]!;
  switch (type) {
    case Http2FrameType.SETTINGS:
      return stream === 0 && length % 6 === 0;
    case Http2FrameType.PING:
      return stream === 0 && length === 8;
    case Http2FrameType.GOAWAY:
      return stream === 0 && length >= 8;
    case Http2FrameType.WINDOW_UPDATE:
      return length === 4;
    case Http2FrameType.PRIORITY:
      return stream !== 0 && length === 5;
    case Http2FrameType.RST_STREAM:
      return stream !== 0 && length === 4;
    default:
      return stream !== 0;
  }
}

/**
 * Whether `bytes[offset, end)` looks like HTTP/2 frames joined mid-connection: plausible frame
 * headers back to back, at least two complete frames, or one that ends exactly at `end`.
 */
export function looksLikeHttp2Frames(bytes: Uint8Array, offset: number, end: number): boolean {
  let at = offset;
  let frames = 0;
  while (end - at >= FRAME_HEADER_BYTES) {
    if (!plausibleFrameHeader(bytes, at)) return false;
    const length = (bytes[at]! << 16) | (bytes[at + 1]! << 8) | bytes[at + 2]!;
    at += FRAME_HEADER_BYTES + length;
    if (at > end) break;
    frames++;
    if (frames >= 2) return true;
  }
  return frames === 1 && at === end;
}
