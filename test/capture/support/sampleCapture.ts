/** Capture fixtures shared by the capture reader tests. */
import { PcapngWriter } from '../../../shared/capture/pcapngWriter';

/** A pcapng of `packets` packets on one `PodToNode/veth1` interface, each with distinct bytes and times. */
export function sampleCapture(packets: number): Uint8Array {
  const writer = new PcapngWriter({ userApplication: 'test' });
  writer.addInterface({ linkType: 1, name: 'PodToNode/veth1' });
  for (let i = 0; i < packets; i++) {
    writer.addPacket({
      interfaceIndex: 0,
      timestampSec: 1700000000 + i,
      timestampNsec: i,
      data: Uint8Array.from({ length: 40 + (i % 13) }, (_, j) => i + j),
    });
  }
  return writer.toBytes();
}

/** `bytes` in chunks of `size`, as a stream delivers them. */
export async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, Math.min(bytes.length, at + size));
}
