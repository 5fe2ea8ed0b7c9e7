/** Big-endian reads on byte views. Callers check bounds first; these never throw. */

/** Unsigned 16-bit big-endian value at `offset`. */
export function u16(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] ?? 0) << 8) | (bytes[offset + 1] ?? 0);
}

/** Unsigned 24-bit big-endian value at `offset`. */
export function u24(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] ?? 0) << 16) | ((bytes[offset + 1] ?? 0) << 8) | (bytes[offset + 2] ?? 0);
}

/** Unsigned 32-bit big-endian value at `offset`. */
export function u32(bytes: Uint8Array, offset: number): number {
  return u16(bytes, offset) * 0x10000 + u16(bytes, offset + 2);
}

/** Latin-1 text of `bytes[start, end)`; every byte maps to one character, so this cannot fail. */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= 24) {
    let text = '';
    for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i]!);
    return text;
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
}

/** Two lower-case hex digits of each byte value, by value. */
const HEX_BYTES: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Two lower-case hex digits of `value`, a byte (0–255). */
export function byteHex(value: number): string {
  return HEX_BYTES[value & 0xff]!;
}

/** Lower-case hex of `bytes[start, end)`; positions past the end read as `00`. */
export function hex(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let text = '';
  for (let i = start; i < end; i++) text += HEX_BYTES[bytes[i] ?? 0]!;
  return text;
}

/**
 * Offset of the first `value` in `bytes[from, end)`, or -1. A plain loop: HTTP lines are short, and
 * `subarray(...).indexOf` would allocate a view per call.
 */
export function indexOfByte(bytes: Uint8Array, value: number, from: number, end: number): number {
  const stop = Math.min(end, bytes.length);
  for (let i = from; i < stop; i++) if (bytes[i] === value) return i;
  return -1;
}

/** A new array holding `a` followed by `b`. */
export function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a, 0);
  joined.set(b, a.length);
  return joined;
}
