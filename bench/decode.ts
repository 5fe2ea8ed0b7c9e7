/**
 * Read + L2–L4 decode throughput per core (`npm run bench:decode`). Builds one pcapng of ≥ 100k
 * packets from the public captures in ../shared (each copy with its addresses shifted so flows are
 * distinct), or from crafted frames when ../shared is absent, then times: reading, decoding, and both
 * (plus fragment reassembly and FlowId). Prints packets/s, MB/s and peak RSS.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { CapturePacket } from '../shared/capture/capturePacket';
import { PcapngWriter } from '../shared/capture/pcapngWriter';
import { CaptureParser } from '../shared/capture/captureParser';
import type { CaptureSink } from '../shared/capture/captureSink';
import { iterateCapture, readCapture } from '../shared/capture/readCapture';
import { craftFrame } from '../shared/packet/craftFrame';
import { decodePacket } from '../shared/packet/decodePacket';
import { packetFlowId } from '../shared/packet/flowKey';
import { FragmentReassembler } from '../shared/packet/fragmentReassembler';
import { sharedPath } from './support/paths';

const TARGET_PACKETS = 100_000;
const publicDir = sharedPath('captures', 'public');

function sourcePackets(): { packets: CapturePacket[]; origin: string } {
  if (existsSync(publicDir)) {
    const packets = readdirSync(publicDir)
      .sort()
      .flatMap((file) => readCapture(readFileSync(path.join(publicDir, file))).packets);
    return { packets, origin: `${packets.length} packets from ${publicDir}` };
  }
  const frames = Array.from({ length: 1000 }, (_, i) =>
    craftFrame({
      source: `10.0.${i >> 8}.${i & 0xff}`,
      destination: '10.1.0.1',
      vlanIds: i % 5 === 0 ? [7] : [],
      transport:
        i % 3 === 0
          ? { protocol: 'udp', sourcePort: 1024 + i, destinationPort: 53 }
          : { protocol: 'tcp', sourcePort: 1024 + i, destinationPort: 443, flags: 0x18 },
      payload: 'x'.repeat(i % 400),
    }),
  );
  const iface = { index: 0, section: 0, linkType: 1, snapLength: 0, tsResolution: 9, tsOffsetSec: 0 };
  const packets = frames.map((data, i) => ({
    frame: i + 1,
    interface: iface,
    timestampSec: 1700000000,
    timestampNsec: i,
    hasTimestamp: true,
    originalLength: data.length,
    data,
    direction: 'unknown' as const,
    offset: 0,
  }));
  return { packets, origin: 'synthetic frames (../shared absent)' };
}

/** Writes the source packets repeatedly, shifting IPv4/IPv6 source addresses per copy. */
function buildBatch(packets: CapturePacket[]): Uint8Array {
  const writer = new PcapngWriter({ userApplication: 'bench/decode' });
  const interfaces = new Map<object, number>();
  let written = 0;
  for (let copy = 0; written < TARGET_PACKETS; copy++) {
    for (const packet of packets) {
      let index = interfaces.get(packet.interface);
      if (index === undefined) {
        index = writer.addInterface({
          linkType: packet.interface.linkType,
          name: `NodeToPod/if${interfaces.size}`,
        });
        interfaces.set(packet.interface, index);
      }
      const data = packet.data.slice();
      const decoded = decodePacket(packet, packet.interface.linkType);
      if (decoded.sourceIp !== undefined && copy > 0) {
        const at = decoded.sourceIp.byteOffset - packet.data.byteOffset + decoded.sourceIp.length - 2;
        data[at] = (data[at]! + (copy >> 8)) & 0xff;
        data[at + 1] = (data[at + 1]! + copy) & 0xff;
      }
      writer.addPacket({
        interfaceIndex: index,
        timestampSec: packet.timestampSec,
        timestampNsec: packet.timestampNsec,
        data,
        originalLength: packet.originalLength,
        direction: 'inbound',
      });
      written++;
    }
  }
  return writer.toBytes();
}

function best(runs: number, body: () => number): { seconds: number; count: number } {
  let seconds = Number.POSITIVE_INFINITY;
  let count = 0;
  // Untimed warm-up: JIT tiers, and background GC of the batch construction settles first.
  for (let i = 0; i < 3; i++) body();
  for (let i = 0; i < runs; i++) {
    // CPU time of this process, not wall time: the figure is per core and ignores other load.
    const start = process.cpuUsage();
    count = body();
    const used = process.cpuUsage(start);
    seconds = Math.min(seconds, (used.user + used.system) / 1e6);
  }
  return { seconds, count };
}

function report(name: string, { seconds, count }: { seconds: number; count: number }, bytes: number): void {
  const pps = count / seconds;
  console.log(
    `${name.padEnd(34)} ${(pps / 1e6).toFixed(2).padStart(6)} M packets/s  ${(bytes / seconds / 1e6).toFixed(0).padStart(6)} MB/s  (${count} packets in ${(seconds * 1000).toFixed(1)} ms CPU)`,
  );
}

const { packets: source, origin } = sourcePackets();
const batch = buildBatch(source);
console.log(
  `bench/decode: ${origin}; batch of ${readCapture(batch).packets.length} packets, ${(batch.length / 1e6).toFixed(1)} MB pcapng; node ${process.version}`,
);

// Let background GC threads finish sweeping what building the batch left behind: their CPU time
// would otherwise be charged to the first measurement.
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1500);
let sink = 0;
// Streaming measurements first, before anything is retained on the heap.
/** The leanest path: the parser calls back per packet, the callback decodes it. */
function parseAndDecode(bytes: Uint8Array): number {
  let count = 0;
  const callbacks: CaptureSink = {
    frames: 0,
    onInterface: () => undefined,
    onPacket: (packet) => {
      sink += decodePacket(packet, packet.interface.linkType).payloadLength ?? 0;
      count++;
    },
    onProblem: () => undefined,
  };
  const parser = new CaptureParser(callbacks);
  parser.push(bytes);
  parser.end();
  return count;
}
report(
  'CaptureParser callbacks + decode',
  best(7, () => parseAndDecode(batch)),
  batch.length,
);
report(
  'iterate (pcapng → packets, streaming)',
  best(7, () => {
    let count = 0;
    for (const event of iterateCapture(batch)) if (event.kind === 'packet') count++;
    return count;
  }),
  batch.length,
);
report(
  'iterate + decode',
  best(7, () => {
    let count = 0;
    for (const event of iterateCapture(batch)) {
      if (event.kind !== 'packet') continue;
      sink += decodePacket(event.packet, event.packet.interface.linkType).payloadLength ?? 0;
      count++;
    }
    return count;
  }),
  batch.length,
);
report(
  'iterate + decode + reassembly + FlowId',
  best(5, () => {
    const reassembler = new FragmentReassembler();
    let count = 0;
    for (const event of iterateCapture(batch)) {
      if (event.kind !== 'packet') continue;
      const decoded = decodePacket(event.packet, event.packet.interface.linkType);
      if (decoded.fragment === true) reassembler.push(decoded);
      sink += packetFlowId(decoded)?.length ?? 0;
      count++;
    }
    return count;
  }),
  batch.length,
);
report(
  'readCapture (collect all packets)',
  best(7, () => readCapture(batch).packets.length),
  batch.length,
);
const read = readCapture(batch);
report(
  'decode L2–L4 only',
  best(7, () => {
    for (const packet of read.packets)
      sink += decodePacket(packet, packet.interface.linkType).payloadLength ?? 0;
    return read.packets.length;
  }),
  batch.length,
);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (checksum ${sink % 10})`);
