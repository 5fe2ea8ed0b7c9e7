/**
 * One flow of a FlowSummary table: who initiated it, what was counted in the current record's
 * interval, and the TCP state. A class with numeric fields: one allocation per flow, none per
 * packet (the history string grows only when a direction shows a letter for the first time).
 */
import type { Endpoint } from '../enrich/identity';
import type { ConfigurationMatch } from '../match/configurationMatcher';
import { IpProtocol, type DecodedPacket, type TracePoint } from '../packet/decodedPacket';
import type { TrafficDirection } from '../record/trafficDirection';
import {
  appendHistory,
  historyBits,
  nextTcpStates,
  TcpEndpoint,
  type TcpEndpointState,
} from './tcpConnState';
import type { TcpPacketAnalysis } from '../tcp/tcpAnalyzer';
import { ANY_RETRANSMISSION, TcpCondition } from '../tcp/tcpCondition';
import { addRttSample, RTT_SAMPLE_SIZE } from './rttSample';

/** Why a flow record was written (`interval`: the flow goes on in the next record). */
export type FlowEndReason = 'fin' | 'rst' | 'idle' | 'interval' | 'shutdown';

/** What a flow was opened with: the packet and where it was seen. */
export interface FlowOpening {
  match: ConfigurationMatch;
  cluster: string;
  node: string;
  /** Map key of the flow (the normalised 5-tuple, see `flowMapKey`). */
  key: string;
  /** True when the packet's receiver is the initiator (e.g. a SYN-ACK seen first). */
  flipped: boolean;
  /** Enrichment of the packet's source and destination (swapped here when `flipped`). */
  source: Endpoint | undefined;
  destination: Endpoint | undefined;
  trafficDirection: TrafficDirection | undefined;
  flowId: string;
  communityId: string | undefined;
}

/** A flow in a FlowSummary table. */
export class FlowEntry {
  readonly match: ConfigurationMatch;
  readonly cluster: string;
  readonly node: string;
  readonly key: string;
  readonly tracePoint: TracePoint | undefined;
  readonly trafficDirection: TrafficDirection | undefined;
  readonly ipVersion: 4 | 6;
  readonly protocol: number;
  /** Initiator address (a copy: the packet's bytes belong to its batch). */
  readonly sourceIp: Uint8Array;
  readonly destinationIp: Uint8Array;
  /** Initiator port (0 without ports). */
  readonly sourcePort: number;
  readonly destinationPort: number;
  readonly hasPorts: boolean;
  /** Both ends share one address (loopback): only the ports tell the sides apart. */
  private readonly oneAddress: boolean;
  /** The protocol as the map key counts it (see `flowMapKey`: 0xffff when the packet had none). */
  private readonly keyProtocol: number;
  readonly source: Endpoint | undefined;
  readonly destination: Endpoint | undefined;
  readonly flowId: string;
  readonly communityId: string | undefined;
  /** ICMP type and code of the flow's first packet. */
  readonly icmpType: number | undefined;
  readonly icmpCode: number | undefined;

  /** First and last packet of the current record (seconds and nanoseconds). */
  startSec = 0;
  startNsec = 0;
  endSec = 0;
  endNsec = 0;
  /** Packet time (ms) where the current record's interval began, and of the newest packet. */
  intervalStartMs = 0;
  lastSeenMs = 0;
  /** Packet time (ms) of the last move to the young end of its table. */
  refreshedMs = 0;
  packetsFromSource = 0;
  packetsFromDestination = 0;
  bytesFromSource = 0;
  bytesFromDestination = 0;
  payloadFromSource = 0;
  payloadFromDestination = 0;
  l7Messages = 0;
  /** Payload bytes over the whole flow (every record), for Zeek's REJ rule. */
  totalPayload = 0;
  sourceState: TcpEndpointState = TcpEndpoint.INACTIVE;
  destinationState: TcpEndpointState = TcpEndpoint.INACTIVE;
  /** History letter bits seen per direction (see `historyBits`). */
  sourceSeen = 0;
  destinationSeen = 0;
  history = '';
  /** Set once both sides sent a FIN (`fin`) or either sent a RST (`rst`). */
  closed: 'fin' | 'rst' | undefined = undefined;
  /** TCP handshake round trip (tshark's initial RTT), ns; -1 while unknown. Kept over the flow's records. */
  tcpHandshakeRttNs = -1;
  /** TCP analysis counts of the current record, per sending side (retransmissions of every kind). */
  tcpRetransmissionsFromSource = 0;
  tcpRetransmissionsFromDestination = 0;
  tcpZeroWindowsFromSource = 0;
  tcpZeroWindowsFromDestination = 0;
  tcpDuplicateAcksFromSource = 0;
  tcpDuplicateAcksFromDestination = 0;
  tcpOutOfOrderFromSource = 0;
  tcpOutOfOrderFromDestination = 0;
  /** ACK round trips of the current record by the side that sent the ACK (see `rttSample`), and how many. */
  ackRttsFromSource: Float64Array | undefined = undefined;
  ackRttsFromDestination: Float64Array | undefined = undefined;
  ackRttCountFromSource = 0;
  ackRttCountFromDestination = 0;
  /**
   * `DestinationFqdn` / `SourceFqdn`: the names each end had resolved for the other when the flow
   * was opened (kept for all its records: the DNS entry may expire while the connection lasts).
   */
  destinationFqdn: string | undefined = undefined;
  sourceFqdn: string | undefined = undefined;

