/**
 * TCP conversations with the conditions tshark 4.0.17 reports for each segment (checked by running
 * tshark on the pcaps `scenarioPcap` writes; its zero-window-probe flag is the
 * `tcp.analysis.zero_window_probe` field). Client ISN 1000, server ISN 5000.
 */
import type { Segment } from './tcpScenario';

const HANDSHAKE: Segment[] = [
  { ms: 0, from: 'c', flags: 'S', seq: 1000 },
  { ms: 10, from: 's', flags: 'SA', seq: 5000, ack: 1001 },
  { ms: 20, from: 'c', seq: 1001, ack: 5001 },
];

/** Name ─► conversation. */
export const SCENARIOS: Record<string, Segment[]> = {
  'retransmission after the initial RTT': [
    ...HANDSHAKE,
    { ms: 30, from: 'c', flags: 'PA', seq: 1001, ack: 5001, length: 100 },
    { ms: 300, from: 'c', flags: 'PA', seq: 1001, ack: 5001, length: 100, expect: ['Retransmission'] },
    { ms: 310, from: 's', seq: 5001, ack: 1101 },
  ],
  'lost segment, duplicate ACKs, fast retransmission': [
    ...HANDSHAKE,
    { ms: 30, from: 'c', seq: 1001, ack: 5001, length: 100 },
    { ms: 31, from: 'c', seq: 1201, ack: 5001, length: 100, expect: ['LostSegment'] },
    { ms: 32, from: 'c', seq: 1301, ack: 5001, length: 100 },
    { ms: 40, from: 's', seq: 5001, ack: 1101 },
    { ms: 41, from: 's', seq: 5001, ack: 1101, expect: ['DuplicateAck'] },
    { ms: 42, from: 's', seq: 5001, ack: 1101, expect: ['DuplicateAck'] },
    { ms: 45, from: 'c', seq: 1101, ack: 5001, length: 100, expect: ['FastRetransmission'] },
    { ms: 55, from: 's', seq: 5001, ack: 1401 },
  ],
  'spurious retransmission of acknowledged data': [
    ...HANDSHAKE,
    { ms: 30, from: 'c', seq: 1001, ack: 5001, length: 100 },
    { ms: 40, from: 's', seq: 5001, ack: 1101 },
    { ms: 300, from: 'c', seq: 1001, ack: 5001, length: 100, expect: ['SpuriousRetransmission'] },
  ],
  'out of order within the initial RTT': [
    ...HANDSHAKE,
    { ms: 30, from: 'c', seq: 1001, ack: 5001, length: 100 },
    { ms: 31, from: 'c', seq: 1201, ack: 5001, length: 100, expect: ['LostSegment'] },
    { ms: 32, from: 'c', seq: 1101, ack: 5001, length: 100, expect: ['OutOfOrder'] },
    { ms: 45, from: 's', seq: 5001, ack: 1301 },
  ],
  'zero window, zero-window probe and its ACK': [
    ...HANDSHAKE,
    { ms: 30, from: 'c', seq: 1001, ack: 5001, length: 100 },
    { ms: 40, from: 's', seq: 5001, ack: 1101, window: 0, expect: ['ZeroWindow'] },
    { ms: 240, from: 'c', seq: 1101, ack: 5001, length: 1, expect: ['ZeroWindowProbe'] },
    { ms: 250, from: 's', seq: 5001, ack: 1101, window: 0, expect: ['ZeroWindow'] },
    { ms: 260, from: 's', seq: 5001, ack: 1101, window: 500 },
    { ms: 270, from: 'c', seq: 1101, ack: 5001, length: 100 },
  ],
  'window full without window scaling': [
    { ms: 0, from: 'c', flags: 'S', seq: 1000 },
    { ms: 10, from: 's', flags: 'SA', seq: 5000, ack: 1001, window: 300 },
    { ms: 20, from: 'c', seq: 1001, ack: 5001 },
    { ms: 30, from: 'c', seq: 1001, ack: 5001, length: 100 },
    { ms: 31, from: 'c', seq: 1101, ack: 5001, length: 200, expect: ['WindowFull'] },
    { ms: 40, from: 's', seq: 5001, ack: 1301, window: 300 },
  ],
  'window full with a scaled window': [
    { ms: 0, from: 'c', flags: 'S', seq: 1000, windowScale: 7 },
    { ms: 10, from: 's', flags: 'SA', seq: 5000, ack: 1001, windowScale: 7, window: 65535 },
    { ms: 20, from: 'c', seq: 1001, ack: 5001 },
    { ms: 25, from: 's', seq: 5001, ack: 1001, window: 2 },
    { ms: 30, from: 'c', seq: 1001, ack: 5001, length: 256, expect: ['WindowFull'] },
    { ms: 40, from: 's', seq: 5001, ack: 1257, window: 100 },
  ],
  'keep-alive and its ACK': [
    ...HANDSHAKE,
    { ms: 30, from: 'c', seq: 1001, ack: 5001, length: 100 },
    { ms: 40, from: 's', seq: 5001, ack: 1101 },
    { ms: 60_000, from: 'c', seq: 1100, ack: 5001, expect: ['KeepAlive'] },
    { ms: 60_010, from: 's', seq: 5001, ack: 1101 },
  ],
  'connection seen without its handshake': [
    { ms: 0, from: 'c', seq: 77_000, ack: 99_000, length: 50 },
    { ms: 5, from: 's', seq: 99_000, ack: 77_050, length: 20 },
    { ms: 6, from: 'c', seq: 77_050, ack: 99_020 },
    { ms: 7, from: 'c', seq: 77_050, ack: 99_020, expect: ['DuplicateAck'] },
  ],
  'sequence numbers wrapping at 2^32': [
    { ms: 0, from: 'c', flags: 'S', seq: 0xffffff00 },
    { ms: 10, from: 's', flags: 'SA', seq: 5000, ack: 0xffffff01 },
    { ms: 20, from: 'c', seq: 0xffffff01, ack: 5001 },
    { ms: 30, from: 'c', seq: 0xffffff01, ack: 5001, length: 300 },
    { ms: 31, from: 'c', seq: 0x2d, ack: 5001, length: 300 },
    { ms: 40, from: 's', seq: 5001, ack: 0x159 },
    { ms: 300, from: 'c', seq: 0x2d, ack: 5001, length: 300, expect: ['SpuriousRetransmission'] },
    { ms: 301, from: 'c', seq: 0x159, ack: 5001, length: 10 },
  ],
};
