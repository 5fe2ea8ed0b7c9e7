/** Endian-aware reads from a byte array, without DataView allocation. Callers check bounds. */

/** Unsigned 16-bit integer at `offset`. */
export function readU16(bytes: Uint8Array, offset: number, littleEndian: boolean): number {
  const a = bytes[offset]!;
  const b = bytes[offset + 1]!;
  return littleEndian ? a | (b << 8) : (a << 8) | b;
}

/** Unsigned 32-bit integer at `offset`. */
export function readU32(bytes: Uint8Array, offset: number, littleEndian: boolean): number {
  const a = bytes[offset]!;
  const b = bytes[offset + 1]!;
  const c = bytes[offset + 2]!;
  const d = bytes[offset + 3]!;
  return littleEndian
    ? (a | (b << 8) | (c << 16) | (d << 24)) >>> 0
    : ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

/** Signed 64-bit integer at `offset` as a number (exact within ±2^53). */
export function readI64(bytes: Uint8Array, offset: number, littleEndian: boolean): number {
  const first = readU32(bytes, offset, littleEndian);
  const second = readU32(bytes, offset + 4, littleEndian);
  const high = littleEndian ? second : first;
  const low = littleEndian ? first : second;
  return (high | 0) * 4294967296 + low;
}
