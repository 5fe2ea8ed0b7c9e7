/**
 * pcapng (https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcapng/): both byte orders, multiple
 * sections, per-interface link types and `if_tsresol`/`if_tsoffset`, Enhanced, Simple and obsolete
 * Packet Blocks. Other blocks (name resolution, statistics, custom, unknown) are skipped.
 */
import { readI64, readU16 as importedReadU16, readU32 as importedReadU32 } from './byteOrder';
import type { CaptureDirection } from '../packet/decodedPacket';
import {
  CapturedPacket as ImportedCapturedPacket,
  type CaptureInterface,
  type CaptureProblemCode,
} from './capturePacket';
import { MAX_RECORD_BYTES, type CaptureSink, type FormatParser } from './captureSink';
import { parseInterfaceName } from './interfaceName';
import { optionText, PcapngOption as PcapngOptions, walkOptions } from './pcapngOptions';
import { splitTimestampInto as importedSplitTimestampInto, type SplitTimestamp } from './timestamp';

// Imports bound once to module constants: CommonJS output of esbuild/tsx turns each use of an
// import into a getter call, which costs measurably on a per-packet path.
const readU16 = importedReadU16;
const readU32 = importedReadU32;
const PcapngOption = PcapngOptions;
const splitTimestampInto = importedSplitTimestampInto;
const CapturedPacket = ImportedCapturedPacket;

/** pcapng block types. */
export const BlockType = {
  SECTION_HEADER: 0x0a0d0d0a,
  INTERFACE_DESCRIPTION: 0x00000001,
  PACKET_OBSOLETE: 0x00000002,
  SIMPLE_PACKET: 0x00000003,
  ENHANCED_PACKET: 0x00000006,
} as const;

const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const DIRECTIONS: readonly CaptureDirection[] = ['unknown', 'inbound', 'outbound', 'unknown'];

/** Parses a pcapng stream one block per call. */
export class PcapngParser implements FormatParser {
  private littleEndian = true;
  private section = -1;
  private interfaces: CaptureInterface[] = [];
  private readonly timestamp: SplitTimestamp = { sec: 0, nsec: 0 };

  parse(bytes: Uint8Array, offset: number, baseOffset: number, final: boolean, sink: CaptureSink): number {
    const available = bytes.length - offset;
    const at = baseOffset + offset;
    if (available < 12) {
      if (final && available > 0)
        this.problem(
          sink,
          'CAPTURE_TRUNCATED',
          at,
          `block header is cut short: ${available} of 12 bytes`,
          true,
        );
      return 0;
    }
    let type = readU32(bytes, offset, this.littleEndian);
    if (type === BlockType.SECTION_HEADER) {
      const magic = readU32(bytes, offset + 8, true);
      if (magic === BYTE_ORDER_MAGIC) this.littleEndian = true;
      else if (magic === 0x4d3c2b1a) this.littleEndian = false;
      else
        return this.problem(
          sink,
          'CAPTURE_BLOCK_MALFORMED',
          at,
          `section header has bad byte-order magic 0x${magic.toString(16)}`,
          true,
        );
      type = BlockType.SECTION_HEADER;
    } else if (this.section < 0) {
      return this.problem(
        sink,
        'CAPTURE_BLOCK_MALFORMED',
        at,
        'the capture does not start with a section header block',
        true,
      );
    }
    const le = this.littleEndian;
    const length = readU32(bytes, offset + 4, le);
    if (length < 12 || length % 4 !== 0 || length > MAX_RECORD_BYTES) {
      return this.problem(
        sink,
        'CAPTURE_BLOCK_MALFORMED',
        at,
        `block type 0x${type.toString(16)} has invalid total length ${length}; the block framing is lost`,
        true,
      );
    }
    if (available < length) {
      if (final)
        this.problem(
          sink,
          'CAPTURE_TRUNCATED',
          at,
          `block type 0x${type.toString(16)} is cut short: ${available} of ${length} bytes`,
          true,
        );
      return 0;
    }
    const trailer = readU32(bytes, offset + length - 4, le);
    if (trailer !== length) {
      return this.problem(
        sink,
        'CAPTURE_BLOCK_MALFORMED',
        at,
        `block type 0x${type.toString(16)} has total length ${length} but trailing length ${trailer}`,
        true,
      );
    }
    const bodyStart = offset + 8;
    const bodyEnd = offset + length - 4;
    switch (type) {
      case BlockType.SECTION_HEADER:
        this.section++;
        this.interfaces = [];
        break;
      case BlockType.INTERFACE_DESCRIPTION:
        this.interfaceBlock(bytes, bodyStart, bodyEnd, at, sink);
        break;
      case BlockType.ENHANCED_PACKET:
        this.enhancedPacket(bytes, bodyStart, bodyEnd, at, sink, false);
        break;
      case BlockType.PACKET_OBSOLETE:
        this.enhancedPacket(bytes, bodyStart, bodyEnd, at, sink, true);
        break;
      case BlockType.SIMPLE_PACKET:
        this.simplePacket(bytes, bodyStart, bodyEnd, at, sink);
        break;
      default:
        break;
    }
    return length;
  }

