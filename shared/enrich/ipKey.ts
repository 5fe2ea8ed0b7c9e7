/**
 * Compact, allocation-light keys for IP addresses so identity lookups are O(1) map hits on the
 * packet's own address bytes: no text formatting per packet.
 */
import { parseIp } from '../net/ipAddress';

/** A map key for an address: an unsigned 32-bit number for IPv4, an 8-character string for IPv6. */
export type IpKey = number | string;

/**
 * The key of the address at `offset` in `bytes` (4 bytes: IPv4, 16 bytes: IPv6).
 * IPv4 keys are numbers (no allocation); IPv6 keys are one string of eight 16-bit code units.
 */
export function ipKey(bytes: Uint8Array, offset = 0, length = bytes.length - offset): IpKey {
  if (length === 4) {
    return (
      (((bytes[offset] ?? 0) << 24) |
        ((bytes[offset + 1] ?? 0) << 16) |
        ((bytes[offset + 2] ?? 0) << 8) |
        (bytes[offset + 3] ?? 0)) >>>
      0
    );
  }
  const g = (i: number): number => ((bytes[offset + i] ?? 0) << 8) | (bytes[offset + i + 1] ?? 0);
  return String.fromCharCode(g(0), g(2), g(4), g(6), g(8), g(10), g(12), g(14));
}

/** The key of an address in text form, or undefined when it does not parse. */
export function ipKeyOfText(text: string): IpKey | undefined {
  const bytes = parseIp(text);
  return bytes ? ipKey(bytes) : undefined;
}
