/**
 * DNS message records → `ASimDnsActivityLogs` rows. A query is `EventSubType` `request` with
 * result `NA`; a response carries its response code as number (`DnsResponseCode`) and name
 * (`EventResultDetails`, which the native parser exposes as the mandatory `DnsResponseCodeName`).
 */
import type { TraceRecord } from '../../../record/traceRecord';
import type { LogsRow } from '../encode';
import { dnsRcodeNumber, dnsTypeNumber } from './asimCodes';
import { BASE_MAPPED, asimBase, put } from './asimBase';
import { DNS_ACTIVITY_STREAM } from './asimStreams';
import { l7LatencyMillis } from './optionalFields';

const MAPPED: ReadonlySet<string> = new Set([
  ...BASE_MAPPED,
  'FlowId',
  'DnsId',
  'DnsIsResponse',
  'DnsQuery',
  'DnsQueryType',
  'DnsResponseCode',
  'DnsAnswers',
  'L7LatencyNs',
]);

/** The `ASimDnsActivityLogs` row of a DNS record. */
export function dnsActivityRow(record: TraceRecord): LogsRow {
  const row = asimBase(record, DNS_ACTIVITY_STREAM, MAPPED);
  const response = record.DnsIsResponse === true;
  row.EventType = 'Query';
  // This table has Src and Dst as columns (mandatory and recommended); the others derive them.
  put(row, 'Src', record.SourcePodName ?? record.SourceIp);
  put(row, 'Dst', record.DestinationPodName ?? record.DestinationIp);
  row.EventSubType = response ? 'response' : 'request';
  const rcode = response ? (record.DnsResponseCode ?? 'NOERROR') : undefined;
  row.EventResult = rcode === undefined ? 'NA' : rcode === 'NOERROR' ? 'Success' : 'Failure';
  row.EventResultDetails = rcode ?? 'NA';
  if (rcode !== undefined) put(row, 'DnsResponseCode', dnsRcodeNumber(rcode));
  put(row, 'DnsQuery', record.DnsQuery);
  if (record.DnsQueryType !== undefined) {
    row.DnsQueryTypeName = record.DnsQueryType;
    put(row, 'DnsQueryType', dnsTypeNumber(record.DnsQueryType));
  }
  if (record.DnsAnswers !== undefined && record.DnsAnswers.length > 0)
    row.DnsResponseName = JSON.stringify(record.DnsAnswers);
  if (record.DnsId !== undefined) row.TransactionIdHex = record.DnsId.toString(16).padStart(4, '0');
  if (response) put(row, 'DnsNetworkDuration', l7LatencyMillis(record));
  put(row, 'DnsSessionId', record.FlowId);
  return row;
}