  constructor(packet: DecodedPacket, opening: FlowOpening) {
    const flipped = opening.flipped;
    this.match = opening.match;
    this.cluster = opening.cluster;
    this.node = opening.node;
    this.key = opening.key;
    this.tracePoint = packet.tracePoint;
    this.trafficDirection = opening.trafficDirection;
    this.ipVersion = packet.ipVersion ?? (packet.sourceIp!.length === 16 ? 6 : 4);
    this.protocol = packet.protocol ?? 0;
    this.keyProtocol = packet.protocol ?? 0xffff;
    const sip = new Uint8Array(packet.sourceIp!);
    const dip = new Uint8Array(packet.destinationIp!);
    const sport = packet.sourcePort ?? 0;
    const dport = packet.destinationPort ?? 0;
    this.sourceIp = flipped ? dip : sip;
    this.destinationIp = flipped ? sip : dip;
    this.sourcePort = flipped ? dport : sport;
    this.destinationPort = flipped ? sport : dport;
    this.hasPorts = packet.sourcePort !== undefined && packet.destinationPort !== undefined;
    this.oneAddress = sameAddress(sip, dip);
    this.source = flipped ? opening.destination : opening.source;
    this.destination = flipped ? opening.source : opening.destination;
    this.flowId = opening.flowId;
    this.communityId = opening.communityId;
    this.icmpType = packet.icmpType;
    this.icmpCode = packet.icmpCode;
  }

  /**
   * True when `packet` has this flow's normalised 5-tuple (either direction): exactly when its
   * `flowMapKey` equals {@link key}, without building the key.
   */
  hasTupleOf(packet: DecodedPacket): boolean {
    if ((packet.protocol ?? 0xffff) !== this.keyProtocol) return false;
    const sip = packet.sourceIp;
    const dip = packet.destinationIp;
    if (sip === undefined || dip === undefined) return false;
    const sport = packet.sourcePort ?? 0;
    const dport = packet.destinationPort ?? 0;
    if (
      sport === this.sourcePort &&
      dport === this.destinationPort &&
      sameAddress(sip, this.sourceIp) &&
      sameAddress(dip, this.destinationIp)
    )
      return true;
    return (
      sport === this.destinationPort &&
      dport === this.sourcePort &&
      sameAddress(sip, this.destinationIp) &&
      sameAddress(dip, this.sourceIp)
    );
  }

  /** True when `packet` was sent by the initiator. */
  fromSource(packet: DecodedPacket): boolean {
    const ip = packet.sourceIp!;
    const own = this.sourceIp;
    if (ip.length !== own.length) return false;
    for (let i = 0; i < ip.length; i++) if (ip[i] !== own[i]) return false;
    return !this.oneAddress || (packet.sourcePort ?? 0) === this.sourcePort;
  }

  /** Counts one packet at packet time `nowMs`, with the TCP analyser's outcome for it, if TCP. */
  count(packet: DecodedPacket, nowMs: number, l7Messages: number, tcp?: TcpPacketAnalysis): void {
    const fromSource = this.fromSource(packet);
    if (this.packetsFromSource + this.packetsFromDestination === 0) {
      this.startSec = packet.timestampSec;
      this.startNsec = packet.timestampNsec;
      this.intervalStartMs = nowMs;
    }
    // Out-of-order timestamps never move the end back.
    if (
      packet.timestampSec > this.endSec ||
      (packet.timestampSec === this.endSec && packet.timestampNsec > this.endNsec)
    ) {
      this.endSec = packet.timestampSec;
      this.endNsec = packet.timestampNsec;
    }
    if (nowMs > this.lastSeenMs) this.lastSeenMs = nowMs;
    const payload = packet.payloadLength ?? 0;
    if (fromSource) {
      this.packetsFromSource++;
      this.bytesFromSource += packet.originalLength;
      this.payloadFromSource += payload;
    } else {
      this.packetsFromDestination++;
      this.bytesFromDestination += packet.originalLength;
      this.payloadFromDestination += payload;
    }
    this.totalPayload += payload;
    this.l7Messages += l7Messages;
    if (this.protocol === IpProtocol.TCP && packet.tcpFlags !== undefined)
      this.countTcp(packet, fromSource, payload);
    if (tcp !== undefined) this.countTcpAnalysis(tcp, fromSource);
  }

