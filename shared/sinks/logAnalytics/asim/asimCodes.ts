/**
 * Numeric codes ASIM wants beside the mnemonics our records carry: DNS RR type and response code
 * numbers (`DnsQueryType`, `DnsResponseCode`) and ICMP message type names (`NetworkIcmpType`).
 */
import { dnsRcodeName, dnsTypeName } from '../../../l7/dnsTypes';

function reverse(
  names: (n: number) => string,
  numbers: Iterable<number>,
  unknown: RegExp,
): (name: string) => number | undefined {
  let table: Map<string, number> | undefined;
  return (name) => {
    const generic = unknown.exec(name);
    if (generic !== null) return Number(generic[1]);
    if (table === undefined) {
      table = new Map();
      for (const n of numbers) if (!unknown.test(names(n))) table.set(names(n), n);
    }
    return table.get(name);
  };
}

function* range(from: number, to: number): Iterable<number> {
  for (let n = from; n <= to; n++) yield n;
}

/** The RR type number of a mnemonic (`A` → 1, `TYPE65280` → 65280); undefined when unknown. */
export const dnsTypeNumber = reverse(dnsTypeName, [...range(0, 300), 32769], /^TYPE(\d+)$/);

/** The response code number of a mnemonic (`NXDOMAIN` → 3, `RCODE12` → 12); undefined when unknown. */
export const dnsRcodeNumber = reverse(dnsRcodeName, range(0, 30), /^RCODE(\d+)$/);

const ICMP4: ReadonlyMap<number, string> = new Map([
  [0, 'Echo Reply'], [3, 'Destination Unreachable'], [5, 'Redirect'], [8, 'Echo'], [9, 'Router Advertisement'],
  [10, 'Router Selection'], [11, 'Time Exceeded'], [12, 'Parameter Problem'], [13, 'Timestamp'], [14, 'Timestamp Reply'],
]); // prettier-ignore
const ICMP6: ReadonlyMap<number, string> = new Map([
  [1, 'Destination Unreachable'], [2, 'Packet Too Big'], [3, 'Time Exceeded'], [4, 'Parameter Problem'],
  [128, 'Echo Request'], [129, 'Echo Reply'], [133, 'Router Solicitation'], [134, 'Router Advertisement'],
  [135, 'Neighbor Solicitation'], [136, 'Neighbor Advertisement'], [137, 'Redirect Message'],
]); // prettier-ignore

/** IANA name of an ICMP (`v6` false) or ICMPv6 message type; the number as text when unnamed. */
export function icmpTypeName(type: number, v6: boolean): string {
  return (v6 ? ICMP6 : ICMP4).get(type) ?? String(type);
}

/** ASIM `NetworkProtocol` (IANA keyword): our `ICMPv6` is IANA's `IPv6-ICMP`. */
export function ianaProtocolName(protocol: string): string {
  return protocol === 'ICMPv6' ? 'IPv6-ICMP' : protocol;
}
