/**
 * Writes pcapng: the trace-batch format of docs/wire-format.md (interfaces named `<TracePoint>/<ifname>`,
 * nanosecond `if_tsresol`, `epb_flags` direction) and, for test fixtures, the less common shapes a
 * reader must handle (big-endian, other resolutions, simple and obsolete packet blocks, custom blocks).
 */
import type { CaptureDirection } from '../packet/decodedPacket';
import { BlockType } from './pcapngParser';
import { PcapngOption } from './pcapngOptions';

/** Section options. */
export interface PcapngSectionOptions {
  /** `shb_userappl`, e.g. `retina-agent 1.2.3`. */
  userApplication?: string;
  /** `shb_hardware`. */
  hardware?: string;
  /** `shb_os`. */
  os?: string;
  /** `opt_comment` values. */
  comments?: string[];
  /** Custom UTF-8 options (code 2988) with their Private Enterprise Number. */
  customOptions?: { pen: number; value: string }[];
}

/** An interface to describe. */
export interface PcapngInterfaceSpec {
  /** LINKTYPE_* value. */
  linkType: number;
  /** `if_name`, e.g. `NodeToPod/eth0`. */
  name?: string;
  /** `if_description`. */
  description?: string;
  /** Snapshot length; default 0 (unlimited). */
  snapLength?: number;
  /** Raw `if_tsresol` byte; default 9 (nanoseconds). */
  tsResolution?: number;
  /** `if_tsoffset` in seconds; omitted when 0. */
  tsOffsetSec?: number;
}

/** A packet to write. */
export interface PcapngPacketSpec {
  /** Index returned by {@link PcapngWriter.addInterface} in the current section. */
  interfaceIndex: number;
  /** Seconds since the epoch (before `if_tsoffset`). */
  timestampSec: number;
  /** Nanoseconds within the second. */
  timestampNsec: number;
  data: Uint8Array;
  /** Length on the wire; default `data.length`. */
  originalLength?: number;
  /** Written as `epb_flags` bits 0–1 unless `unknown`/absent. */
  direction?: CaptureDirection;
  /** `opt_comment`. */
  comment?: string;
  /** Further `opt_comment` values, written after `comment`. */
  comments?: string[];
  /** Block kind; default `enhanced`. */
  block?: 'enhanced' | 'simple' | 'obsolete';
}

const utf8 = new TextEncoder();

/** Builds a pcapng capture block by block; {@link PcapngWriter.toBytes} returns the file. */
export class PcapngWriter {
  private readonly chunks: Uint8Array[] = [];
  private readonly resolutions: number[] = [];
  private length = 0;

  /** @param littleEndian - byte order of every block (default true) */
  constructor(
    section: PcapngSectionOptions = {},
    private readonly littleEndian = true,
  ) {
    this.addSection(section);
  }

  /** Starts a new section; interface indexes restart at 0. */
  addSection(section: PcapngSectionOptions = {}): void {
    this.resolutions.length = 0;
    const options = new OptionList(this.littleEndian);
    for (const comment of section.comments ?? []) options.text(PcapngOption.COMMENT, comment);
    if (section.hardware !== undefined) options.text(PcapngOption.SHB_HARDWARE, section.hardware);
    if (section.os !== undefined) options.text(PcapngOption.SHB_OS, section.os);
    if (section.userApplication !== undefined)
      options.text(PcapngOption.SHB_USERAPPL, section.userApplication);
    for (const custom of section.customOptions ?? []) options.custom(custom.pen, custom.value);
    const body = Buffer.alloc(16);
    this.u32(body, 0, 0x1a2b3c4d);
    this.u16(body, 4, 1);
    this.u16(body, 6, 0);
    body.writeInt32LE(-1, 8);
    body.writeInt32LE(-1, 12);
    this.block(BlockType.SECTION_HEADER, [body, options.finish()]);
  }

  /** Adds an Interface Description Block; returns its index in the current section. */
  addInterface(spec: PcapngInterfaceSpec): number {
    const resolution = spec.tsResolution ?? 9;
    const options = new OptionList(this.littleEndian);
    if (spec.name !== undefined) options.text(PcapngOption.IF_NAME, spec.name);
    if (spec.description !== undefined) options.text(PcapngOption.IF_DESCRIPTION, spec.description);
    options.raw(PcapngOption.IF_TSRESOL, Uint8Array.of(resolution));
    if (spec.tsOffsetSec !== undefined && spec.tsOffsetSec !== 0) {
      const value = Buffer.alloc(8);
      if (this.littleEndian) value.writeBigInt64LE(BigInt(spec.tsOffsetSec));
      else value.writeBigInt64BE(BigInt(spec.tsOffsetSec));
      options.raw(PcapngOption.IF_TSOFFSET, value);
    }
    const body = Buffer.alloc(8);
    this.u16(body, 0, spec.linkType);
    this.u32(body, 4, spec.snapLength ?? 0);
    this.block(BlockType.INTERFACE_DESCRIPTION, [body, options.finish()]);
    this.resolutions.push(resolution);
    return this.resolutions.length - 1;
  }

