/**
 * Converts pcapng timestamps (a 64-bit count of `if_tsresol` units) to seconds + nanoseconds
 * exactly, without BigInt on the decimal resolutions 10^-0 … 10^-9.
 */

const POWERS_OF_TEN = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

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
  return splitTimestampInto(high, low, tsResolution, offsetSec, { sec: 0, nsec: 0 });
}

/**
 * {@link splitTimestamp} into a caller-owned `out` (returned): readers reuse one per parser, so a
 * packet's timestamp costs no allocation.
 */
export function splitTimestampInto(
  high: number,
  low: number,
  tsResolution: number,
  offsetSec: number,
  out: SplitTimestamp,
): SplitTimestamp {
  if ((tsResolution & 0x80) === 0 && tsResolution <= 9) {
    const divisor = POWERS_OF_TEN[tsResolution]!;
    // The float quotient is off by at most one unit for these divisors; the remainder is then
    // computed exactly modulo 2^32 (Math.imul) and the quotient corrected until it is in range.
    let sec = Math.floor((high * 4294967296 + low) / divisor);
    let rem = (low - Math.imul(sec, divisor)) | 0;
    while (rem < 0) {
      rem += divisor;
      sec--;
    }
    while (rem >= divisor) {
      rem -= divisor;
      sec++;
    }
    out.sec = sec + offsetSec;
    out.nsec = rem * (1e9 / divisor);
    return out;
  }
  const units = (BigInt(high) << 32n) | BigInt(low);
  const exponent = BigInt(tsResolution & 0x7f);
  const perSecond = (tsResolution & 0x80) === 0 ? 10n ** exponent : 1n << exponent;
  out.sec = Number(units / perSecond) + offsetSec;
  out.nsec = Number(((units % perSecond) * 1_000_000_000n) / perSecond);
  return out;
}
