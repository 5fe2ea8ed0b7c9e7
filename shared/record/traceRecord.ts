/**
 * The trace record, schema v1 (docs/record-schema.md). One shape everywhere: stdout NDJSON, Azure Table
 * entities, the Log Analytics table `RetinaTraces_CL`, and `tracectl inspect`.
 * Absent values are omitted, never empty strings.
 */

/** Log Analytics column types used by the record. */
export type ColumnType = 'datetime' | 'string' | 'int' | 'long' | 'bool' | 'dynamic';

/** One DNS answer in {@link TraceRecord.DnsAnswers}. */
export interface DnsAnswer {
  /** Record type mnemonic, e.g. `A`, `CNAME`, `TYPE65280`. */
  type: string;
  /** Presentation value: address text, target name (no trailing dot), or hex for unknown types. */
  value: string;
  /** Time to live in seconds. */
  ttl: number;
}

/** A trace record. Property names are the column names. */
export interface TraceRecord {
  /** Packet timestamp, ISO 8601 UTC with up to 9 fractional digits kept in `TimestampNs`. */
  TimeGenerated: string;
  /** Epoch nanoseconds as a decimal string. */
  TimestampNs: string;
  /** Deterministic id: same packet bytes and timestamp, same configuration ⇒ same id. */
  RecordId: string;
  ClusterName?: string;
  NodeName?: string;
  /** `namespace/name` of the configuration that traced this packet. */
  TraceConfiguration?: string;
  CaptureLevel?: 'AllPackets' | 'FirstPacket' | 'FlowSummary';
  TracePoint?: 'PodToNode' | 'NodeToPod' | 'NodeToNetwork' | 'NetworkToNode';
  TrafficDirection?: 'ingress' | 'egress';
  /** Same for both directions of one connection. */
  FlowId?: string;
  IpVersion?: number;
  /** `TCP`, `UDP`, `ICMP`, `ICMPv6`, `SCTP`, or the protocol number as text. */
  Protocol?: string;
  SourceIp?: string;
  DestinationIp?: string;
  SourcePort?: number;
  DestinationPort?: number;
  /** Comma-separated set flags, e.g. `SYN,ACK`. */
  TcpFlags?: string;
  TcpSeq?: number;
  TcpAck?: number;
  /** Original packet length on the wire. */
  PacketBytes?: number;
  /** Layer 4 payload length. */
  PayloadBytes?: number;
  SourceNamespace?: string;
  SourcePodName?: string;
  SourceWorkload?: string;
  SourceServiceName?: string;
  SourceNodeName?: string;
  DestinationNamespace?: string;
  DestinationPodName?: string;
  DestinationWorkload?: string;
  DestinationServiceName?: string;
  DestinationNodeName?: string;
  SourceLabels?: Record<string, string>;
  DestinationLabels?: Record<string, string>;
  L7Protocol?: 'HTTP' | 'DNS' | 'TLS';
  HttpMethod?: string;
  /** Request-target with secret query values redacted. */
  HttpPath?: string;
  HttpHost?: string;
  HttpVersion?: string;
  HttpUserAgent?: string;
  HttpContentType?: string;
  HttpStatusCode?: number;
  DnsId?: number;
  DnsIsResponse?: boolean;
  DnsQuery?: string;
  DnsQueryType?: string;
  DnsResponseCode?: string;
  DnsAnswers?: DnsAnswer[];
  TlsHandshake?: 'ClientHello' | 'ServerHello';
  TlsVersion?: string;
  TlsServerName?: string;
  TlsAlpn?: string[];
  TlsCipherSuite?: string;
  Ja3?: string;
  Ja4?: string;
  Ja3s?: string;
  /** HTTP/2 stream id of the request or response (HTTP/2 records only). */
  Http2StreamId?: number;
  /** gRPC service (`package.Service`) from the request path `/package.Service/Method`. */
  GrpcService?: string;
  /** gRPC method from the request path. */
  GrpcMethod?: string;
  /** `grpc-status` of a response (trailers, or a trailers-only response); 0 is OK. */
  GrpcStatusCode?: number;
  /** `grpc-message` of a response, percent-decoded, at most 512 characters. */
  GrpcMessage?: string;
  /** gRPC messages (length-prefixed) the sender of this record's side sent on the stream: request records count the client's, response records the server's. */
  GrpcMessageCount?: number;
  /** True when a layer-7 record is incomplete because the capture missed context (an HTTP/2 connection joined mid-way: header compression state unknown). Only what was known is reported. */
  L7Partial?: boolean;
  /** On a response record (HTTP/1.x, HTTP/2 and gRPC, DNS, TLS ServerHello): nanoseconds since its request completed on the same connection (docs/layer7.md, "Latency"). */
  L7LatencyNs?: number;
  /** True on the one record reporting a request whose response never came before its pending entry was dropped (docs/layer7.md, "Latency"). */
  L7Unanswered?: boolean;
  /** Why a DNS message could not be read completely (e.g. `pointer loop in answer 1 name`); what was read is still reported. */
  DnsParseError?: string;
  /** True when the packet was reassembled from IP fragments that overlapped with different bytes (first fragment's bytes kept). */
  IpFragmentOverlap?: boolean;
  /** True when the packet was reassembled from fragments that break a rule receivers tolerate (a non-final fragment whose length is not a multiple of 8). */
  IpFragmentIrregular?: boolean;
  /** Only from `tracectl inspect`: 1-based frame number in the capture file. */
  CaptureFrame?: number;
  /** Community ID v1 (seed 0), e.g. `1:LQU9qZlK+B5F3KDmev6m5PMibrg=`: joins Zeek, Suricata, Wireshark, Elastic. */
  CommunityId?: string;
  /** ICMP or ICMPv6 message type. */
  IcmpType?: number;
  /** ICMP or ICMPv6 message code. */
  IcmpCode?: number;
  /** ICMP error messages: protocol of the quoted packet (same text as `Protocol`). */
  IcmpInnerProtocol?: string;
  /** ICMP error messages: source address of the quoted packet (the flow the error is about). */
  IcmpInnerSourceIp?: string;
  /** ICMP error messages: destination address of the quoted packet. */
  IcmpInnerDestinationIp?: string;
  /** ICMP error messages: source port of the quoted TCP/UDP/SCTP header. */
  IcmpInnerSourcePort?: number;
  /** ICMP error messages: destination port of the quoted TCP/UDP/SCTP header. */
  IcmpInnerDestinationPort?: number;
  /** FlowSummary: time of the first packet of this record's interval (ISO 8601 UTC). */
  FlowStart?: string;
  /** FlowSummary: time of the last packet of this record's interval (ISO 8601 UTC). */
  FlowEnd?: string;
  /** FlowSummary: `FlowStart` in epoch nanoseconds (decimal string). */
  FlowStartNs?: string;
  /** FlowSummary: `FlowEnd` in epoch nanoseconds (decimal string). */
  FlowEndNs?: string;
  /** FlowSummary: packets sent by the initiator (`Source*`). */
  PacketsFromSource?: number;
  /** FlowSummary: packets sent by the responder (`Destination*`). */
  PacketsFromDestination?: number;
  /** FlowSummary: bytes on the wire sent by the initiator (sum of `PacketBytes`). */
  BytesFromSource?: number;
  /** FlowSummary: bytes on the wire sent by the responder. */
  BytesFromDestination?: number;
  /** FlowSummary: layer-4 payload bytes sent by the initiator. */
  PayloadBytesFromSource?: number;
  /** FlowSummary: layer-4 payload bytes sent by the responder. */
  PayloadBytesFromDestination?: number;
  /** FlowSummary: why this record was written (`interval`: the flow goes on in the next record). */
  FlowEndReason?: 'fin' | 'rst' | 'idle' | 'interval' | 'shutdown';
  /** FlowSummary, TCP: Zeek `conn_state` (S0, S1, SF, REJ, S2, S3, RSTO, RSTR, RSTOS0, RSTRH, SH, SHR, OTH). */
  FlowState?: string;
  /** FlowSummary, TCP: Zeek `history` letters (upper case: initiator), e.g. `ShADadFf`. */
  TcpHistory?: string;
  /** FlowSummary: layer-7 messages seen in this record's interval (with `includeLayer7Data`). */
  L7Messages?: number;
  /**
   * Where the packet behind this record is retained (docs/retention.md): `<blob>#<frame>`, the
   * retained capture blob and the 1-based frame number in it. Only for configurations annotated
   * `retina.sh/retain-packets`.
   */
  CaptureRef?: string;
  /**
   * TCP packets: the conditions tshark's TCP sequence analysis reports for this segment, comma-
   * separated in this order: `Retransmission`, `FastRetransmission`, `SpuriousRetransmission`,
   * `OutOfOrder`, `LostSegment`, `DuplicateAck`, `ZeroWindow`, `ZeroWindowProbe`, `WindowFull`,
   * `KeepAlive` (docs/flows.md, "TCP health"). Absent when none. A retransmission carries exactly one
   * of the three retransmission kinds.
   */
  TcpAnalysis?: string;
  /** FlowSummary, TCP: handshake round trip in ns, SYN to the first ACK without SYN (tshark's `tcp.analysis.initial_rtt`). */
  TcpHandshakeRttNs?: number;
  /** FlowSummary, TCP: median round trip (ns) from a responder's segment to the initiator's ACK of it, seen at the trace point, over the record's interval (latest 15 ACKs). */
  TcpAckRttMedianNsFromSource?: number;
  /** FlowSummary, TCP: median round trip (ns) from an initiator's segment to the responder's ACK of it, seen at the trace point (latest 15 ACKs). */
  TcpAckRttMedianNsFromDestination?: number;
  /** FlowSummary, TCP: segments the initiator retransmitted (`Retransmission`, `FastRetransmission` and `SpuriousRetransmission`) in the record's interval. */
  TcpRetransmissionsFromSource?: number;
  /** FlowSummary, TCP: segments the responder retransmitted, every kind. */
  TcpRetransmissionsFromDestination?: number;
  /** FlowSummary, TCP: segments in which the initiator advertised a zero window. */
  TcpZeroWindowsFromSource?: number;
  /** FlowSummary, TCP: segments in which the responder advertised a zero window. */
  TcpZeroWindowsFromDestination?: number;
  /** FlowSummary, TCP: duplicate ACKs the initiator sent. */
  TcpDuplicateAcksFromSource?: number;
  /** FlowSummary, TCP: duplicate ACKs the responder sent. */
  TcpDuplicateAcksFromDestination?: number;
  /** FlowSummary, TCP: initiator segments seen out of order. */
  TcpOutOfOrderFromSource?: number;
  /** FlowSummary, TCP: responder segments seen out of order. */
  TcpOutOfOrderFromDestination?: number;
  /**
   * The DNS name the destination endpoint resolved for `SourceIp` before this traffic, learned from
   * the DNS answers the same node observed (docs/flows.md, "DNS names on flows"); lower case.
   * Mostly on replies of connections to resolved names.
   */
  SourceFqdn?: string;
  /**
   * The DNS name the source endpoint (on FlowSummary records: the initiator) resolved for
   * `DestinationIp` before this traffic, learned from the DNS answers the same node observed
   * (docs/flows.md, "DNS names on flows"); lower case, the name asked (CNAME chains followed).
   */
  DestinationFqdn?: string;
}