  /** Adds a packet as an Enhanced (default), Simple or obsolete Packet Block. */
  addPacket(packet: PcapngPacketSpec): void {
    const data = packet.data;
    const originalLength = packet.originalLength ?? data.length;
    const padding = new Uint8Array((4 - (data.length % 4)) % 4);
    if (packet.block === 'simple') {
      const head = Buffer.alloc(4);
      this.u32(head, 0, originalLength);
      this.block(BlockType.SIMPLE_PACKET, [head, data, padding]);
      return;
    }
    const units = this.units(packet);
    const options = new OptionList(this.littleEndian);
    const flags = packet.direction === 'inbound' ? 1 : packet.direction === 'outbound' ? 2 : 0;
    if (flags !== 0) {
      const value = Buffer.alloc(4);
      this.u32(value, 0, flags);
      options.raw(PcapngOption.EPB_FLAGS, value);
    }
    if (packet.comment !== undefined) options.text(PcapngOption.COMMENT, packet.comment);
    for (const comment of packet.comments ?? []) options.text(PcapngOption.COMMENT, comment);
    const head = Buffer.alloc(20);
    if (packet.block === 'obsolete') {
      this.u16(head, 0, packet.interfaceIndex);
      this.u16(head, 2, 0);
    } else {
      this.u32(head, 0, packet.interfaceIndex);
    }
    this.u32(head, 4, Number(units >> 32n));
    this.u32(head, 8, Number(units & 0xffffffffn));
    this.u32(head, 12, data.length);
    this.u32(head, 16, originalLength);
    const type = packet.block === 'obsolete' ? BlockType.PACKET_OBSOLETE : BlockType.ENHANCED_PACKET;
    this.block(type, [head, data, padding, options.finish()]);
  }

  /** Adds an arbitrary block (custom 0x00000BAD/0x40000BAD, unknown types) for readers to skip. */
  addRawBlock(type: number, body: Uint8Array): void {
    this.block(type, [body, new Uint8Array((4 - (body.length % 4)) % 4)]);
  }

  /** Bytes written so far: the offset the next block will start at. */
  get byteLength(): number {
    return this.length;
  }

  /** The capture written so far, as one buffer. */
  toBytes(): Uint8Array {
    return Buffer.concat(this.chunks);
  }

  private units(packet: PcapngPacketSpec): bigint {
    const resolution = this.resolutions[packet.interfaceIndex] ?? 9;
    const ns = BigInt(packet.timestampSec) * 1_000_000_000n + BigInt(packet.timestampNsec);
    const exponent = BigInt(resolution & 0x7f);
    if ((resolution & 0x80) !== 0) return (ns << exponent) / 1_000_000_000n;
    return exponent >= 9n ? ns * 10n ** (exponent - 9n) : ns / 10n ** (9n - exponent);
  }

  private block(type: number, parts: Uint8Array[]): void {
    const bodyLength = parts.reduce((sum, part) => sum + part.length, 0);
    const length = 12 + bodyLength;
    const head = Buffer.alloc(8);
    this.u32(head, 0, type);
    this.u32(head, 4, length);
    const tail = Buffer.alloc(4);
    this.u32(tail, 0, length);
    this.chunks.push(head, ...parts, tail);
    this.length += length;
  }

  private u16(buffer: Buffer, offset: number, value: number): void {
    if (this.littleEndian) buffer.writeUInt16LE(value, offset);
    else buffer.writeUInt16BE(value, offset);
  }

  private u32(buffer: Buffer, offset: number, value: number): void {
    if (this.littleEndian) buffer.writeUInt32LE(value >>> 0, offset);
    else buffer.writeUInt32BE(value >>> 0, offset);
  }
}

/** An option list under construction. */
class OptionList {
  private readonly parts: Uint8Array[] = [];

  constructor(private readonly littleEndian: boolean) {}

  text(code: number, value: string): void {
    this.raw(code, utf8.encode(value));
  }

  custom(pen: number, value: string): void {
    const text = utf8.encode(value);
    const body = Buffer.alloc(4 + text.length);
    if (this.littleEndian) body.writeUInt32LE(pen);
    else body.writeUInt32BE(pen);
    body.set(text, 4);
    this.raw(PcapngOption.CUSTOM_UTF8, body);
  }

  raw(code: number, value: Uint8Array): void {
    const head = Buffer.alloc(4);
    if (this.littleEndian) {
      head.writeUInt16LE(code, 0);
      head.writeUInt16LE(value.length, 2);
    } else {
      head.writeUInt16BE(code, 0);
      head.writeUInt16BE(value.length, 2);
    }
    this.parts.push(head, value, new Uint8Array((4 - (value.length % 4)) % 4));
  }

  finish(): Uint8Array {
    if (this.parts.length === 0) return new Uint8Array(0);
    this.parts.push(new Uint8Array(4));
    return Buffer.concat(this.parts);
  }
}
