/**
 * Where our TCP analysis differs from tshark 4.0.17 on the public captures, each explained in
 * docs/flows.md ("TCP health"). The conformance test fails on any difference not listed here.
 */
export interface TcpDifference {
  file: string;
  frames: number[];
  /** What differs: the flags (`TcpAnalysis`) or the ACK round trip. */
  field: 'TcpAnalysis' | 'ack_rtt';
  why: string;
}

export const TCP_DIFFERENCES: TcpDifference[] = [
  {
    file: 'zeek_http_261_variant-04-te_cl_desync.pcap',
    frames: [3, 8],
    field: 'ack_rtt',
    why: 'the ACK is timestamped 16 µs before the segment it acknowledges; tshark prints a negative round trip, we report none',
  },
];
