/**
 * Names of IP protocol numbers as the `Protocol` column writes them.
 */
const NAMES: Readonly<Record<number, string>> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP', 58: 'ICMPv6', 132: 'SCTP' };

const TEXT: readonly string[] = Array.from({ length: 256 }, (_, n) => NAMES[n] ?? String(n));

/** `TCP`, `UDP`, `ICMP`, `ICMPv6`, `SCTP`, or the number as text (e.g. `47`). */
export function protocolName(protocol: number): string {
  return TEXT[protocol] ?? String(protocol);
}
