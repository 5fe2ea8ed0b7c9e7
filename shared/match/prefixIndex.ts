/**
 * An index from CIDR blocks to values: a lookup masks the address once per distinct prefix length
 * present and does one map hit each, so finding the candidate targets for an address costs a few
 * map lookups however many blocks are indexed. Candidates are a superset (`except` is ignored
 * here and applied by the target's own predicate).
 */
import { parseCidr } from '../net/cidr';

/** Index of values by CIDR block. */
export class PrefixIndex<T> {
  private readonly v4 = new Map<number, Map<number, T[]>>();
  private readonly v6 = new Map<number, Map<string, T[]>>();
  private v4Lengths: number[] = [];
  private v6Lengths: number[] = [];

  /** Adds `value` under `cidr`; false when the CIDR does not parse. */
  add(cidr: string, value: T): boolean {
    const parsed = parseCidr(cidr);
    if (!parsed.ok) return false;
    const { network, prefixLength } = parsed.cidr;
    if (network.length === 4) {
      push(this.v4, prefixLength, v4Masked(network, prefixLength), value);
      this.v4Lengths = [...this.v4.keys()];
    } else {
      push(this.v6, prefixLength, v6Masked(network, prefixLength), value);
      this.v6Lengths = [...this.v6.keys()];
    }
    return true;
  }

  /** True when nothing is indexed. */
  get empty(): boolean {
    return this.v4.size === 0 && this.v6.size === 0;
  }

  /**
   * Writes into `out`, from index `count` on, each value list whose block contains the address
   * (4 or 16 bytes); returns the new count. Callers reuse one `out` and track the count themselves:
   * truncating an array with `length = 0` frees its storage, so the next push allocates again.
   */
  collect(ip: Uint8Array, out: (readonly T[])[], count = 0): number {
    if (ip.length === 4) {
      const x = ((ip[0] ?? 0) << 24) | ((ip[1] ?? 0) << 16) | ((ip[2] ?? 0) << 8) | (ip[3] ?? 0);
      for (let i = 0; i < this.v4Lengths.length; i++) {
        const length = this.v4Lengths[i] ?? 0;
        const values = this.v4.get(length)?.get(x & v4Mask(length));
        if (values) out[count++] = values;
      }
      return count;
    }
    if (ip.length !== 16) return count;
    for (let i = 0; i < this.v6Lengths.length; i++) {
      const length = this.v6Lengths[i] ?? 0;
      const values = this.v6.get(length)?.get(v6Masked(ip, length));
      if (values) out[count++] = values;
    }
    return count;
  }
}

function push<K, T>(byLength: Map<number, Map<K, T[]>>, length: number, key: K, value: T): void {
  let map = byLength.get(length);
  if (!map) {
    map = new Map();
    byLength.set(length, map);
  }
  const list = map.get(key);
  if (list) {
    if (!list.includes(value)) list.push(value);
  } else {
    map.set(key, [value]);
  }
}

/**
 * The first `length` bits of an IPv4 address as a signed 32-bit integer (rest zeroed). Signed, not
 * `>>> 0`: values of 2^31 and above would be heap numbers, allocated on every lookup.
 */
function v4Masked(network: Uint8Array, length: number): number {
  const x =
    ((network[0] ?? 0) << 24) | ((network[1] ?? 0) << 16) | ((network[2] ?? 0) << 8) | (network[3] ?? 0);
  return x & v4Mask(length);
}

/** The netmask of a prefix length as a signed 32-bit integer. */
function v4Mask(length: number): number {
  return length === 0 ? 0 : length >= 32 ? -1 : ~(-1 >>> length);
}

/** The first `length` bits of an IPv6 address as a string of 16-bit code units (rest zeroed). */
function v6Masked(ip: Uint8Array, length: number): string {
  let out = '';
  for (let group = 0; group < 8; group++) {
    const bits = Math.min(16, Math.max(0, length - group * 16));
    if (bits === 0) break;
    const value = ((ip[group * 2] ?? 0) << 8) | (ip[group * 2 + 1] ?? 0);
    out += String.fromCharCode(value & ((0xffff << (16 - bits)) & 0xffff));
  }
  return out;
}
