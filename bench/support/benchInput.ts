/**
 * Benchmark input: packets from the public captures in ../shared/captures (or, when that is
 * absent, the built-in demo cluster), replicated with distinct addresses so every copy is a new
 * flow, packed as agents pack them (gzip pcapng trace batches of at most 1 MB).
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { readCapture } from '../../shared/capture/readCapture';
import type { CapturePacket } from '../../shared/capture/capturePacket';
import { decodePacket } from '../../shared/packet/decodePacket';
import { TraceBatchPacker, type TraceBatchEvent } from '../../shared/agent/traceBatchPacker';
import { demoBatches } from '../../shared/local/demo/demoCluster';
import { sharedPath } from './paths';

/** Where the public captures are, when present. */
export const PUBLIC_CAPTURES = sharedPath('captures', 'public');

/** Where the bench timeline starts (2026-01-01T00:00:00Z). */
const TIMELINE_START_SEC = 1_767_225_600;

/**
 * The packets of several captures laid end to end on one forward-running timeline, as one agent
 * would capture them live: each capture keeps its own inter-packet gaps and starts 1 ms after the
 * previous one ends. Without this the captures' own dates (years apart, in file-name order) would
 * jump back and forth, which no node's clock does.
 */
export function onOneTimeline(
  captures: readonly (readonly CapturePacket[])[],
  startSec = TIMELINE_START_SEC,
): CapturePacket[] {
  const out: CapturePacket[] = [];
  let cursorNs = BigInt(startSec) * 1_000_000_000n;
  for (const packets of captures) {
    const first = packets[0];
    if (first === undefined) continue;
    const shiftNs = cursorNs - nanoseconds(first);
    let lastNs = cursorNs;
    for (const packet of packets) {
      const ns = nanoseconds(packet) + shiftNs;
      if (ns > lastNs) lastNs = ns;
      out.push({
        ...packet,
        timestampSec: Number(ns / 1_000_000_000n),
        timestampNsec: Number(ns % 1_000_000_000n),
      });
    }
    cursorNs = lastNs + 1_000_000n;
  }
  return out;
}

function nanoseconds(packet: CapturePacket): bigint {
  return BigInt(packet.timestampSec) * 1_000_000_000n + BigInt(packet.timestampNsec);
}

/** The source packets and where they came from. */
export function sourcePackets(): { packets: CapturePacket[]; source: string; files: string[] } {
  if (existsSync(PUBLIC_CAPTURES)) {
    const files = readdirSync(PUBLIC_CAPTURES)
      .filter((f) => /\.(pcap|pcapng|cap)(\.gz)?$/.test(f))
      .sort();
    const packets = onOneTimeline(
      files.map((file) => readCapture(readFileSync(path.join(PUBLIC_CAPTURES, file))).packets),
    );
    return {
      packets,
      source: `${files.length} public captures in ${PUBLIC_CAPTURES}`,
      files: files.map((f) => path.join(PUBLIC_CAPTURES, f)),
    };
  }
  const packets = demoBatches(Date.UTC(2026, 0, 1)).flatMap((batch) => readCapture(batch.capture).packets);
  return { packets, source: 'the built-in demo cluster (../shared/captures is absent)', files: [] };
}

/**
 * `copies` copies of `packets`, each with its IPv4/IPv6 addresses offset so the copy's flows are
 * distinct from every other copy's, and each following the previous one on the timeline.
 * Checksums are left stale: the pipeline does not verify them.
 */
export function distinctFlowCopies(packets: readonly CapturePacket[], copies: number): CapturePacket[] {
  const perCopy: CapturePacket[][] = [];
  let frame = 0;
  for (let copy = 0; copy < copies; copy += 1) {
    const out: CapturePacket[] = [];
    perCopy.push(out);
    for (const packet of packets) {
      const data = Uint8Array.from(packet.data);
      const decoded = decodePacket({ ...packet, data }, packet.interface.linkType);
      for (const address of [decoded.sourceIp, decoded.destinationIp]) {
        if (address === undefined || copy === 0) continue;
        // Vary the second byte so copies never collide, wherever the address sits in the frame.
        address[1] = (address[1]! + copy) & 0xff;
        if (address.length === 16) address[2] = (address[2]! + (copy >> 8)) & 0xff;
      }
      out.push({ ...packet, data, frame: (frame += 1) });
    }
  }
  const first = packets[0];
  return onOneTimeline(perCopy, first === undefined ? undefined : first.timestampSec);
}

/** Packs packets into trace-batch events for one node. */
export function packEvents(packets: readonly CapturePacket[], node = 'bench-node'): TraceBatchEvent[] {
  const packer = new TraceBatchPacker({ cluster: 'bench', node, defaultTracePoint: 'PodToNode' });
  const events = packets.flatMap((packet) => packer.add(packet));
  return [...events, ...packer.flush()];
}
