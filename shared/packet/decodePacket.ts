/**
 * Layers 2–4 of one captured frame in one call: never throws, allocates one object per packet plus
 * views into the frame.
 */
import type { CaptureDirection, DecodedPacket, TracePoint } from './decodedPacket';
import { decodeIpv4Header as importedDecodeIpv4Header } from './ipv4';
import { decodeIpv6Header as importedDecodeIpv6Header } from './ipv6';
import { decodeLinkLayer as importedDecodeLinkLayer } from './linkLayer';
import { EtherType as EtherTypes } from './linkType';
import {
  decodeTransport as importedDecodeTransport,
  hasTransportDecoder as importedHasTransportDecoder,
} from './transport';

// Imports bound once to module constants: CommonJS output of esbuild/tsx turns each use of an
// import into a getter call, which costs measurably on a per-packet path.
const decodeIpv4Header = importedDecodeIpv4Header;
const decodeIpv6Header = importedDecodeIpv6Header;
const decodeLinkLayer = importedDecodeLinkLayer;
const EtherType = EtherTypes;
const decodeTransport = importedDecodeTransport;
const hasTransportDecoder = importedHasTransportDecoder;

/** What the decoder needs from a captured frame; a capture reader's `CapturePacket` fits. */
export interface CapturedFrame {
  /** 1-based frame number. */
  frame: number;
  timestampSec: number;
  timestampNsec: number;
  /** Length on the wire. */
  originalLength: number;
  /** Captured bytes. */
  data: Uint8Array;
  direction?: CaptureDirection;
  /** The capture interface, when known (its `name` and parsed `tracePoint` are copied). */
  interface?: { name?: string; tracePoint?: TracePoint };
}

/**
 * Decodes `captured` as a frame of `linkType`. Problems are reported in `malformed`, never thrown.
 * IP fragments are flagged (`fragment`) with their layer 4 left to a `FragmentReassembler`.
 */
export function decodePacket(captured: CapturedFrame, linkType: number): DecodedPacket {
  const data = captured.data;
  const out: DecodedPacket = {
    frame: captured.frame,
    timestampSec: captured.timestampSec,
    timestampNsec: captured.timestampNsec,
    interfaceName: captured.interface?.name,
    tracePoint: captured.interface?.tracePoint,
    direction: captured.direction ?? 'unknown',
    originalLength: captured.originalLength,
    data,
    linkType,
    etherType: undefined,
    vlanId: undefined,
    vlanDepth: undefined,
    ipVersion: undefined,
    sourceIp: undefined,
    destinationIp: undefined,
    protocol: undefined,
    ttl: undefined,
    fragment: undefined,
    fragmentId: undefined,
    fragmentOffset: undefined,
    moreFragments: undefined,
    sourcePort: undefined,
    destinationPort: undefined,
    tcpFlags: undefined,
    tcpSeq: undefined,
    tcpAck: undefined,
    tcpWindow: undefined,
    tcpTsVal: undefined,
    tcpTsEcr: undefined,
    tcpWindowScale: undefined,
    tcpAnalysis: undefined,
    icmpType: undefined,
    icmpCode: undefined,
    payload: undefined,
    payloadLength: undefined,
    malformed: undefined,
  };
  const offset = decodeLinkLayer(out, data, linkType);
  if (offset < 0) return out;
  // Bytes from the network header to the end of the frame on the wire (not just as captured).
  const wireLength = Math.max(captured.originalLength, data.length) - offset;
  let start: number;
  if (out.etherType === EtherType.IPV4) start = decodeIpv4Header(out, data, offset, wireLength);
  else if (out.etherType === EtherType.IPV6) start = decodeIpv6Header(out, data, offset, wireLength);
  else return out;
  if (start < 0) return out;
  const declaredEnd = start + out.payloadLength!;
  const end = Math.min(declaredEnd, data.length);
  // The IP payload view is made only when it is the packet's payload: layer 4 makes its own.
  if (out.fragment === true || !hasTransportDecoder(out.protocol!)) {
    out.payload = data.subarray(start, end);
    return out;
  }
  decodeTransport(out, data, start, end, declaredEnd, out.protocol!);
  return out;
}
