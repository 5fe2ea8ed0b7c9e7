/**
 * The output of layer 2–4 decoding: one flat object per packet, holding views into the original
 * frame instead of copies so the hot path allocates as little as possible.
 */

/** Where in the Kubernetes data path a packet was observed (docs/trace-configuration.md, docs/wire-format.md). */
export type TracePoint = 'PodToNode' | 'NodeToPod' | 'NodeToNetwork' | 'NetworkToNode';

/** All trace points, in canonical order. */
export const TRACE_POINTS: readonly TracePoint[] = [
  'PodToNode',
  'NodeToPod',
  'NodeToNetwork',
  'NetworkToNode',
];

/** Packet direction from pcapng `epb_flags` bits 0–1. */
export type CaptureDirection = 'inbound' | 'outbound' | 'unknown';

/** The layer at which decoding stopped because the bytes were not what the headers promised. */
export type MalformedLayer = 'link' | 'network' | 'transport';

/** Why a packet could not be fully decoded. Decoding never throws; it returns this instead. */
export interface Malformation {
  layer: MalformedLayer;
  /** Human-readable reason, e.g. `IPv4 header length 4 is below the minimum of 5`. */
  reason: string;
}

/** IP protocol numbers the decoder knows by name. */
export const IpProtocol = {
  ICMP: 1,
  TCP: 6,
  UDP: 17,
  ICMPv6: 58,
  SCTP: 132,
} as const;

/** TCP flag bits as in the TCP header's flags byte (plus NS in bit 8). */
export const TcpFlag = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
  NS: 0x100,
} as const;

/** A decoded packet. Fields are absent when the packet did not carry that layer. */
export interface DecodedPacket {
  /** 1-based frame number within its capture or batch. */
  frame: number;
  /** Timestamp: whole seconds since the epoch. */
  timestampSec: number;
  /** Timestamp: nanoseconds within the second (0–999 999 999). */
  timestampNsec: number;
  /** Capture interface name (pcapng `if_name`), when known. */
  interfaceName?: string;
  /** Observation point parsed from an interface named `<TracePoint>/<ifname>`. */
  tracePoint?: TracePoint;
  direction: CaptureDirection;
  /** Length of the packet on the wire. */
  originalLength: number;
  /** The captured bytes (may be shorter than `originalLength`). */
  data: Uint8Array;
  /** 4 or 6 when an IP header was decoded. */
  ipVersion?: 4 | 6;
  /** Source address bytes (a view into `data`, 4 or 16 bytes). */
  sourceIp?: Uint8Array;
  /** Destination address bytes (a view into `data`, 4 or 16 bytes). */
  destinationIp?: Uint8Array;
  /** Final IP protocol number after skipping IPv6 extension headers. */
  protocol?: number;
  /** IP time-to-live / hop limit. */
  ttl?: number;
  /**
   * True for an IP fragment (any fragment, first included, as Wireshark with reassembly on): its
   * layer 4 is decoded only on the packet a `FragmentReassembler` rebuilds.
   */
  fragment?: boolean;
  sourcePort?: number;
  destinationPort?: number;
  /** TCP flag bits, see {@link TcpFlag}. */
  tcpFlags?: number;
  tcpSeq?: number;
  tcpAck?: number;
  tcpWindow?: number;
  /** TCP timestamp option (RFC 7323) TSval, when present. */
  tcpTsVal?: number;
  /** TCP timestamp option TSecr, when present. */
  tcpTsEcr?: number;
  /** TCP window scale option (RFC 7323) shift count as sent (0–255; receivers cap it at 14), when present. */
  tcpWindowScale?: number;
  /**
   * The TCP analysis conditions of this segment (a `TcpCondition` bit set, 0 for none), set by the
   * pipeline's TCP analyser (not by decoding) before records are assembled.
   */
  tcpAnalysis?: number;
  icmpType?: number;
  icmpCode?: number;
  /** ICMP/ICMPv6 error messages: IP protocol of the quoted packet. */
  icmpInnerProtocol?: number;
  /** ICMP/ICMPv6 error messages: source address of the quoted packet (a view into `data`). */
  icmpInnerSourceIp?: Uint8Array;
  /** ICMP/ICMPv6 error messages: destination address of the quoted packet (a view into `data`). */
  icmpInnerDestinationIp?: Uint8Array;
  /** ICMP/ICMPv6 error messages: source port of the quoted TCP/UDP/SCTP header. */
  icmpInnerSourcePort?: number;
  /** ICMP/ICMPv6 error messages: destination port of the quoted TCP/UDP/SCTP header. */
  icmpInnerDestinationPort?: number;
  /**
   * Layer 4 payload (a view into `data`, or into a reassembled buffer). For a protocol without a
   * decoded layer 4 (e.g. GRE) it is the IP payload; for a fragment, the fragment's data.
   */
  payload?: Uint8Array;
  /** Layer 4 payload length according to the headers (may exceed `payload.length` when truncated). */
  payloadLength?: number;
  /**
   * The first problem found. Decoding stops at a layer whose header is unusable; a lying length
   * field (e.g. an IPv4 total length beyond the frame) is reported here while decoding goes on with
   * the bytes that exist, as Wireshark does.
   */
  malformed?: Malformation;
  /** LINKTYPE_* the frame was decoded with. */
  linkType?: number;
  /** EtherType of the network layer (after VLAN tags), e.g. 0x0800; also set for non-IP frames. */
  etherType?: number;
  /** VLAN id of the outermost 802.1Q/802.1ad tag, when tagged. */
  vlanId?: number;
  /** Number of VLAN tags (QinQ and deeper stacks count each tag). */
  vlanDepth?: number;
  /** IP identification of a fragment (IPv4 16-bit, IPv6 32-bit). */
  fragmentId?: number;
  /** Byte offset of a fragment's data in the original datagram. */
  fragmentOffset?: number;
  /** The fragment's More Fragments flag. */
  moreFragments?: boolean;
  /** Set on a packet rebuilt from fragments that overlapped with different bytes (first fragment's bytes kept). */
  fragmentOverlap?: boolean;
  /** Set on a packet rebuilt from a non-final fragment whose length was not a multiple of 8. */
  fragmentIrregular?: boolean;
  /** Set on a packet rebuilt from fragments: the frame numbers of every fragment, in offset order. */
  reassembledFrames?: number[];
}