  private interfaceBlock(bytes: Uint8Array, start: number, end: number, at: number, sink: CaptureSink): void {
    if (end - start < 8) {
      this.problem(
        sink,
        'CAPTURE_BLOCK_MALFORMED',
        at,
        `interface description block body is ${end - start} bytes, below 8`,
        false,
      );
      return;
    }
    const le = this.littleEndian;
    const iface: CaptureInterface = {
      index: this.interfaces.length,
      section: this.section,
      linkType: readU16(bytes, start, le),
      snapLength: readU32(bytes, start + 4, le),
      tsResolution: 6,
      tsOffsetSec: 0,
      // Every property present from the start keeps one hidden class for all interfaces.
      name: undefined,
      description: undefined,
      tracePoint: undefined,
      ifName: undefined,
    };
    const error = walkOptions(bytes, start + 8, end, le, (code, value, valueLength) => {
      if (code === PcapngOption.IF_NAME) iface.name = optionText(bytes, value, valueLength);
      else if (code === PcapngOption.IF_DESCRIPTION)
        iface.description = optionText(bytes, value, valueLength);
      else if (code === PcapngOption.IF_TSRESOL && valueLength >= 1) iface.tsResolution = bytes[value]!;
      else if (code === PcapngOption.IF_TSOFFSET && valueLength >= 8)
        iface.tsOffsetSec = readI64(bytes, value, le);
    });
    if (error !== undefined)
      this.problem(
        sink,
        'CAPTURE_BLOCK_MALFORMED',
        at,
        `interface ${iface.index}: ${error}; options after it ignored`,
        false,
      );
    const parsed = parseInterfaceName(iface.name);
    if (parsed !== undefined) {
      iface.tracePoint = parsed.tracePoint;
      iface.ifName = parsed.ifName;
    }
    this.interfaces.push(iface);
    sink.onInterface(iface);
  }

  private enhancedPacket(
    bytes: Uint8Array,
    start: number,
    end: number,
    at: number,
    sink: CaptureSink,
    obsolete: boolean,
  ): void {
    const le = this.littleEndian;
    const what = obsolete ? 'packet block' : 'enhanced packet block';
    if (end - start < 20) {
      this.problem(
        sink,
        'CAPTURE_BLOCK_MALFORMED',
        at,
        `${what} body is ${end - start} bytes, below 20`,
        false,
      );
      return;
    }
    const interfaceId = obsolete ? readU16(bytes, start, le) : readU32(bytes, start, le);
    const iface = this.interfaces[interfaceId];
    if (iface === undefined) {
      this.problem(
        sink,
        'CAPTURE_BLOCK_MALFORMED',
        at,
        `${what} names interface ${interfaceId}, but section ${this.section} has ${this.interfaces.length}`,
        false,
      );
      return;
    }
    const capturedLength = readU32(bytes, start + 12, le);
    const dataStart = start + 20;
    if (dataStart + capturedLength > end) {
      this.problem(
        sink,
        'CAPTURE_BLOCK_MALFORMED',
        at,
        `${what} captured length ${capturedLength} exceeds the ${end - dataStart} bytes of the block`,
        false,
      );
      return;
    }
    const ts = splitTimestampInto(
      readU32(bytes, start + 4, le),
      readU32(bytes, start + 8, le),
      iface.tsResolution,
      iface.tsOffsetSec,
      this.timestamp,
    );
    let direction: CaptureDirection = 'unknown';
    let comments: string[] | undefined;
    const optionsStart = dataStart + ((capturedLength + 3) & ~3);
    // Options are walked inline (no closure): this runs once per packet.
    for (let at = optionsStart; at + 4 <= end;) {
      const code = readU16(bytes, at, le);
      const valueLength = readU16(bytes, at + 2, le);
      const value = at + 4;
      if (code === PcapngOption.END || value + valueLength > end) break;
      if (code === PcapngOption.EPB_FLAGS && valueLength >= 4)
        direction = DIRECTIONS[readU32(bytes, value, le) & 3]!;
      else if (code === PcapngOption.COMMENT) (comments ??= []).push(optionText(bytes, value, valueLength));
      at = value + ((valueLength + 3) & ~3);
    }
    sink.onPacket(
      new CapturedPacket(
        ++sink.frames,
        iface,
        ts.sec,
        ts.nsec,
        true,
        readU32(bytes, start + 16, le),
        bytes.subarray(dataStart, dataStart + capturedLength),
        direction,
        at,
        comments,
      ),
    );
  }

  private simplePacket(bytes: Uint8Array, start: number, end: number, at: number, sink: CaptureSink): void {
    const iface = this.interfaces[0];
    if (iface === undefined || end - start < 4) {
      this.problem(
        sink,
        'CAPTURE_BLOCK_MALFORMED',
        at,
        iface === undefined
          ? 'simple packet block before any interface description block'
          : 'simple packet block has no length field',
        false,
      );
      return;
    }
    const originalLength = readU32(bytes, start, this.littleEndian);
    let capturedLength = Math.min(originalLength, end - start - 4);
    if (iface.snapLength > 0) capturedLength = Math.min(capturedLength, iface.snapLength);
    sink.onPacket(
      new CapturedPacket(
        ++sink.frames,
        iface,
        0,
        0,
        false,
        originalLength,
        bytes.subarray(start + 4, start + 4 + capturedLength),
        'unknown',
        at,
        undefined,
      ),
    );
  }

  private problem(
    sink: CaptureSink,
    code: CaptureProblemCode,
    at: number,
    detail: string,
    fatal: boolean,
  ): number {
    sink.onProblem({
      code,
      message: `pcapng block at byte ${at} (after frame ${sink.frames}): ${detail}`,
      offset: at,
      frame: sink.frames,
      fatal,
    });
    return -1;
  }
}
