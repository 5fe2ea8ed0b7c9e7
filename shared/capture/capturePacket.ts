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

/**
 * The one concrete shape every reader allocates for {@link CapturePacket}. A class rather than an
 * object literal: V8 tracks survival per literal allocation site and, once a consumer keeps
 * packets (as `readCapture` does), pretenures the site, so every later packet from it — kept or
 * not — is allocated in old space and only freed by a full mark-compact. `new` has no such site.
 */
export class CapturedPacket implements CapturePacket {
  // `declare`: assigned in the constructor, in this order, so every instance has one hidden class.
  declare frame: number;
  declare interface: CaptureInterface;
  declare timestampSec: number;
  declare timestampNsec: number;
  declare hasTimestamp: boolean;
  declare originalLength: number;
  declare data: Uint8Array;
  declare direction: CaptureDirection;
  declare offset: number;
  declare comments: string[] | undefined;

  constructor(
    frame: number,
    iface: CaptureInterface,
    timestampSec: number,
    timestampNsec: number,
    hasTimestamp: boolean,
    originalLength: number,
    data: Uint8Array,
    direction: CaptureDirection,
    offset: number,
    comments: string[] | undefined,
  ) {
    this.frame = frame;
    this.interface = iface;
    this.timestampSec = timestampSec;
    this.timestampNsec = timestampNsec;
    this.hasTimestamp = hasTimestamp;
    this.originalLength = originalLength;
    this.data = data;
    this.direction = direction;
    this.offset = offset;
    this.comments = comments;
  }
}
