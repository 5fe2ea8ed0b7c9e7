/** Internet checksum (RFC 1071) and CRC-32C (RFC 9260 appendix B), for crafting valid frames. */

/** Adds 16-bit big-endian words of `bytes` to `sum` (one's-complement accumulation, not folded). */
export function sumWords(bytes: Uint8Array, sum = 0): number {
  let total = sum;
  for (let i = 0; i + 1 < bytes.length; i += 2) total += (bytes[i]! << 8) | bytes[i + 1]!;
  if (bytes.length % 2 === 1) total += bytes[bytes.length - 1]! << 8;
  return total;
}

/** Folds an accumulated sum and complements it: the value to store in a checksum field. */
export function finishChecksum(sum: number): number {
  let total = sum;
  while (total > 0xffff) total = (total & 0xffff) + Math.floor(total / 65536);
  return ~total & 0xffff;
}

/** The Internet checksum of `bytes`. */
export function internetChecksum(bytes: Uint8Array): number {
  return finishChecksum(sumWords(bytes));
}

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32C (Castagnoli) of `bytes`, as SCTP uses it. */
export function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC32C_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
