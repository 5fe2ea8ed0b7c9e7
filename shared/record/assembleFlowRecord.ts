/**
 * Builds the `FlowSummary` record of a flow (docs/flows.md): the initiator as `Source*`, the
 * responder as `Destination*`, counts per direction over the record's interval, and for TCP
 * Zeek's `conn_state` and history. `TimeGenerated` is the flow's first packet in the interval
 * (as Zeek's `ts`), so a flow's records sort by when they began.
 */
import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';
import type { Endpoint } from '../enrich/identity';
import type { FlowEndReason, FlowEntry } from '../flow/flowEntry';
import { zeekConnState } from '../flow/tcpConnState';
import { rttMedian } from '../flow/rttSample';
import { formatIp } from '../net/ipAddress';
import { IpProtocol } from '../packet/decodedPacket';
import { protocolName } from './protocolName';
import { isoTime, timestampNs } from './timestamp';
import type { TraceRecord } from './traceRecord';

/**
 * `RecordId` of a flow record: 32 hex digits of SHA-256 over configuration, node, trace point,
 * `FlowId`, initiator end and `FlowStartNs`. The same flow interval always gets the same id, so a
 * record written again after a replay overwrites itself.
 */
export function flowRecordId(flow: FlowEntry, startNs: string): string {
  const text = `flow\u0000${flow.match.key}\u0000${flow.node}\u0000${flow.tracePoint ?? ''}\u0000${flow.flowId}\u0000${formatIp(flow.sourceIp)}:${flow.sourcePort}\u0000${startNs}`;
  // One-shot hashing (the same digest) is about twice as fast as a Hash object per record.
  const hex = oneShot ? oneShot('sha256', text, 'hex') : createHash('sha256').update(text).digest('hex');
  return hex.slice(0, 32);
}

// `crypto.hash` exists from Node 20.12 / 21.7; older runtimes use createHash.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

/** The record of `flow` as counted now, written because of `reason`. */
export function assembleFlowRecord(flow: FlowEntry, reason: FlowEndReason): TraceRecord {
  const startNs = timestampNs(flow.startSec, flow.startNsec);
  const endNs =
    flow.endSec === flow.startSec && flow.endNsec === flow.startNsec
      ? startNs
      : timestampNs(flow.endSec, flow.endNsec);
  const start = isoTime(flow.startSec, flow.startNsec);
  const record: TraceRecord = {
    TimeGenerated: start,
    TimestampNs: startNs,
    RecordId: flowRecordId(flow, startNs),
    ClusterName: flow.cluster,
    NodeName: flow.node,
    TraceConfiguration: flow.match.key,
    CaptureLevel: 'FlowSummary',
  };
  if (flow.tracePoint !== undefined) record.TracePoint = flow.tracePoint;
  if (flow.trafficDirection !== undefined) record.TrafficDirection = flow.trafficDirection;
  if (flow.flowId !== '') record.FlowId = flow.flowId;
  record.IpVersion = flow.ipVersion;
  record.Protocol = protocolName(flow.protocol);
  record.SourceIp = formatIp(flow.sourceIp);
  record.DestinationIp = formatIp(flow.destinationIp);
  if (flow.hasPorts) {
    record.SourcePort = flow.sourcePort;
    record.DestinationPort = flow.destinationPort;
  }
  addEndpoint(record, flow.source, 'Source');
  addEndpoint(record, flow.destination, 'Destination');
  if (flow.source?.kind === 'pod' && flow.source.labels) record.SourceLabels = flow.source.labels;
  if (flow.destination?.kind === 'pod' && flow.destination.labels)
    record.DestinationLabels = flow.destination.labels;
  if (flow.communityId !== undefined) record.CommunityId = flow.communityId;
  if (flow.icmpType !== undefined) {
    record.IcmpType = flow.icmpType;
    if (flow.icmpCode !== undefined) record.IcmpCode = flow.icmpCode;
  }
  record.FlowStart = start;
  // A one-packet flow ends where it starts: format the time once.
  record.FlowEnd =
    flow.endSec === flow.startSec && flow.endNsec === flow.startNsec
      ? start
      : isoTime(flow.endSec, flow.endNsec);
  record.FlowStartNs = startNs;
  record.FlowEndNs = endNs;
  record.PacketsFromSource = flow.packetsFromSource;
  record.PacketsFromDestination = flow.packetsFromDestination;
  record.BytesFromSource = flow.bytesFromSource;
  record.BytesFromDestination = flow.bytesFromDestination;
  record.PayloadBytesFromSource = flow.payloadFromSource;
  record.PayloadBytesFromDestination = flow.payloadFromDestination;
  record.FlowEndReason = reason;
  if (flow.protocol === IpProtocol.TCP) {
    record.FlowState = zeekConnState(
      flow.sourceState,
      flow.destinationState,
      flow.history,
      flow.totalPayload > 0,
    );
    if (flow.history !== '') record.TcpHistory = flow.history;
  }
  if (flow.match.includeLayer7Data) record.L7Messages = flow.l7Messages;
  if (flow.protocol === IpProtocol.TCP) addTcpHealth(record, flow);
  if (flow.sourceFqdn !== undefined) record.SourceFqdn = flow.sourceFqdn;
  if (flow.destinationFqdn !== undefined) record.DestinationFqdn = flow.destinationFqdn;
  return record;
}

