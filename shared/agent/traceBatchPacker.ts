/**
 * Packs captured packets into trace batches as agents publish them (docs/wire-format.md): one pcapng
 * section per event, interfaces named `<TracePoint>/<ifname>`, nanosecond timestamps, gzip, at
 * most `maxEventBytes` per event after compression. Batches are cut by raw size, then split in
 * half until each compresses under the limit, so no packet is ever dropped for size unless a
 * single packet alone exceeds it.
 */
import { gzipSync } from 'node:zlib';
import type { CapturePacket } from '../capture/capturePacket';
import { PcapngWriter } from '../capture/pcapngWriter';
import type { TracePoint } from '../packet/decodedPacket';
import { TRACE_BATCH_SCHEMA } from '../pipeline/traceEvent';

/** Options of {@link TraceBatchPacker}. */
export interface TraceBatchPackerOptions {
  cluster: string;
  node: string;
  /** Largest event body after compression, in bytes. Default 1 000 000 (Event Hubs Standard allows 1 MB). */
  maxEventBytes?: number;
  /** Raw pcapng bytes collected before a batch is cut. Default 3 MiB. */
  targetRawBytes?: number;
  /** Trace point for packets whose interface names none. */
  defaultTracePoint?: TracePoint;
  /** Optional `trace-configuration` hint property. */
  configurationHint?: string;
}

/** One event ready to publish. */
export interface TraceBatchEvent {
  body: Buffer;
  properties: Record<string, string>;
  packets: number;
  /** Uncompressed pcapng size. */
  rawBytes: number;
}

/** A packet that could not be packed even alone. */
export interface OversizedPacket {
  frame: number;
  compressedBytes: number;
}

const PCAPNG_OVERHEAD_PER_PACKET = 32;

/** Collects packets and cuts them into trace-batch events. */
export class TraceBatchPacker {
  private pending: CapturePacket[] = [];
  private pendingBytes = 0;
  /** Packets dropped because one alone was larger than the event limit. */
  readonly oversized: OversizedPacket[] = [];
  private readonly maxEventBytes: number;
  private readonly targetRawBytes: number;

  constructor(private readonly options: TraceBatchPackerOptions) {
    this.maxEventBytes = options.maxEventBytes ?? 1_000_000;
    this.targetRawBytes = options.targetRawBytes ?? 3 * 1024 * 1024;
  }

  /** Adds a packet; returns the events completed by it (usually none). */
  add(packet: CapturePacket): TraceBatchEvent[] {
    this.pending.push(packet);
    this.pendingBytes += packet.data.length + PCAPNG_OVERHEAD_PER_PACKET;
    return this.pendingBytes >= this.targetRawBytes ? this.flush() : [];
  }

  /** Cuts whatever is pending into events. */
  flush(): TraceBatchEvent[] {
    const packets = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    return packets.length === 0 ? [] : this.encode(packets);
  }

  private encode(packets: CapturePacket[]): TraceBatchEvent[] {
    const raw = this.pcapng(packets);
    const body = gzipSync(raw);
    if (body.length <= this.maxEventBytes) {
      return [{ body, properties: this.properties(), packets: packets.length, rawBytes: raw.length }];
    }
    if (packets.length === 1) {
      this.oversized.push({ frame: packets[0]!.frame, compressedBytes: body.length });
      return [];
    }
    const half = Math.ceil(packets.length / 2);
    return [...this.encode(packets.slice(0, half)), ...this.encode(packets.slice(half))];
  }

  private properties(): Record<string, string> {
    const properties: Record<string, string> = {
      'trace-schema': TRACE_BATCH_SCHEMA,
      cluster: this.options.cluster,
      node: this.options.node,
      'content-encoding': 'gzip',
    };
    if (this.options.configurationHint !== undefined) properties['trace-configuration'] = this.options.configurationHint;
    return properties;
  }

  private pcapng(packets: CapturePacket[]): Uint8Array {
    const writer = new PcapngWriter({ userApplication: 'tracectl replay' });
    const interfaces = new Map<string, number>();
    for (const packet of packets) {
      const source = packet.interface;
      const tracePoint = source.tracePoint ?? this.options.defaultTracePoint;
      const ifName = source.ifName ?? source.name ?? `if${source.index}`;
      const name = tracePoint === undefined ? (source.name ?? ifName) : `${tracePoint}/${ifName}`;
      const key = `${name}\u0000${source.linkType}`;
      let index = interfaces.get(key);
      if (index === undefined) {
        index = writer.addInterface({ linkType: source.linkType, name, snapLength: source.snapLength, tsResolution: 9 });
        interfaces.set(key, index);
      }
      writer.addPacket({
        interfaceIndex: index,
        timestampSec: packet.timestampSec,
        timestampNsec: packet.timestampNsec,
        data: packet.data,
        originalLength: packet.originalLength,
        direction: packet.direction,
      });
    }
    return writer.toBytes();
  }
}