/** Column names of the record in a stable order, with their Log Analytics types. */
export const TRACE_RECORD_COLUMNS = [
  ['TimeGenerated', 'datetime'],
  ['TimestampNs', 'string'],
  ['RecordId', 'string'],
  ['ClusterName', 'string'],
  ['NodeName', 'string'],
  ['TraceConfiguration', 'string'],
  ['CaptureLevel', 'string'],
  ['TracePoint', 'string'],
  ['TrafficDirection', 'string'],
  ['FlowId', 'string'],
  ['IpVersion', 'int'],
  ['Protocol', 'string'],
  ['SourceIp', 'string'],
  ['DestinationIp', 'string'],
  ['SourcePort', 'int'],
  ['DestinationPort', 'int'],
  ['TcpFlags', 'string'],
  ['TcpSeq', 'long'],
  ['TcpAck', 'long'],
  ['PacketBytes', 'int'],
  ['PayloadBytes', 'int'],
  ['SourceNamespace', 'string'],
  ['SourcePodName', 'string'],
  ['SourceWorkload', 'string'],
  ['SourceServiceName', 'string'],
  ['SourceNodeName', 'string'],
  ['DestinationNamespace', 'string'],
  ['DestinationPodName', 'string'],
  ['DestinationWorkload', 'string'],
  ['DestinationServiceName', 'string'],
  ['DestinationNodeName', 'string'],
  ['SourceLabels', 'dynamic'],
  ['DestinationLabels', 'dynamic'],
  ['L7Protocol', 'string'],
  ['HttpMethod', 'string'],
  ['HttpPath', 'string'],
  ['HttpHost', 'string'],
  ['HttpVersion', 'string'],
  ['HttpUserAgent', 'string'],
  ['HttpContentType', 'string'],
  ['HttpStatusCode', 'int'],
  ['DnsId', 'int'],
  ['DnsIsResponse', 'bool'],
  ['DnsQuery', 'string'],
  ['DnsQueryType', 'string'],
  ['DnsResponseCode', 'string'],
  ['DnsAnswers', 'dynamic'],
  ['TlsHandshake', 'string'],
  ['TlsVersion', 'string'],
  ['TlsServerName', 'string'],
  ['TlsAlpn', 'dynamic'],
  ['TlsCipherSuite', 'string'],
  ['Ja3', 'string'],
  ['Ja4', 'string'],
  ['Ja3s', 'string'],
  ['CommunityId', 'string'],
  ['IcmpType', 'int'],
  ['IcmpCode', 'int'],
  ['IcmpInnerProtocol', 'string'],
  ['IcmpInnerSourceIp', 'string'],
  ['IcmpInnerDestinationIp', 'string'],
  ['IcmpInnerSourcePort', 'int'],
  ['IcmpInnerDestinationPort', 'int'],
  ['FlowStart', 'datetime'],
  ['FlowEnd', 'datetime'],
  ['FlowStartNs', 'string'],
  ['FlowEndNs', 'string'],
  ['PacketsFromSource', 'long'],
  ['PacketsFromDestination', 'long'],
  ['BytesFromSource', 'long'],
  ['BytesFromDestination', 'long'],
  ['PayloadBytesFromSource', 'long'],
  ['PayloadBytesFromDestination', 'long'],
  ['FlowEndReason', 'string'],
  ['FlowState', 'string'],
  ['TcpHistory', 'string'],
  ['L7Messages', 'int'],
  ['Http2StreamId', 'long'],
  ['GrpcService', 'string'],
  ['GrpcMethod', 'string'],
  ['GrpcStatusCode', 'int'],
  ['GrpcMessage', 'string'],
  ['GrpcMessageCount', 'long'],
  ['L7Partial', 'bool'],
  ['DnsParseError', 'string'],
  ['IpFragmentOverlap', 'bool'],
  ['IpFragmentIrregular', 'bool'],
  ['CaptureRef', 'string'],
  ['L7LatencyNs', 'long'],
  ['L7Unanswered', 'bool'],
  ['TcpAnalysis', 'string'],
  ['TcpHandshakeRttNs', 'long'],
  ['TcpAckRttMedianNsFromSource', 'long'],
  ['TcpAckRttMedianNsFromDestination', 'long'],
  ['TcpRetransmissionsFromSource', 'int'],
  ['TcpRetransmissionsFromDestination', 'int'],
  ['TcpZeroWindowsFromSource', 'int'],
  ['TcpZeroWindowsFromDestination', 'int'],
  ['TcpDuplicateAcksFromSource', 'int'],
  ['TcpDuplicateAcksFromDestination', 'int'],
  ['TcpOutOfOrderFromSource', 'int'],
  ['TcpOutOfOrderFromDestination', 'int'],
  ['SourceFqdn', 'string'],
  ['DestinationFqdn', 'string'],
] as const satisfies ReadonlyArray<readonly [Exclude<keyof TraceRecord, 'CaptureFrame'>, ColumnType]>;

/** A column name of the stored record (everything except `CaptureFrame`). */
export type TraceRecordColumn = (typeof TRACE_RECORD_COLUMNS)[number][0];

/** Schema version written beside records where a store needs one (e.g. Azure Table). */
export const TRACE_RECORD_SCHEMA_VERSION = 'v1';
