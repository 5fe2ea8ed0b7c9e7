/**
 * The part of an ASIM row every table shares: event fields, the reporting device (the node), the
 * endpoints, and `AdditionalFields` with every record field the table has no column for, so
 * nothing a `RetinaTraces_CL` row would hold is lost.
 */
import type { TraceRecord } from '../../../record/traceRecord';
import type { LogsRow } from '../encode';
import { ianaProtocolName } from './asimCodes';
import type { AsimStream } from './asimStreams';

/** `EventVendor` of every row we write (filter on it in KQL: `where EventVendor == 'Retina'`). */
export const ASIM_EVENT_VENDOR = 'Retina';
/** `EventProduct` of every row we write. */
export const ASIM_EVENT_PRODUCT = 'Packet Trace';

/** Record fields never copied to `AdditionalFields` (`RecordId` is `EventOriginalUid`). */
const NEVER_ADDITIONAL: ReadonlySet<string> = new Set(['TimeGenerated', 'RecordId', 'CaptureFrame']);

/** Sets `row[column]` only when `value` is present (ASIM rows omit absent values, as ours do). */
export function put(row: LogsRow, column: string, value: unknown): void {
  if (value !== undefined && value !== null && value !== '') row[column] = value;
}

/**
 * The shared columns of `record` for `stream`. `mapped` names the record fields the table-specific
 * mapping turns into columns; the others (and the always-kept identity details) go to
 * `AdditionalFields`.
 */
export function asimBase(record: TraceRecord, stream: AsimStream, mapped: ReadonlySet<string>): LogsRow {
  const device = record.NodeName ?? record.ClusterName ?? 'unknown';
  const row: LogsRow = {
    TimeGenerated: record.TimeGenerated,
    EventCount: 1,
    EventStartTime: record.FlowStart ?? record.TimeGenerated,
    EventEndTime: record.FlowEnd ?? record.TimeGenerated,
    EventSeverity: 'Informational',
    EventOriginalUid: record.RecordId,
    EventProduct: ASIM_EVENT_PRODUCT,
    EventVendor: ASIM_EVENT_VENDOR,
    EventSchemaVersion: stream.schemaVersion,
    Dvc: device,
    DvcHostname: device,
  };
  put(row, 'SrcIpAddr', record.SourceIp);
  put(row, 'SrcPortNumber', record.SourcePort);
  put(row, 'SrcHostname', record.SourcePodName);
  put(row, 'DstIpAddr', record.DestinationIp);
  put(row, 'DstPortNumber', record.DestinationPort);
  put(row, 'DstHostname', record.DestinationPodName);
  putFqdn(row, 'Src', record.SourceFqdn);
  putFqdn(row, 'Dst', record.DestinationFqdn);
  if (record.Protocol !== undefined) row.NetworkProtocol = ianaProtocolName(record.Protocol);
  if (record.IpVersion === 4 || record.IpVersion === 6) row.NetworkProtocolVersion = `IPv${record.IpVersion}`;
  const additional: Record<string, unknown> = {};
  for (const key in record) {
    if (NEVER_ADDITIONAL.has(key) || mapped.has(key)) continue;
    const value = (record as unknown as Record<string, unknown>)[key];
    if (value !== undefined && value !== null) additional[key] = value;
  }
  if (Object.keys(additional).length > 0) row.AdditionalFields = additional;
  return row;
}

/**
 * A resolved DNS name (`SourceFqdn` / `DestinationFqdn`) as ASIM `...FQDN`, `...Domain` (the name
 * without its first label) and `...DomainType` `FQDN`; `...Hostname` gets the first label when no
 * pod name took it.
 */
function putFqdn(row: LogsRow, side: 'Src' | 'Dst', fqdn: string | undefined): void {
  if (fqdn === undefined || fqdn === '') return;
  row[`${side}FQDN`] = fqdn;
  const dot = fqdn.indexOf('.');
  if (dot > 0 && dot < fqdn.length - 1) {
    row[`${side}Domain`] = fqdn.slice(dot + 1);
    row[`${side}DomainType`] = 'FQDN';
  }
  if (row[`${side}Hostname`] === undefined) row[`${side}Hostname`] = dot > 0 ? fqdn.slice(0, dot) : fqdn;
}

/**
 * Kubernetes workloads as ASIM applications (`Src/DstAppName`, `...AppId` = `namespace/workload`,
 * `...AppType` = `Service`), for the tables that have application columns.
 */
export function putApps(row: LogsRow, record: TraceRecord): void {
  putApp(row, 'Src', record.SourceNamespace, record.SourceWorkload ?? record.SourceServiceName);
  putApp(
    row,
    'Dst',
    record.DestinationNamespace,
    record.DestinationWorkload ?? record.DestinationServiceName,
  );
}

function putApp(
  row: LogsRow,
  side: 'Src' | 'Dst',
  namespace: string | undefined,
  app: string | undefined,
): void {
  if (app === undefined) return;
  row[`${side}AppName`] = app;
  row[`${side}AppId`] = namespace === undefined ? app : `${namespace}/${app}`;
  row[`${side}AppType`] = 'Service';
}

/** ASIM `NetworkDirection` of our `TrafficDirection` (the pod's point of view). */
export function networkDirection(record: TraceRecord): string | undefined {
  if (record.TrafficDirection === 'ingress') return 'Inbound';
  if (record.TrafficDirection === 'egress') return 'Outbound';
  return undefined;
}

/** Fields mapped to columns by {@link asimBase} (shared by every table). */
export const BASE_MAPPED: readonly string[] = [
  'FlowStart',
  'FlowEnd',
  'NodeName',
  'SourceIp',
  'SourcePort',
  'SourcePodName',
  'DestinationIp',
  'DestinationPort',
  'DestinationPodName',
  'Protocol',
  'IpVersion',
  'SourceFqdn',
  'DestinationFqdn',
];
