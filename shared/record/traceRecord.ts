/**
 * The trace record, schema v1 (CONTRACTS §3). One shape everywhere: stdout NDJSON, Azure Table
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
  CaptureLevel?: 'AllPackets' | 'FirstPacket';
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
  /** Only from `tracectl inspect`: 1-based frame number in the capture file. */
  CaptureFrame?: number;
  /**
   * Where the packet behind this record is retained (docs/retention.md): `<blob>#<frame>`, the
   * retained capture blob and the 1-based frame number in it. Only for configurations annotated
   * `retina.sh/retain-packets`.
   */
  CaptureRef?: string;
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
  ['CaptureRef', 'string'],
] as const satisfies ReadonlyArray<readonly [Exclude<keyof TraceRecord, 'CaptureFrame'>, ColumnType]>;

/** A column name of the stored record (everything except `CaptureFrame`). */
export type TraceRecordColumn = (typeof TRACE_RECORD_COLUMNS)[number][0];

/** Schema version written beside records where a store needs one (e.g. Azure Table). */
export const TRACE_RECORD_SCHEMA_VERSION = 'v1';
