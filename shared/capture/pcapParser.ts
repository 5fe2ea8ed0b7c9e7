/**
 * Classic libpcap files: both byte orders, microsecond (0xa1b2c3d4) and nanosecond (0xa1b23c4d)
 * magic. See https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcap/.
 */
import { readU32 as importedReadU32 } from './byteOrder';
import { CapturedPacket as ImportedCapturedPacket, type CaptureInterface } from './capturePacket';
import { MAX_RECORD_BYTES, type CaptureSink, type FormatParser } from './captureSink';

// Imports bound once to module constants: CommonJS output of esbuild/tsx turns each use of an
// import into a getter call, which costs measurably on a per-packet path.
const readU32 = importedReadU32;
const CapturedPacket = ImportedCapturedPacket;

const FILE_HEADER = 24;
const RECORD_HEADER = 16;

/** How the first four bytes of a classic pcap file read, or undefined when they are not one. */
export function pcapMagic(bytes: Uint8Array): { littleEndian: boolean; nanosecond: boolean } | undefined {
  if (bytes.length < 4) return undefined;
  const be = readU32(bytes, 0, false);
  switch (be) {
    case 0xa1b2c3d4:
      return { littleEndian: false, nanosecond: false };
    case 0xa1b23c4d:
      return { littleEndian: false, nanosecond: true };
    case 0xd4c3b2a1:
      return { littleEndian: true, nanosecond: false };
    case 0x4d3cb2a1:
      return { littleEndian: true, nanosecond: true };
    default:
      return undefined;
  }
}

/** Parses a classic pcap file, header first, then one record per call. */
export class PcapParser implements FormatParser {
  private littleEndian = true;
  private nanosecond = false;
  private iface: CaptureInterface | undefined;

  parse(bytes: Uint8Array, offset: number, baseOffset: number, final: boolean, sink: CaptureSink): number {
    const available = bytes.length - offset;
    const at = baseOffset + offset;
    if (this.iface === undefined) {
      if (available < FILE_HEADER)
        return this.truncated(final, sink, at, 'file header', FILE_HEADER, available);
      const magic = pcapMagic(bytes.subarray(offset, offset + 4));
      if (magic === undefined) {
        sink.onProblem({
          code: 'CAPTURE_UNKNOWN_FORMAT',
          message: `pcap file header at byte ${at}: bad magic`,
          offset: at,
          frame: sink.frames,
          fatal: true,
        });
        return -1;
      }
      this.littleEndian = magic.littleEndian;
      this.nanosecond = magic.nanosecond;
      this.iface = {
        index: 0,
        section: 0,
        // The upper bits of the link-type field carry FCS information (draft-ietf-opsawg-pcap §4).
        linkType: readU32(bytes, offset + 20, this.littleEndian) & 0x0fffffff,
        snapLength: readU32(bytes, offset + 16, this.littleEndian),
        tsResolution: magic.nanosecond ? 9 : 6,
        tsOffsetSec: 0,
        // Same property set as pcapng interfaces: one hidden class for every interface.
        name: undefined,
        description: undefined,
        tracePoint: undefined,
        ifName: undefined,
      };
      sink.onInterface(this.iface);
      return FILE_HEADER;
    }
    if (available < RECORD_HEADER)
      return this.truncated(final, sink, at, 'record header', RECORD_HEADER, available);
    const le = this.littleEndian;
    const capturedLength = readU32(bytes, offset + 8, le);
    if (capturedLength > MAX_RECORD_BYTES) {
      sink.onProblem({
        code: 'CAPTURE_RECORD_MALFORMED',
        message: `pcap record at byte ${at} (frame ${sink.frames + 1}): captured length ${capturedLength} exceeds ${MAX_RECORD_BYTES}; the record framing is lost`,
        offset: at,
        frame: sink.frames,
        fatal: true,
      });
      return -1;
    }
    const total = RECORD_HEADER + capturedLength;
    if (available < total) return this.truncated(final, sink, at, 'record', total, available);
    let sec = readU32(bytes, offset, le);
    let fraction = readU32(bytes, offset + 4, le);
    let nsec = this.nanosecond ? fraction : fraction * 1000;
    if (nsec >= 1e9) {
      fraction = Math.floor(nsec / 1e9);
      sec += fraction;
      nsec -= fraction * 1e9;
    }
    const start = offset + RECORD_HEADER;
    sink.onPacket(
      new CapturedPacket(
        ++sink.frames,
        this.iface,
        sec,
        nsec,
        true,
        readU32(bytes, offset + 12, le),
        bytes.subarray(start, start + capturedLength),
        'unknown',
        at,
        undefined,
      ),
    );
    return total;
  }

  private truncated(
    final: boolean,
    sink: CaptureSink,
    at: number,
    what: string,
    need: number,
    have: number,
  ): number {
    if (!final) return 0;
    if (have === 0 && what === 'record header') return 0;
    sink.onProblem({
      code: 'CAPTURE_TRUNCATED',
      message: `pcap ${what} at byte ${at} (after frame ${sink.frames}) is cut short: ${have} of ${need} bytes`,
      offset: at,
      frame: sink.frames,
      fatal: true,
    });
    return 0;
  }
}
