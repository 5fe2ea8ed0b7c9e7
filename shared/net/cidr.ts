import { type IpBytes, formatIp, parseIp } from './ipAddress';

/** A parsed CIDR block: network address (host bits cleared) and prefix length. */
export interface Cidr {
  /** 4 or 6. */
  readonly version: 4 | 6;
  /** Network address, host bits zero; 4 or 16 bytes. */
  readonly network: IpBytes;
  /** 0–32 (IPv4) or 0–128 (IPv6). */
  readonly prefixLength: number;
}

/** Why a CIDR did not parse. */
export type CidrParseResult = { ok: true; cidr: Cidr; hostBitsSet: boolean } | { ok: false; reason: string };

/**
 * Parses `a.b.c.d/n`, `x::y/n`, or a bare address (meaning /32 or /128).
 * Host bits set beyond the prefix are cleared and reported as `hostBitsSet` (Kubernetes accepts them).
 */
export function parseCidr(text: string): CidrParseResult {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const addressText = slash < 0 ? trimmed : trimmed.slice(0, slash);
  const address = parseIp(addressText);
  if (!address) return { ok: false, reason: `"${text}" is not an IPv4 or IPv6 address` };
  const maxPrefix = address.length * 8;
  let prefixLength = maxPrefix;
  if (slash >= 0) {
    const prefixText = trimmed.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText) || Number(prefixText) > maxPrefix) {
      return { ok: false, reason: `"${text}" has an invalid prefix length (0–${maxPrefix})` };
    }
    prefixLength = Number(prefixText);
  }
  const network = new Uint8Array(address);
  let hostBitsSet = false;
  for (let bit = prefixLength; bit < maxPrefix; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if ((network[byte] ?? 0) & mask) {
      hostBitsSet = true;
      network[byte] = (network[byte] ?? 0) & ~mask;
    }
  }
  return { ok: true, cidr: { version: address.length === 4 ? 4 : 6, network, prefixLength }, hostBitsSet };
}

/** True when `address` (4 or 16 bytes, at `offset` in `bytes`) lies in `cidr`. Different versions never match. */
export function cidrContains(cidr: Cidr, bytes: Uint8Array, offset = 0, length = bytes.length - offset): boolean {
  if (length !== cidr.network.length) return false;
  const full = cidr.prefixLength >> 3;
  for (let i = 0; i < full; i++) if (bytes[offset + i] !== cidr.network[i]) return false;
  const rest = cidr.prefixLength & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((bytes[offset + full] ?? 0) & mask) === cidr.network[full];
}

/** True when every address of `inner` lies in `outer`. */
export function cidrContainsCidr(outer: Cidr, inner: Cidr): boolean {
  return outer.version === inner.version && inner.prefixLength >= outer.prefixLength && cidrContains(outer, inner.network);
}

/** Canonical text `network/prefix`. */
export function formatCidr(cidr: Cidr): string {
  return `${formatIp(cidr.network)}/${cidr.prefixLength}`;
}
