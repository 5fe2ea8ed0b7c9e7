/**
 * The allow-list of known differences between tshark 4.0.17 and this decoder on the captures in
 * ../shared/captures/public, each with its reason (docs/decoding.md has the evidence).
 */
export interface TsharkDifference {
  /** Capture file name. */
  file: string;
  /** tshark frame numbers that are not packets for us (tshark 4.0 shows pcapng Custom Blocks as frames). */
  nonPacketFrames: number[];
  reason: string;
}

/** Known differences, by file. */
export const TSHARK_DIFFERENCES: readonly TsharkDifference[] = [
  {
    file: 'gopacket_be_test202.pcapng',
    nonPacketFrames: [1, 7, 10],
    reason:
      'tshark 4.0 numbers the three pcapng Custom Blocks (0x00000BAD/0x40000BAD) as frames 1, 7 and 10; they carry no packet, so our frame numbers count packets only (capinfos also counts 8 packets).',
  },
];
