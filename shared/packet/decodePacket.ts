/**
 * Layers 2–4 of one captured frame in one call: never throws, allocates one object per packet plus
 * views into the frame.
 */
import type { CaptureDirection, DecodedPacket, TracePoint } from './decodedPacket';
import { decodeIpv4 as importedDecodeIpv4 } from './ipv4';
import { decodeIpv6 as importedDecodeIpv6 } from './ipv6';
import { decodeLinkLayer as importedDecodeLinkLayer } from './linkLayer';
import { EtherType as EtherTypes } from './linkType';
import { decodeTransport as importedDecodeTransport } from './transport';

// Imports bound once to module constants: CommonJS output of esbuild/tsx turns each use of an
// import into a getter call, which costs measurably on a per-packet path.
const decodeIpv4 = importedDecodeIpv4;
const decodeIpv6 = importedDecodeIpv6;
const decodeLinkLayer = importedDecodeLinkLayer;
const EtherType = EtherTypes;
const decodeTransport = importedDecodeTransport;

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
  let end: number;
  if (out.etherType === EtherType.IPV4) end = decodeIpv4(out, data, offset, wireLength);
  else if (out.etherType === EtherType.IPV6) end = decodeIpv6(out, data, offset, wireLength);
  else return out;
  if (end < 0 || out.fragment === true || out.payload === undefined) return out;
  const start = out.payload.byteOffset - data.byteOffset;
  decodeTransport(out, data, start, end, start + out.payloadLength!, out.protocol!);
  return out;
}
