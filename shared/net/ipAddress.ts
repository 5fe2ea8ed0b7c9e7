/**
 * IP addresses as raw network-order bytes (4 for IPv4, 16 for IPv6): the form packets carry and the
 * form matching compares, so the hot path never parses or formats text.
 */

/** 4 bytes (IPv4) or 16 bytes (IPv6), network order. */
export type IpBytes = Uint8Array;

/** Parses dotted-quad IPv4 or RFC 4291 IPv6 text (with `::` and embedded IPv4); `undefined` if invalid. */
export function parseIp(text: string): IpBytes | undefined {
  return text.includes(':') ? parseIpv6(text) : parseIpv4(text);
}

function parseIpv4(text: string): IpBytes | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i] ?? '';
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    out[i] = value;
  }
  return out;
}

function parseIpv6(text: string): IpBytes | undefined {
  if (text.includes('%')) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] === '' ? [] : (halves[0] ?? '').split(':');
  const tail = halves.length === 2 ? (halves[1] === '' ? [] : (halves[1] ?? '').split(':')) : [];
  const groups: number[] = [];
  const pushGroups = (list: string[], isLast: boolean): boolean => {
    for (let i = 0; i < list.length; i++) {
      const group = list[i] ?? '';
      if (isLast && i === list.length - 1 && group.includes('.')) {
        const v4 = parseIpv4(group);
        if (!v4) return false;
        groups.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return false;
      groups.push(parseInt(group, 16));
    }
    return true;
  };
  if (!pushGroups(head, halves.length === 1)) return undefined;
  const headCount = groups.length;
  if (!pushGroups(tail, true)) return undefined;
  const tailGroups = groups.splice(headCount);
  const missing = 8 - groups.length - tailGroups.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...groups, ...new Array<number>(missing).fill(0), ...tailGroups];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

/**
 * Canonical text form: dotted quad for IPv4; RFC 5952 for IPv6 (lower case, longest run of two or
 * more zero groups compressed, first such run on a tie), as Wireshark prints it.
 *
 * @param bytes - the buffer holding the address
 * @param offset - where the address starts (default 0)
 * @param length - 4 or 16 (default `bytes.length - offset`)
 */
export function formatIp(bytes: Uint8Array, offset = 0, length = bytes.length - offset): string {
  if (length === 4) {
    return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
  }
  const groups = GROUPS;
  for (let i = 0; i < 8; i++)
    groups[i] = ((bytes[offset + i * 2] ?? 0) << 8) | (bytes[offset + i * 2 + 1] ?? 0);
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (bestLength < 2) bestStart = -1;
  // IPv4-mapped addresses keep the dotted tail, as RFC 5952 §5 recommends.
  if (bestStart === 0 && bestLength === 5 && groups[5] === 0xffff) {
    return `::ffff:${formatIp(bytes, offset + 12, 4)}`;
  }
  if (bestStart < 0) return hexGroups(groups, 0, 8);
  return `${hexGroups(groups, 0, bestStart)}::${hexGroups(groups, bestStart + bestLength, 8)}`;
}

/** Scratch for the eight groups of the IPv6 address being formatted. */
const GROUPS = new Uint16Array(8);

/** `groups[from, to)` as lower-case hex joined by `:`. */
function hexGroups(groups: Uint16Array, from: number, to: number): string {
  let text = '';
  for (let i = from; i < to; i++)
    text += i === from ? (groups[i] ?? 0).toString(16) : `:${(groups[i] ?? 0).toString(16)}`;
  return text;
}

/** True when both hold the same address (same version and bytes). */
export function ipEquals(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
