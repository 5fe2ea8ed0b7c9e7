/**
 * TCP flag text in Wireshark's order, lowest bit first: FIN, SYN, RST, PSH, ACK, URG, ECE, CWR,
 * AE (bit 8; RFC 9768's name, called NS by RFC 3540 and older Wireshark). Joined by `,` without
 * spaces, e.g. `SYN,ACK`. Precomputed for all 512 values: no allocation per packet.
 */
const NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'AE'] as const;

const TEXT: readonly string[] = Array.from({ length: 512 }, (_, flags) =>
  NAMES.filter((_name, bit) => (flags & (1 << bit)) !== 0).join(','),
);

/** The flag text of a 9-bit flags value; `''` when no flag is set. Bits above 8 are ignored. */
export function tcpFlagsText(flags: number): string {
  return TEXT[flags & 0x1ff] ?? '';
}
