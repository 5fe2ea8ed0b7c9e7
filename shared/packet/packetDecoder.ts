/**
 * Per-capture (or per-batch) decoding state in one place: layer 2–4 decoding, IP fragment
 * reassembly, and the counts a batch logs once. Unsupported link types are reported once per
 * interface, not once per packet.
 */
import type { CapturedFrame } from './decodePacket';
import { decodePacket } from './decodePacket';
import type { DecodedPacket, MalformedLayer, TracePoint } from './decodedPacket';
import { FragmentReassembler, type ReassemblyLimits } from './fragmentReassembler';
import { isSupportedLinkType } from './linkType';

/** A captured frame with the interface it came from (a capture reader's `CapturePacket` fits). */
export interface InterfaceFrame extends CapturedFrame {
  interface: { linkType: number; name?: string; tracePoint?: TracePoint; index?: number; section?: number };
}

/** Counts for the once-per-batch log line. */
export interface PacketDecoderStats {
  packets: number;
  /** Packets with a `malformed` layer, by layer. */
  malformed: Record<MalformedLayer, number>;
  /** Datagrams waiting for more fragments right now. */
  datagramsPending: number;
  reassembled: number;
  /** Reassembled datagrams whose fragments overlapped with different bytes (first-wins). */
  fragmentOverlaps: number;
  /** Reassembled datagrams with a non-final fragment not a multiple of 8 bytes. */
  fragmentIrregular: number;
  /** Fragments whose datagram was dropped (overlap, limits, short capture). */
  fragmentsDropped: number;
}

/** Decodes frames one by one, reassembling fragments; keep one instance per capture or batch. */
export class PacketDecoder {
  readonly stats: PacketDecoderStats = {
    packets: 0,
    malformed: { link: 0, network: 0, transport: 0 },
    datagramsPending: 0,
    reassembled: 0,
    fragmentOverlaps: 0,
    fragmentIrregular: 0,
    fragmentsDropped: 0,
  };
  /** One line per interface whose link type is not supported, e.g. `interface 2 (wlan0): link type 127 is not supported`. */
  readonly unsupportedInterfaces: string[] = [];
  private readonly reported = new Set<object>();
  private readonly reassembler: FragmentReassembler;

  constructor(limits: ReassemblyLimits = {}) {
    this.reassembler = new FragmentReassembler(limits);
  }

  /**
   * Decodes one frame. Returns the packet to hand on: the decoded frame itself, or for the fragment
   * completing a datagram, the reassembled packet (layer 4 decoded, `reassembledFrames` set).
   * Earlier fragments come back with `fragment: true` and no layer 4.
   */
  decode(frame: InterfaceFrame): DecodedPacket {
    const linkType = frame.interface.linkType;
    const packet = decodePacket(frame, linkType);
    this.stats.packets++;
    if (packet.malformed !== undefined) {
      this.stats.malformed[packet.malformed.layer]++;
      if (!isSupportedLinkType(linkType) && !this.reported.has(frame.interface)) {
        this.reported.add(frame.interface);
        const name = frame.interface.name === undefined ? '' : ` (${frame.interface.name})`;
        this.unsupportedInterfaces.push(
          `interface ${frame.interface.index ?? 0}${name}: link type ${linkType} is not supported`,
        );
      }
    }
    if (packet.fragment !== true) return packet;
    const result = this.reassembler.push(packet);
    switch (result.kind) {
      case 'reassembled':
        this.stats.reassembled++;
        if (result.packet.fragmentOverlap === true) this.stats.fragmentOverlaps++;
        if (result.packet.fragmentIrregular === true) this.stats.fragmentIrregular++;
        this.stats.datagramsPending = this.reassembler.pendingDatagrams;
        return result.packet;
      case 'dropped':
        this.stats.fragmentsDropped++;
        break;
      case 'pending':
      case 'not-fragment':
        break;
    }
    this.stats.datagramsPending = this.reassembler.pendingDatagrams;
    return packet;
  }
}
