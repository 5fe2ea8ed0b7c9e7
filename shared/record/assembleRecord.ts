/**
 * Assembles trace records (docs/record-schema.md) from a decoded, matched, enriched packet. Columns appear
 * in `TRACE_RECORD_COLUMNS` order and absent values are omitted (no `undefined` keys).
 */
import type { CaptureLevel } from '../config/model';
import type { Endpoint } from '../enrich/identity';
import { formatIp } from '../net/ipAddress';
import { IpProtocol, type DecodedPacket } from '../packet/decodedPacket';
import { protocolName } from './protocolName';
import { recordId } from './recordIds';
import { flowIdentifiers } from '../flow/flowIdentifiers';
import { tcpFlagsText } from './tcpFlagsText';
import { tcpAnalysisText } from '../tcp/tcpCondition';
import { isoTime, timestampNs } from './timestamp';
import type { TraceRecord } from './traceRecord';
import { trafficDirection } from './trafficDirection';

/** Where a batch came from (docs/wire-format.md application properties). */
export interface RecordContext {
  cluster: string;
  node: string;
}

/** The configuration a record is written for (a `ConfigurationMatch` satisfies it). */
export interface RecordConfiguration {
  /** `namespace/name`. */
  key: string;
  captureLevel: CaptureLevel;
}

/** Options of {@link assembleTraceRecord}. */
export interface AssembleRecordOptions {
  /** Adds `CaptureFrame` (the packet's 1-based frame number), as `tracectl inspect` does. */
  includeCaptureFrame?: boolean;
}

/**
 * The columns that depend on the packet alone, computed once per packet however many
 * configurations record it.
 */
export interface PacketColumns {
  readonly timeGenerated: string;
  readonly timestampNs: string;
  readonly trafficDirection: TraceRecord['TrafficDirection'];
  readonly flowId: string | undefined;
  readonly protocol: string | undefined;
  readonly sourceIp: string | undefined;
  readonly destinationIp: string | undefined;
  readonly tcpFlags: string | undefined;
  readonly communityId: string | undefined;
}

/** The packet-only columns of `packet`'s records. */
export function packetColumns(packet: DecodedPacket): PacketColumns {
  const sip = packet.sourceIp;
  const dip = packet.destinationIp;
  const identifiers = flowIdentifiers(packet);
  return {
    timeGenerated: isoTime(packet.timestampSec, packet.timestampNsec),
    timestampNs: timestampNs(packet.timestampSec, packet.timestampNsec),
    trafficDirection: trafficDirection(packet.tracePoint, packet.direction),
    flowId: identifiers.flowId,
    protocol: packet.protocol === undefined ? undefined : protocolName(packet.protocol),
    sourceIp: sip ? formatIp(sip) : undefined,
    destinationIp: dip ? formatIp(dip) : undefined,
    // No flag set (a rare, odd segment) leaves the column absent rather than empty.
    tcpFlags:
      packet.protocol === IpProtocol.TCP && packet.tcpFlags ? tcpFlagsText(packet.tcpFlags) : undefined,
    communityId: identifiers.communityId,
  };
}

/**
 * Builds one record. `layer7` holds the layer-7 columns (`L7Protocol`, `Http*`, `Dns*`, `Tls*`,
 * `Ja*`) of the message this packet completes; its undefined values are skipped. `columns` are
 * the packet's {@link packetColumns}, passed by callers that record one packet several times.
 *
 * Enrichment columns, per side: `Namespace` (pods and services), `PodName` (pods), `Workload`
 * as `Kind/name` (e.g. `Deployment/web`), `ServiceName` (a service's own name; for a pod the first
 * service selecting it), `NodeName` (a node's name; a pod's node), `Labels` (pods only).
 */
