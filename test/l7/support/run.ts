import type { DecodedPacket } from '../../../shared/packet/decodedPacket';
import type { L7Analyzer, L7AnalyzerOptions } from '../../../shared/l7/analyzer';
import { createL7Analyzer } from '../../../shared/l7/analyzer';
import type { L7Fields } from '../../../shared/l7/l7Fields';

/** Every message the analyser reports for `packets`, with the index of the packet that completed it. */
export function runPackets(
  packets: DecodedPacket[],
  options?: L7AnalyzerOptions,
  analyzer: L7Analyzer = createL7Analyzer(options),
): Array<{ index: number; fields: L7Fields }> {
  const found: Array<{ index: number; fields: L7Fields }> = [];
  packets.forEach((packet, index) => {
    for (const fields of analyzer.analyzeAll(packet)) found.push({ index, fields });
  });
  return found;
}

/** Splits `data` into pieces at the given offsets. */
export function splitAt(data: Uint8Array, ...offsets: number[]): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const offset of [...offsets, data.length]) {
    pieces.push(data.subarray(start, offset));
    start = offset;
  }
  return pieces;
}
