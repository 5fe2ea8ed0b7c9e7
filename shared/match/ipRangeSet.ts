/**
 * A set of addresses built from IP blocks (`cidr` minus `except`), stored as sorted, disjoint,
 * merged ranges per IP version so a lookup is a binary search, however many blocks there are.
 */
import type { IpBlock } from '../config/model';
import { parseCidr } from '../net/cidr';

/** A compiled address set. */
export interface IpRangeSet {
  /** True when the address (4 or 16 bytes) is in the set. */
  has(ip: Uint8Array): boolean;
  /** Number of disjoint ranges (IPv4 + IPv6), for diagnostics. */
  readonly rangeCount: number;
}

type Range = [bigint, bigint];

/** Compiles IP blocks into one set; blocks whose CIDR does not parse contribute nothing. */
export function compileIpBlocks(blocks: readonly IpBlock[]): IpRangeSet {
  const v4: Range[] = [];
  const v6: Range[] = [];
  for (const block of blocks) {
    const parsed = parseCidr(block.cidr);
    if (!parsed.ok) continue;
    let ranges: Range[] = [rangeOf(parsed.cidr.network, parsed.cidr.prefixLength)];
    for (const except of block.except) {
      const e = parseCidr(except);
      if (!e.ok || e.cidr.version !== parsed.cidr.version) continue;
      ranges = subtract(ranges, rangeOf(e.cidr.network, e.cidr.prefixLength));
    }
    (parsed.cidr.version === 4 ? v4 : v6).push(...ranges);
  }
  const merged4 = merge(v4);
  const merged6 = merge(v6);
  const starts4 = new Float64Array(merged4.map((r) => Number(r[0])));
  const ends4 = new Float64Array(merged4.map((r) => Number(r[1])));
  const words6 = new Uint32Array(merged6.length * 8);
  merged6.forEach(([start, end], i) => {
    writeWords(words6, i * 8, start);
    writeWords(words6, i * 8 + 4, end);
  });
  const count6 = merged6.length;
  return {
    rangeCount: merged4.length + count6,
    has(ip: Uint8Array): boolean {
      if (ip.length === 4) {
        const x = (((ip[0] ?? 0) << 24) | ((ip[1] ?? 0) << 16) | ((ip[2] ?? 0) << 8) | (ip[3] ?? 0)) >>> 0;
        let lo = 0;
        let hi = starts4.length - 1;
        while (lo <= hi) {
          const mid = (lo + hi) >> 1;
          if ((starts4[mid] ?? 0) <= x) lo = mid + 1;
          else hi = mid - 1;
        }
        return hi >= 0 && x <= (ends4[hi] ?? -1);
      }
      if (ip.length !== 16 || count6 === 0) return false;
      let lo = 0;
      let hi = count6 - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (compareWords(words6, mid * 8, ip) <= 0) lo = mid + 1;
        else hi = mid - 1;
      }
      return hi >= 0 && compareWords(words6, hi * 8 + 4, ip) >= 0;
    },
  };
}

function rangeOf(network: Uint8Array, prefixLength: number): Range {
  let start = 0n;
  for (const byte of network) start = (start << 8n) | BigInt(byte);
  const hostBits = BigInt(network.length * 8 - prefixLength);
  return [start, start + (1n << hostBits) - 1n];
}

function subtract(ranges: Range[], [a, b]: Range): Range[] {
  const out: Range[] = [];
  for (const [s, e] of ranges) {
    if (b < s || a > e) {
      out.push([s, e]);
      continue;
    }
    if (s < a) out.push([s, a - 1n]);
    if (b < e) out.push([b + 1n, e]);
  }
  return out;
}

function merge(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  const out: Range[] = [];
  for (const range of sorted) {
    const last = out[out.length - 1];
    if (last && range[0] <= last[1] + 1n) {
      if (range[1] > last[1]) last[1] = range[1];
    } else {
      out.push([range[0], range[1]]);
    }
  }
  return out;
}

function writeWords(words: Uint32Array, at: number, value: bigint): void {
  for (let i = 3; i >= 0; i--) {
    words[at + i] = Number(value & 0xffffffffn);
    value >>= 32n;
  }
}

/** Compares the 4-word value at `at` with the 16-byte address: negative, zero or positive. */
function compareWords(words: Uint32Array, at: number, ip: Uint8Array): number {
  for (let i = 0; i < 4; i++) {
    const b = i * 4;
    const x =
      (((ip[b] ?? 0) << 24) | ((ip[b + 1] ?? 0) << 16) | ((ip[b + 2] ?? 0) << 8) | (ip[b + 3] ?? 0)) >>> 0;
    const w = words[at + i] ?? 0;
    if (w !== x) return w < x ? -1 : 1;
  }
  return 0;
}