  private countTcpAnalysis(tcp: TcpPacketAnalysis, fromSource: boolean): void {
    if (this.tcpHandshakeRttNs < 0 && tcp.initialRttNs >= 0) this.tcpHandshakeRttNs = tcp.initialRttNs;
    const c = tcp.conditions;
    if (c !== 0) {
      const retransmission = (c & ANY_RETRANSMISSION) !== 0 ? 1 : 0;
      const zeroWindow = (c & TcpCondition.ZeroWindow) !== 0 ? 1 : 0;
      const duplicateAck = (c & TcpCondition.DuplicateAck) !== 0 ? 1 : 0;
      const outOfOrder = (c & TcpCondition.OutOfOrder) !== 0 ? 1 : 0;
      if (fromSource) {
        this.tcpRetransmissionsFromSource += retransmission;
        this.tcpZeroWindowsFromSource += zeroWindow;
        this.tcpDuplicateAcksFromSource += duplicateAck;
        this.tcpOutOfOrderFromSource += outOfOrder;
      } else {
        this.tcpRetransmissionsFromDestination += retransmission;
        this.tcpZeroWindowsFromDestination += zeroWindow;
        this.tcpDuplicateAcksFromDestination += duplicateAck;
        this.tcpOutOfOrderFromDestination += outOfOrder;
      }
    }
    const rtt = tcp.ackRttNs;
    if (rtt < 0) return;
    if (fromSource) {
      this.ackRttsFromSource ??= new Float64Array(RTT_SAMPLE_SIZE);
      addRttSample(this.ackRttsFromSource, this.ackRttCountFromSource++, rtt);
    } else {
      this.ackRttsFromDestination ??= new Float64Array(RTT_SAMPLE_SIZE);
      addRttSample(this.ackRttsFromDestination, this.ackRttCountFromDestination++, rtt);
    }
  }

  private countTcp(packet: DecodedPacket, fromSource: boolean, payload: number): void {
    const flags = packet.tcpFlags!;
    const bits = historyBits(flags, payload, packet.tcpWindow);
    if (fromSource) {
      this.history = appendHistory(this.history, this.sourceSeen, bits, true);
      this.sourceSeen |= bits;
      const next = nextTcpStates(this.sourceState, this.destinationState, flags);
      this.sourceState = (next & 7) as TcpEndpointState;
      this.destinationState = (next >> 3) as TcpEndpointState;
    } else {
      this.history = appendHistory(this.history, this.destinationSeen, bits, false);
      this.destinationSeen |= bits;
      const next = nextTcpStates(this.destinationState, this.sourceState, flags);
      this.destinationState = (next & 7) as TcpEndpointState;
      this.sourceState = (next >> 3) as TcpEndpointState;
    }
    if (this.sourceState === TcpEndpoint.RESET || this.destinationState === TcpEndpoint.RESET)
      this.closed = 'rst';
    else if (this.sourceState === TcpEndpoint.CLOSED && this.destinationState === TcpEndpoint.CLOSED)
      this.closed = 'fin';
  }

  /** True when nothing was counted since the last record. */
  get empty(): boolean {
    return this.packetsFromSource + this.packetsFromDestination === 0;
  }

  /** Starts the next record's interval (after an `interval` record): counters to zero, TCP state kept. */
  resetCounters(): void {
    this.packetsFromSource = 0;
    this.packetsFromDestination = 0;
    this.bytesFromSource = 0;
    this.bytesFromDestination = 0;
    this.payloadFromSource = 0;
    this.payloadFromDestination = 0;
    this.l7Messages = 0;
    this.tcpRetransmissionsFromSource = 0;
    this.tcpRetransmissionsFromDestination = 0;
    this.tcpZeroWindowsFromSource = 0;
    this.tcpZeroWindowsFromDestination = 0;
    this.tcpDuplicateAcksFromSource = 0;
    this.tcpDuplicateAcksFromDestination = 0;
    this.tcpOutOfOrderFromSource = 0;
    this.tcpOutOfOrderFromDestination = 0;
    this.ackRttCountFromSource = 0;
    this.ackRttCountFromDestination = 0;
  }
}

function sameAddress(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
