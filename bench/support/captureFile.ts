import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PcapngWriter } from '../../shared/capture/pcapngWriter';
import type { CapturePacket } from '../../shared/capture/capturePacket';

/**
 * Writes `packets` as one pcapng file (one interface per link type, nanosecond timestamps) in a
 * new temporary directory named after `prefix`; returns the file's path.
 */
export function writeCaptureFile(packets: readonly CapturePacket[], prefix: string): string {
  const writer = new PcapngWriter();
  const interfaces = new Map<number, number>();
  for (const packet of packets) {
    const linkType = packet.interface.linkType;
    let index = interfaces.get(linkType);
    if (index === undefined) {
      index = writer.addInterface({ linkType, tsResolution: 9 });
      interfaces.set(linkType, index);
    }
    writer.addPacket({
      interfaceIndex: index,
      timestampSec: packet.timestampSec,
      timestampNsec: packet.timestampNsec,
      data: packet.data,
      originalLength: packet.originalLength,
    });
  }
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), prefix)), 'capture.pcapng');
  writeFileSync(file, writer.toBytes());
  return file;
}
