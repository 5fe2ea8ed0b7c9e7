/**
 * The three ASIM tables the `asim` schema of a Log Analytics connection writes, with the DCR
 * input stream of each and the columns we send (names and types from Microsoft's published table
 * references; `test/sinks/logAnalytics/asim/publishedAsimSchemas.json` holds the copy they are
 * tested against). Input streams of a DCR must be `Custom-...`; the data flow's output stream is
 * the table's `Microsoft-...` stream (infra/modules/monitoring.bicep).
 */
import type { ColumnType } from '../../../record/traceRecord';

/** The ASIM tables we write. */
export type AsimTable = 'ASimNetworkSessionLogs' | 'ASimDnsActivityLogs' | 'ASimWebSessionLogs';

/** One ASIM stream: where rows go and what they may hold. */
export interface AsimStream {
  /** Log Analytics table, e.g. `ASimNetworkSessionLogs`. */
  table: AsimTable;
  /** DCR input stream we upload to, e.g. `Custom-ASimNetworkSessionLogs`. */
  streamName: string;
  /** DCR output stream of the table, e.g. `Microsoft-ASimNetworkSessionLogs`. */
  outputStream: string;
  /** ASIM schema name, e.g. `NetworkSession`. */
  schema: string;
  /** ASIM schema version we follow (the version the native parser of the table normalises to). */
  schemaVersion: string;
  /** Columns we may send, in a stable order, with their types. */
  columns: ReadonlyArray<readonly [string, ColumnType]>;
}

/** Columns every ASIM row can carry (all three tables have them). */
const COMMON: ReadonlyArray<readonly [string, ColumnType]> = [
  ['TimeGenerated', 'datetime'],
  ['EventCount', 'int'],
  ['EventStartTime', 'datetime'],
  ['EventEndTime', 'datetime'],
  ['EventType', 'string'],
  ['EventSubType', 'string'],
  ['EventResult', 'string'],
  ['EventResultDetails', 'string'],
  ['EventSeverity', 'string'],
  ['EventOriginalUid', 'string'],
  ['EventProduct', 'string'],
  ['EventVendor', 'string'],
  ['EventSchemaVersion', 'string'],
  ['Dvc', 'string'],
  ['DvcHostname', 'string'],
  ['SrcIpAddr', 'string'],
  ['SrcPortNumber', 'int'],
  ['SrcHostname', 'string'],
  ['DstIpAddr', 'string'],
  ['DstPortNumber', 'int'],
  ['DstHostname', 'string'],
  ['NetworkProtocol', 'string'],
  ['NetworkProtocolVersion', 'string'],
  ['AdditionalFields', 'dynamic'],
  ['SrcFQDN', 'string'],
  ['SrcDomain', 'string'],
  ['SrcDomainType', 'string'],
  ['DstFQDN', 'string'],
  ['DstDomain', 'string'],
  ['DstDomainType', 'string'],
];

/** Kubernetes workload identity (`Src/DstApp*`): in the network and web session tables only. */
const APPS: ReadonlyArray<readonly [string, ColumnType]> = [
  ['SrcAppName', 'string'],
  ['SrcAppId', 'string'],
  ['SrcAppType', 'string'],
  ['DstAppName', 'string'],
  ['DstAppId', 'string'],
  ['DstAppType', 'string'],
];

/** `ASimNetworkSessionLogs`: packet and flow records that are neither DNS nor HTTP. */
export const NETWORK_SESSION_STREAM: AsimStream = {
  table: 'ASimNetworkSessionLogs',
  streamName: 'Custom-ASimNetworkSessionLogs',
  outputStream: 'Microsoft-ASimNetworkSessionLogs',
  schema: 'NetworkSession',
  schemaVersion: '0.2.4',
  columns: [
    ...COMMON,
    ...APPS,
    ['EventOriginalResultDetails', 'string'],
    ['SrcZone', 'string'],
    ['DstZone', 'string'],
    ['NetworkDirection', 'string'],
    ['NetworkApplicationProtocol', 'string'],
    ['NetworkSessionId', 'string'],
    ['NetworkDuration', 'int'],
    ['NetworkConnectionHistory', 'string'],
    ['SrcBytes', 'long'],
    ['DstBytes', 'long'],
    ['NetworkBytes', 'long'],
    ['SrcPackets', 'long'],
    ['DstPackets', 'long'],
    ['NetworkPackets', 'long'],
    ['NetworkIcmpType', 'string'],
    ['NetworkIcmpCode', 'int'],
    ['TcpFlagsAck', 'bool'],
    ['TcpFlagsFin', 'bool'],
    ['TcpFlagsPsh', 'bool'],
    ['TcpFlagsRst', 'bool'],
    ['TcpFlagsSyn', 'bool'],
    ['TcpFlagsUrg', 'bool'],
  ],
};

/** `ASimDnsActivityLogs`: DNS queries and responses. */
export const DNS_ACTIVITY_STREAM: AsimStream = {
  table: 'ASimDnsActivityLogs',
  streamName: 'Custom-ASimDnsActivityLogs',
  outputStream: 'Microsoft-ASimDnsActivityLogs',
  schema: 'Dns',
  schemaVersion: '0.1.3',
  columns: [
    ...COMMON,
    ['Src', 'string'],
    ['Dst', 'string'],
    ['DnsQuery', 'string'],
    ['DnsQueryType', 'int'],
    ['DnsQueryTypeName', 'string'],
    ['DnsResponseCode', 'int'],
    ['DnsResponseName', 'string'],
    ['TransactionIdHex', 'string'],
    ['DnsNetworkDuration', 'int'],
    ['DnsSessionId', 'string'],
  ],
};

/** `ASimWebSessionLogs`: HTTP/1.x and HTTP/2 messages, gRPC calls. */
export const WEB_SESSION_STREAM: AsimStream = {
  table: 'ASimWebSessionLogs',
  streamName: 'Custom-ASimWebSessionLogs',
  outputStream: 'Microsoft-ASimWebSessionLogs',
  schema: 'WebSession',
  schemaVersion: '0.2.5',
  columns: [
    ...COMMON,
    ...APPS,
    ['EventSchema', 'string'],
    ['EventOriginalResultDetails', 'string'],
    ['NetworkDirection', 'string'],
    ['NetworkApplicationProtocol', 'string'],
    ['NetworkSessionId', 'string'],
    ['NetworkDuration', 'int'],
    ['Url', 'string'],
    ['HttpHost', 'string'],
    ['HttpRequestMethod', 'string'],
    ['HttpVersion', 'string'],
    ['HttpUserAgent', 'string'],
    ['HttpContentType', 'string'],
  ],
};

/** All ASIM streams, by DCR input stream name. */
export const ASIM_STREAMS: readonly AsimStream[] = [
  NETWORK_SESSION_STREAM,
  DNS_ACTIVITY_STREAM,
  WEB_SESSION_STREAM,
];

/** Stream declarations for the local Logs Ingestion server: input stream name → columns. */
export function asimStreamDeclarations(): Record<string, AsimStream['columns']> {
  return Object.fromEntries(ASIM_STREAMS.map((stream) => [stream.streamName, stream.columns]));
}
