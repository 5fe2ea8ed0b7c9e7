/** Writes classic pcap files (both byte orders, micro- or nanosecond timestamps), for fixtures and export. */

/** File-level settings. */
export interface PcapFileSpec {
  /** LINKTYPE_* value. */
  linkType: number;
  /** Default 262144. */
  snapLength?: number;
  /** Nanosecond magic 0xa1b23c4d instead of microseconds; default false. */
  nanosecond?: boolean;
  /** Default true. */
  littleEndian?: boolean;
}

/** One record. */
export interface PcapRecordSpec {
  timestampSec: number;
  /** Nanoseconds within the second (truncated to microseconds unless `nanosecond`). */
  timestampNsec: number;
  data: Uint8Array;
  /** Default `data.length`. */
  originalLength?: number;
}

/** Returns a complete classic pcap file. */
export function writePcap(file: PcapFileSpec, records: readonly PcapRecordSpec[]): Uint8Array {
  const le = file.littleEndian ?? true;
  const parts: Uint8Array[] = [];
  const header = Buffer.alloc(24);
  const u32 = (buffer: Buffer, offset: number, value: number): void => {
    if (le) buffer.writeUInt32LE(value >>> 0, offset);
    else buffer.writeUInt32BE(value >>> 0, offset);
  };
  u32(header, 0, file.nanosecond === true ? 0xa1b23c4d : 0xa1b2c3d4);
  if (le) {
    header.writeUInt16LE(2, 4);
    header.writeUInt16LE(4, 6);
  } else {
    header.writeUInt16BE(2, 4);
    header.writeUInt16BE(4, 6);
  }
  u32(header, 16, file.snapLength ?? 262144);
  u32(header, 20, file.linkType);
  parts.push(header);
  for (const record of records) {
    const head = Buffer.alloc(16);
    u32(head, 0, record.timestampSec);
    u32(head, 4, file.nanosecond === true ? record.timestampNsec : Math.floor(record.timestampNsec / 1000));
    u32(head, 8, record.data.length);
    u32(head, 12, record.originalLength ?? record.data.length);
    parts.push(head, record.data);
  }
  return Buffer.concat(parts);
}
