import { bytes } from './builders';

/** The HTTP/2 client connection preface. */
export const PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';

/** One HTTP/2 frame. */
export function frame(
  type: number,
  flags: number,
  stream: number,
  payload: Uint8Array | number[] = [],
): Uint8Array {
  const body = payload instanceof Uint8Array ? payload : Uint8Array.from(payload);
  return bytes(
    (body.length >> 16) & 0xff,
    (body.length >> 8) & 0xff,
    body.length & 0xff,
    type,
    flags,
    (stream >>> 24) & 0x7f,
    (stream >> 16) & 0xff,
    (stream >> 8) & 0xff,
    stream & 0xff,
    body,
  );
}

/** A SETTINGS frame with `[id, value]` pairs. */
export function settings(...pairs: Array<[number, number]>): Uint8Array {
  return frame(
    4,
    0,
    0,
    pairs.flatMap(([id, value]) => [
      id >> 8,
      id & 0xff,
      value >>> 24,
      (value >> 16) & 0xff,
      (value >> 8) & 0xff,
      value & 0xff,
    ]),
  );
}

/** An HPACK prefixed integer (RFC 7541 §5.1) with `pattern` in the high bits of the first byte. */
export function hpackInt(value: number, prefixBits: number, pattern: number): number[] {
  const max = (1 << prefixBits) - 1;
  if (value < max) return [pattern | value];
  const out = [pattern | max];
  let rest = value - max;
  while (rest >= 128) {
    out.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return out;
}

function str(text: string): number[] {
  return [...hpackInt(text.length, 7, 0), ...Buffer.from(text, 'latin1')];
}

/** HPACK field representations (no Huffman: the decoder's Huffman path is covered by Node-made traffic). */
export const hp = {
  /** Indexed field (static 1–61, dynamic above). */
  indexed: (index: number): number[] => hpackInt(index, 7, 0x80),
  /** Literal with incremental indexing; `name` a string or an index. */
  indexing: (name: string | number, value: string): number[] =>
    typeof name === 'number'
      ? [...hpackInt(name, 6, 0x40), ...str(value)]
      : [0x40, ...str(name), ...str(value)],
  /** Literal without indexing. */
  plain: (name: string | number, value: string): number[] =>
    typeof name === 'number'
      ? [...hpackInt(name, 4, 0x00), ...str(value)]
      : [0x00, ...str(name), ...str(value)],
  /** Literal never indexed. */
  never: (name: string | number, value: string): number[] =>
    typeof name === 'number'
      ? [...hpackInt(name, 4, 0x10), ...str(value)]
      : [0x10, ...str(name), ...str(value)],
  /** Dynamic table size update. */
  sizeUpdate: (size: number): number[] => hpackInt(size, 5, 0x20),
};

/** A header block from field representations. */
export function block(...fields: number[][]): Uint8Array {
  return Uint8Array.from(fields.flat());
}

/** HEADERS with END_HEADERS (and END_STREAM when `end`). */
export function headers(stream: number, fields: Uint8Array, end = false): Uint8Array {
  return frame(1, 0x4 | (end ? 0x1 : 0), stream, fields);
}

/** DATA (END_STREAM when `end`). */
export function data(stream: number, payload: Uint8Array | string, end = false): Uint8Array {
  return frame(0, end ? 1 : 0, stream, typeof payload === 'string' ? bytes(payload) : payload);
}

/** A gRPC length-prefixed message of `length` bytes. */
export function grpcMessage(length: number): Uint8Array {
  return bytes(
    0,
    (length >>> 24) & 0xff,
    (length >> 16) & 0xff,
    (length >> 8) & 0xff,
    length & 0xff,
    new Uint8Array(length),
  );
}
