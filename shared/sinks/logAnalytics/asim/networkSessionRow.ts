/**
 * Packet and flow records → `ASimNetworkSessionLogs` rows. A FlowSummary record is one session
 * (`EventType` `Flow`, per-direction bytes and packets, duration, Zeek state); a packet record is
 * one packet from source to destination (`EventType` `NetworkSession`, one packet, its bytes).
 */
import type { TraceRecord } from '../../../record/traceRecord';
import type { LogsRow } from '../encode';
import { icmpTypeName } from './asimCodes';
import { BASE_MAPPED, asimBase, networkDirection, put, putApps } from './asimBase';
import { NETWORK_SESSION_STREAM } from './asimStreams';

const MAPPED: ReadonlySet<string> = new Set([
  ...BASE_MAPPED,
  'CaptureFrame',
  'FlowId',
  'TrafficDirection',
  'SourceNamespace',
  'DestinationNamespace',
  'SourceWorkload',
  'DestinationWorkload',
  'L7Protocol',
  'TcpFlags',
  'TcpHistory',
  'FlowState',
  'PacketsFromSource',
  'PacketsFromDestination',
  'BytesFromSource',
  'BytesFromDestination',
  'IcmpType',
  'IcmpCode',
]);

/** Zeek `conn_state` values of connections that never got an answer or were refused. */
const FAILED_STATES: ReadonlySet<string> = new Set(['REJ', 'S0', 'RSTOS0', 'RSTRH', 'SH', 'SHR']);
/** Zeek `conn_state` values of connections that were established. */
const ESTABLISHED_STATES: ReadonlySet<string> = new Set(['SF', 'S1', 'S2', 'S3', 'RSTO', 'RSTR']);

const TCP_FLAG_COLUMNS = [
  ['ACK', 'TcpFlagsAck'],
  ['FIN', 'TcpFlagsFin'],
  ['PSH', 'TcpFlagsPsh'],
  ['RST', 'TcpFlagsRst'],
  ['SYN', 'TcpFlagsSyn'],
  ['URG', 'TcpFlagsUrg'],
] as const;

/** The `ASimNetworkSessionLogs` row of a packet or flow record. */
export function networkSessionRow(record: TraceRecord): LogsRow {
  const row = asimBase(record, NETWORK_SESSION_STREAM, MAPPED);
  const flow = record.CaptureLevel === 'FlowSummary';
  row.EventType = flow ? 'Flow' : 'NetworkSession';
  const subType = eventSubType(record);
  if (subType !== undefined) row.EventSubType = subType;
  row.EventResult = eventResult(record.FlowState);
  put(row, 'EventOriginalResultDetails', record.FlowState);
  putApps(row, record);
  put(row, 'SrcZone', record.SourceNamespace);
  put(row, 'DstZone', record.DestinationNamespace);
  put(row, 'NetworkDirection', networkDirection(record));
  put(row, 'NetworkApplicationProtocol', record.L7Protocol);
  put(row, 'NetworkSessionId', record.FlowId);
  put(row, 'NetworkConnectionHistory', record.TcpHistory ?? record.TcpFlags);
  if (flow) putFlowCounters(row, record);
  else if (record.PacketBytes !== undefined) {
    row.SrcPackets = 1;
    row.DstPackets = 0;
    row.NetworkPackets = 1;
    row.SrcBytes = record.PacketBytes;
    row.DstBytes = 0;
    row.NetworkBytes = record.PacketBytes;
  }
  if (record.IcmpType !== undefined) {
    row.NetworkIcmpType = icmpTypeName(record.IcmpType, record.Protocol === 'ICMPv6');
    put(row, 'NetworkIcmpCode', record.IcmpCode);
  }
  if (record.TcpFlags !== undefined && !flow) {
    const flags = new Set(record.TcpFlags.split(','));
    for (const [flag, column] of TCP_FLAG_COLUMNS) row[column] = flags.has(flag);
  }
  return row;
}

function putFlowCounters(row: LogsRow, record: TraceRecord): void {
  const srcPackets = record.PacketsFromSource ?? 0;
  const dstPackets = record.PacketsFromDestination ?? 0;
  const srcBytes = record.BytesFromSource ?? 0;
  const dstBytes = record.BytesFromDestination ?? 0;
  Object.assign(row, {
    SrcPackets: srcPackets,
    DstPackets: dstPackets,
    NetworkPackets: srcPackets + dstPackets,
    SrcBytes: srcBytes,
    DstBytes: dstBytes,
    NetworkBytes: srcBytes + dstBytes,
  });
  if (record.FlowStartNs !== undefined && record.FlowEndNs !== undefined) {
    const nanos = BigInt(record.FlowEndNs) - BigInt(record.FlowStartNs);
    if (nanos >= 0n)
      row.NetworkDuration = Number(nanos / 1_000_000n > 2_147_483_647n ? 2_147_483_647n : nanos / 1_000_000n);
  }
}

function eventSubType(record: TraceRecord): string | undefined {
  if (record.CaptureLevel === 'FirstPacket') return 'Start';
  if (record.CaptureLevel !== 'FlowSummary') return undefined;
  return record.FlowEndReason === undefined || record.FlowEndReason === 'interval' ? undefined : 'End';
}

function eventResult(state: string | undefined): string {
  if (state === undefined) return 'NA';
  if (FAILED_STATES.has(state)) return 'Failure';
  return ESTABLISHED_STATES.has(state) ? 'Success' : 'NA';
}