export function assembleTraceRecord(
  packet: DecodedPacket,
  context: RecordContext,
  configuration: RecordConfiguration,
  source: Endpoint | undefined,
  destination: Endpoint | undefined,
  layer7?: Partial<TraceRecord>,
  options?: AssembleRecordOptions,
  columns: PacketColumns = packetColumns(packet),
): TraceRecord {
  const ns = columns.timestampNs;
  const id = recordId(configuration.key, context.node, packet, ns);
  const { tracePoint, ipVersion, sourcePort, destinationPort } = packet;
  const { trafficDirection: direction, flowId, protocol, sourceIp, destinationIp } = columns;
  let record: TraceRecord;
  if (
    tracePoint !== undefined &&
    direction !== undefined &&
    flowId !== undefined &&
    ipVersion !== undefined &&
    protocol !== undefined &&
    sourceIp !== undefined &&
    destinationIp !== undefined &&
    sourcePort !== undefined &&
    destinationPort !== undefined
  ) {
    // The common TCP/UDP case in one literal: one allocation and one shape for most records,
    // which every encoder after this reads faster than objects grown property by property.
    record = {
      TimeGenerated: columns.timeGenerated,
      TimestampNs: ns,
      RecordId: id,
      ClusterName: context.cluster,
      NodeName: context.node,
      TraceConfiguration: configuration.key,
      CaptureLevel: configuration.captureLevel,
      TracePoint: tracePoint,
      TrafficDirection: direction,
      FlowId: flowId,
      IpVersion: ipVersion,
      Protocol: protocol,
      SourceIp: sourceIp,
      DestinationIp: destinationIp,
      SourcePort: sourcePort,
      DestinationPort: destinationPort,
    };
  } else {
    record = {
      TimeGenerated: columns.timeGenerated,
      TimestampNs: ns,
      RecordId: id,
      ClusterName: context.cluster,
      NodeName: context.node,
      TraceConfiguration: configuration.key,
      CaptureLevel: configuration.captureLevel,
    };
    if (tracePoint !== undefined) record.TracePoint = tracePoint;
    if (direction !== undefined) record.TrafficDirection = direction;
    if (flowId !== undefined) record.FlowId = flowId;
    if (ipVersion !== undefined) record.IpVersion = ipVersion;
    if (protocol !== undefined) record.Protocol = protocol;
    if (sourceIp !== undefined) record.SourceIp = sourceIp;
    if (destinationIp !== undefined) record.DestinationIp = destinationIp;
    if (sourcePort !== undefined) record.SourcePort = sourcePort;
    if (destinationPort !== undefined) record.DestinationPort = destinationPort;
  }
  if (columns.tcpFlags !== undefined) record.TcpFlags = columns.tcpFlags;
  if (packet.tcpSeq !== undefined) record.TcpSeq = packet.tcpSeq;
  if (packet.tcpAck !== undefined) record.TcpAck = packet.tcpAck;
  record.PacketBytes = packet.originalLength;
  if (packet.payloadLength !== undefined) record.PayloadBytes = packet.payloadLength;
  if (source) {
    if (source.namespace !== undefined) record.SourceNamespace = source.namespace;
    if (source.kind === 'pod') record.SourcePodName = source.name;
    if (source.workload) record.SourceWorkload = `${source.workload.kind}/${source.workload.name}`;
    const service = serviceName(source);
    if (service !== undefined) record.SourceServiceName = service;
    const node = nodeName(source);
    if (node !== undefined) record.SourceNodeName = node;
  }
  if (destination) {
    if (destination.namespace !== undefined) record.DestinationNamespace = destination.namespace;
    if (destination.kind === 'pod') record.DestinationPodName = destination.name;
    if (destination.workload) {
      record.DestinationWorkload = `${destination.workload.kind}/${destination.workload.name}`;
    }
    const service = serviceName(destination);
    if (service !== undefined) record.DestinationServiceName = service;
    const node = nodeName(destination);
    if (node !== undefined) record.DestinationNodeName = node;
  }
  if (source?.kind === 'pod' && source.labels) record.SourceLabels = source.labels;
  if (destination?.kind === 'pod' && destination.labels) record.DestinationLabels = destination.labels;
  if (layer7) {
    const target = record as unknown as Record<string, unknown>;
    for (const key in layer7) {
      const value = (layer7 as Record<string, unknown>)[key];
      if (value !== undefined) target[key] = value;
    }
  }
  if (columns.communityId !== undefined) record.CommunityId = columns.communityId;
  if (packet.icmpType !== undefined) addIcmpColumns(record, packet);
  if (packet.fragmentOverlap === true) record.IpFragmentOverlap = true;
  if (packet.fragmentIrregular === true) record.IpFragmentIrregular = true;
  if (options?.includeCaptureFrame) record.CaptureFrame = packet.frame;
  const analysis = packet.tcpAnalysis;
  if (analysis !== undefined && analysis !== 0) {
    const text = tcpAnalysisText(analysis);
    if (text !== '') record.TcpAnalysis = text;
  }
  return record;
}

/** `IcmpType`, `IcmpCode` and, for error messages, the quoted packet's `IcmpInner*` columns. */
function addIcmpColumns(record: TraceRecord, packet: DecodedPacket): void {
  record.IcmpType = packet.icmpType;
  if (packet.icmpCode !== undefined) record.IcmpCode = packet.icmpCode;
  if (packet.icmpInnerProtocol !== undefined)
    record.IcmpInnerProtocol = protocolName(packet.icmpInnerProtocol);
  if (packet.icmpInnerSourceIp !== undefined) record.IcmpInnerSourceIp = formatIp(packet.icmpInnerSourceIp);
  if (packet.icmpInnerDestinationIp !== undefined)
    record.IcmpInnerDestinationIp = formatIp(packet.icmpInnerDestinationIp);
  if (packet.icmpInnerSourcePort !== undefined) record.IcmpInnerSourcePort = packet.icmpInnerSourcePort;
  if (packet.icmpInnerDestinationPort !== undefined)
    record.IcmpInnerDestinationPort = packet.icmpInnerDestinationPort;
}

function serviceName(endpoint: Endpoint): string | undefined {
  if (endpoint.kind === 'service') return endpoint.name;
  return endpoint.kind === 'pod' ? endpoint.serviceNames?.[0] : undefined;
}

function nodeName(endpoint: Endpoint): string | undefined {
  if (endpoint.kind === 'node') return endpoint.name;
  return endpoint.nodeName;
}