/** The TCP health columns (docs/flows.md, "TCP health"): counts are always present on a TCP flow, round trips when measured. */
function addTcpHealth(record: TraceRecord, flow: FlowEntry): void {
  if (flow.tcpHandshakeRttNs >= 0) record.TcpHandshakeRttNs = flow.tcpHandshakeRttNs;
  const fromSource = rttMedian(flow.ackRttsFromSource, flow.ackRttCountFromSource);
  if (fromSource !== undefined) record.TcpAckRttMedianNsFromSource = fromSource;
  const fromDestination = rttMedian(flow.ackRttsFromDestination, flow.ackRttCountFromDestination);
  if (fromDestination !== undefined) record.TcpAckRttMedianNsFromDestination = fromDestination;
  record.TcpRetransmissionsFromSource = flow.tcpRetransmissionsFromSource;
  record.TcpRetransmissionsFromDestination = flow.tcpRetransmissionsFromDestination;
  record.TcpZeroWindowsFromSource = flow.tcpZeroWindowsFromSource;
  record.TcpZeroWindowsFromDestination = flow.tcpZeroWindowsFromDestination;
  record.TcpDuplicateAcksFromSource = flow.tcpDuplicateAcksFromSource;
  record.TcpDuplicateAcksFromDestination = flow.tcpDuplicateAcksFromDestination;
  record.TcpOutOfOrderFromSource = flow.tcpOutOfOrderFromSource;
  record.TcpOutOfOrderFromDestination = flow.tcpOutOfOrderFromDestination;
}

function addEndpoint(
  record: TraceRecord,
  endpoint: Endpoint | undefined,
  side: 'Source' | 'Destination',
): void {
  if (endpoint === undefined) return;
  const target = record as unknown as Record<string, unknown>;
  if (endpoint.namespace !== undefined) target[`${side}Namespace`] = endpoint.namespace;
  if (endpoint.kind === 'pod') target[`${side}PodName`] = endpoint.name;
  if (endpoint.workload) target[`${side}Workload`] = `${endpoint.workload.kind}/${endpoint.workload.name}`;
  const service =
    endpoint.kind === 'service'
      ? endpoint.name
      : endpoint.kind === 'pod'
        ? endpoint.serviceNames?.[0]
        : undefined;
  if (service !== undefined) target[`${side}ServiceName`] = service;
  const node = endpoint.kind === 'node' ? endpoint.name : endpoint.nodeName;
  if (node !== undefined) target[`${side}NodeName`] = node;
}
