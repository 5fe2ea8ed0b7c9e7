/**
 * What a capture reader produces: interfaces, packets (views into the input, no copies) and
 * problems that name the byte offset and frame number where the input stopped making sense.
 */
import type { CaptureDirection, TracePoint } from '../packet/decodedPacket';

/** The container format, detected from the magic bytes. */
export type CaptureFormat = 'pcap' | 'pcapng';

/** One capture interface: a pcap file's single link, or a pcapng Interface Description Block. */
export interface CaptureInterface {
  /** 0-based index within its pcapng section (always 0 for classic pcap). */
  index: number;
  /** 0-based pcapng section number (0 for classic pcap). */
  section: number;
  /** LINKTYPE_* value, e.g. 1 Ethernet, 113 Linux SLL, 276 SLL2, 101 raw IP. */
  linkType: number;
  /** Snapshot length; 0 means unlimited. */
  snapLength: number;
  /** `if_name`, when present. */
  name?: string;
  /** `if_description`, when present. */
  description?: string;
  /** Trace point parsed from `name` when it reads `<TracePoint>/<ifname>`. */
  tracePoint?: TracePoint;
  /** The `<ifname>` part of such a name. */
  ifName?: string;
  /** Raw `if_tsresol` byte: bit 7 clear → 10^-n seconds, set → 2^-n seconds. Default 6 (µs). */
  tsResolution: number;
  /** `if_tsoffset` in seconds, added to every timestamp. Default 0. */
  tsOffsetSec: number;
}

/** One captured packet. */
export interface CapturePacket {
  /** 1-based packet number in the whole capture (across sections). */
  frame: number;
  /** The interface the packet was captured on. */
  interface: CaptureInterface;
  /** Whole seconds since the epoch (0 when the block carries no timestamp, e.g. a Simple Packet Block). */
  timestampSec: number;
  /** Nanoseconds within the second. */
  timestampNsec: number;
  /** False for Simple Packet Blocks, which carry no timestamp. */
  hasTimestamp: boolean;
  /** Length on the wire. */
  originalLength: number;
  /** Captured bytes: a view into the input buffer. */
  data: Uint8Array;
  /** From `epb_flags` bits 0–1 (pcapng), otherwise `unknown`. */
  direction: CaptureDirection;
  /** Byte offset of the record or block in the (decompressed) capture. */
  offset: number;
  /** `opt_comment` values of the packet's block, when present. */
  comments?: string[];
}

/** Stable codes of capture problems. */
export type CaptureProblemCode =
  | 'CAPTURE_EMPTY'
  | 'CAPTURE_UNKNOWN_FORMAT'
  | 'CAPTURE_TRUNCATED'
  | 'CAPTURE_BLOCK_MALFORMED'
  | 'CAPTURE_RECORD_MALFORMED'
  | 'CAPTURE_GZIP_INVALID'
  | 'CAPTURE_GZIP_TOO_LARGE';

/** Something wrong with the capture bytes. Packets read before it are kept. */
export interface CaptureProblem {
  code: CaptureProblemCode;
  /** Names what was wrong and where, e.g. `pcapng block at byte 1234 (after frame 7): ...`. */
  message: string;
  /** Byte offset in the (decompressed) capture. */
  offset: number;
  /** Number of the last frame read before the problem (0 when none). */
  frame: number;
  /** True when reading stopped here; false when only this block or record was skipped. */
  fatal: boolean;
}

/** One step of an iterating reader. */
export type CaptureEvent =
  | { kind: 'interface'; interface: CaptureInterface }
  | { kind: 'packet'; packet: CapturePacket }
  | { kind: 'problem'; problem: CaptureProblem };

/** Everything read from one capture held in memory. */
export interface CaptureReadResult {
  /** Undefined when the magic bytes matched no known format. */
  format?: CaptureFormat;
  /** True when the input was gzip-compressed. */
  gzip: boolean;
  interfaces: CaptureInterface[];
  packets: CapturePacket[];
  problems: CaptureProblem[];
}
