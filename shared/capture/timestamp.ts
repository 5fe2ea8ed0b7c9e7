/**
 * Converts pcapng timestamps (a 64-bit count of `if_tsresol` units) to seconds + nanoseconds
 * exactly, without BigInt on the common decimal resolutions (10^-0 … 10^-9).
 */

/** A timestamp split into whole seconds and nanoseconds within the second. */
export interface SplitTimestamp {
  sec: number;
  nsec: number;
}

/**
 * Splits `high·2^32 + low` units of the given `if_tsresol` into seconds and nanoseconds, then adds
 * `offsetSec` (`if_tsoffset`). Sub-nanosecond resolutions are truncated to nanoseconds.
 */
export function splitTimestamp(
  high: number,
  low: number,
  tsResolution: number,
  offsetSec: number,
): SplitTimestamp {
  if ((tsResolution & 0x80) === 0 && tsResolution <= 9) {
    const divisor = 10 ** tsResolution;
    // Long division in base 2^16 keeps every intermediate below 2^53.
    let current = high >>> 16;
    let q = Math.floor(current / divisor);
    let quotient = q;
    current = (current - q * divisor) * 65536 + (high & 0xffff);
    q = Math.floor(current / divisor);
    quotient = quotient * 65536 + q;
    current = (current - q * divisor) * 65536 + (low >>> 16);
    q = Math.floor(current / divisor);
    quotient = quotient * 65536 + q;
    current = (current - q * divisor) * 65536 + (low & 0xffff);
    q = Math.floor(current / divisor);
    quotient = quotient * 65536 + q;
    const rem = current - q * divisor;
    return { sec: quotient + offsetSec, nsec: rem * (1e9 / divisor) };
  }
  const units = (BigInt(high) << 32n) | BigInt(low);
  const exponent = BigInt(tsResolution & 0x7f);
  const perSecond = (tsResolution & 0x80) === 0 ? 10n ** exponent : 1n << exponent;
  const sec = units / perSecond;
  const nsec = ((units % perSecond) * 1_000_000_000n) / perSecond;
  return { sec: Number(sec) + offsetSec, nsec: Number(nsec) };
}
