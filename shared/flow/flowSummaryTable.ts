/**
 * The `FlowSummary` capture level: one record per flow and interval instead of one per packet.
 *
 * Flows are kept per node, configuration and observation point, keyed by the same normalised
 * 5-tuple as `FirstPacket` ({@link flowMapKey}). The observation point is the device of the
 * trace point (`vethfront` of `PodToNode/vethfront` and `NodeToPod/vethfront`): both directions
 * of a connection cross one device at two trace points, and are one flow there; a same-node
 * pod-to-pod connection is a flow at each pod's device. Packets without a trace point share one
 * observation point, as in a plain capture. Time is packet time on each node's own clock,
 * never the wall clock. A flow's record is written (through the {@link FlowRecordSink} the caller
 * passes) when:
 *
 * - it closed (both FINs, or a RST) and then stayed quiet for `closedLingerInMs`, or a new SYN
 *   reused its 5-tuple (`fin` / `rst`; the SYN starts a new flow, as tshark's `tcp.stream` does);
 * - it was idle longer than its protocol's idle timeout (`idle`);
 * - it was open longer than `intervalInMs` (`interval`: the flow goes on, counters start over);
 * - the table is full (the least recently seen flow is evicted and counted), or the state is
 *   flushed because the capture ended or the partition was released (`shutdown`; a flow that had
 *   already closed keeps `fin` / `rst`).
 *
 * Nothing is dropped silently: every flow that leaves the table leaves through the sink.
 */
import type { DnsNameLookup } from '../enrich/dnsNameCache';
import type { Endpoint } from '../enrich/identity';
import type { ConfigurationMatch } from '../match/configurationMatcher';
import { IpProtocol, TcpFlag, type DecodedPacket } from '../packet/decodedPacket';
import { packetFlowId } from '../packet/flowKey';
import { WELL_KNOWN_PORTS } from '../match/wellKnownPorts';
import { trafficDirection } from '../record/trafficDirection';
import { packetCommunityId } from './communityId';
import { FlowEntry, type FlowEndReason } from './flowEntry';
import { flowMapKey } from '../packet/flowKey';
import type { TcpPacketAnalysis } from '../tcp/tcpAnalyzer';

/** Idle timeouts by protocol, in ms of packet time; 0 means never. */
export interface FlowIdleTimeouts {
  /** Default 300 000 (5 min, Zeek's `tcp_inactivity_timeout`): TCP says when it ends, so wait longer. */
  tcp: number;
  /** Default 60 000 (Zeek's `udp_inactivity_timeout`). */
  udp: number;
  /** ICMP and ICMPv6. Default 60 000 (Zeek's `icmp_inactivity_timeout`). */
  icmp: number;
  /** Any other protocol. Default 60 000. */
  other: number;
}

/** Options of a {@link FlowSummaryTable}. */
export interface FlowSummaryOptions {
  /** Most flows held at once (all nodes, configurations and trace points). Default 200 000. */
  maxFlows?: number;
  /** A flow open longer than this writes a record per interval (ms of packet time). Default 60 000; 0: never. */
  intervalInMs?: number;
  /** Idle timeouts; a number sets every protocol's. 0: never. */
  idleTimeoutInMs?: number | Partial<FlowIdleTimeouts>;
  /**
   * How long a closed TCP flow (both FINs or a RST) stays to collect its last ACKs before its
   * record is written (ms of packet time). Default 5 000 (Zeek's `tcp_close_delay`), never more
   * than the TCP idle timeout; with that timeout 0, closed flows wait for reuse or a flush.
   */
  closedLingerInMs?: number;
}

/** Receives each flow record as it is written: the flow as counted, and why. */
export type FlowRecordSink = (flow: FlowEntry, reason: FlowEndReason) => void;

/** Counters of a {@link FlowSummaryTable}. */
export interface FlowSummaryStats {
  /** Flows held now. */
  trackedFlows: number;
  /** Flows evicted (and written with `shutdown`) because `maxFlows` was reached. */
  evicted: number;
  /** Flow records written, by reason. */
  records: Record<FlowEndReason, number>;
}

/** The packet-independent context of one observation. */
export interface FlowObservation {
  match: ConfigurationMatch;
  cluster: string;
  node: string;
  source: Endpoint | undefined;
  destination: Endpoint | undefined;
  /** Layer-7 messages this packet completed for the configuration (0 without layer 7). */
  l7Messages: number;
  /** The TCP analyser's outcome for this packet (undefined for other protocols). */
  tcp?: TcpPacketAnalysis | undefined;
  /** The node's DNS names: a new flow takes its `DestinationFqdn` / `SourceFqdn` from them. */
  names?: DnsNameLookup | undefined;
}

const DEFAULT_IDLE: FlowIdleTimeouts = { tcp: 300_000, udp: 60_000, icmp: 60_000, other: 60_000 };

/** Table positions are refreshed at most this often (packet time): LRU order is exact to 1 s. */
const REFRESH_MS = 1000;
/**
 * In-packet sweeps (a scan of the node's flows) run at most this often in packet time and once
 * per this many packets of the node; each batch also sweeps at its end.
 */
const SWEEP_MS = 1000;
const SWEEP_PACKETS = 4096;

/** Ports on which the receiver is taken for the server when a flow is first seen midstream. */
const SERVICE_PORTS: ReadonlySet<number> = new Set(
  Object.values(WELL_KNOWN_PORTS).flatMap((byProtocol) => Object.values(byProtocol)),
);

interface NodeFlows {
  clockMs: number;
  lastSweepMs: number;
  /** Packets seen since the last sweep. */
  sinceSweep: number;
  /** Configuration key ─► observation point ─► flows, least recently seen first. */
  readonly scopes: Map<string, Map<string, Map<string, FlowEntry>>>;
}

/** Interface names remembered with their observation point (bounded: names come from batches). */
const MAX_CACHED_INTERFACES = 1024;

/** Per-partition FlowSummary state. */
export class FlowSummaryTable {
  private readonly nodes = new Map<string, NodeFlows>();
  private readonly maxFlows: number;
  private readonly intervalInMs: number;
  private readonly idle: FlowIdleTimeouts;
  private readonly closedLingerInMs: number;
  private trackedFlows = 0;
  private evicted = 0;
  private readonly records: Record<FlowEndReason, number> = {
    fin: 0,
    rst: 0,
    idle: 0,
    interval: 0,
    shutdown: 0,
  };
  private readonly observationPoints = new Map<string, string>();
  private lastInterfaceName: string | undefined;
  private lastObservationPoint = '';
  private lastNodeName: string | undefined;
  private lastNode: NodeFlows | undefined;
  private lastScope: Map<string, FlowEntry> | undefined;
  private lastScopeNode: NodeFlows | undefined;
  private lastScopeConfiguration: string | undefined;
  private lastScopePoint: string | undefined;
  /**
   * The flow counted last and its scope: consecutive packets mostly belong to one flow, which is
   * then found by comparing its tuple, without building the key string and hashing it. Cleared
   * whenever that flow leaves the table.
   */
  private lastFlow: FlowEntry | undefined;
  private lastFlowScope: Map<string, FlowEntry> | undefined;

  constructor(options: FlowSummaryOptions = {}) {
    this.maxFlows = Math.max(1, options.maxFlows ?? 200_000);
    this.intervalInMs = Math.max(0, options.intervalInMs ?? 60_000);
    const idle = options.idleTimeoutInMs;
    this.idle =
      typeof idle === 'number'
        ? { tcp: idle, udp: idle, icmp: idle, other: idle }
        : { ...DEFAULT_IDLE, ...(idle ?? {}) };
    const linger = options.closedLingerInMs ?? 5_000;
    this.closedLingerInMs =
      this.idle.tcp === 0 ? (options.closedLingerInMs ?? 0) : Math.min(linger, this.idle.tcp);
  }

  /**
   * Counts a matched packet in its flow, writing the records its arrival ends (idle, interval,
   * port reuse, eviction) to `sink` first.
   */
  observe(packet: DecodedPacket, observation: FlowObservation, sink: FlowRecordSink): void {
    if (packet.sourceIp === undefined || packet.destinationIp === undefined) return;
    const nowMs = packet.timestampSec * 1000 + packet.timestampNsec / 1e6;
    const node = this.nodeFlows(observation.node);
    node.sinceSweep++;
    if (nowMs > node.clockMs) node.clockMs = nowMs;
    const point = this.observationPointOf(packet);
    const configurationKey = observation.match.key;
    // Consecutive packets mostly share node, configuration and device: one lookup chain saved.
    let flows = this.lastScope;
    if (
      flows === undefined ||
      node !== this.lastScopeNode ||
      configurationKey !== this.lastScopeConfiguration ||
      point !== this.lastScopePoint
    ) {
      flows = scopeOf(node, configurationKey, point);
      this.lastScope = flows;
      this.lastScopeNode = node;
      this.lastScopeConfiguration = configurationKey;
      this.lastScopePoint = point;
    }
    let key: string;
    let flow: FlowEntry | undefined;
    const last = this.lastFlow;
    if (last !== undefined && this.lastFlowScope === flows && last.hasTupleOf(packet)) {
      key = last.key;
      flow = last;
    } else {
      const packetKey = flowMapKey(packet);
      if (packetKey === undefined) return;
      key = packetKey;
      flow = flows.get(key);
    }
    if (flow !== undefined) {
      const ended = this.endingReason(flow, packet, nowMs);
      if (ended !== undefined) {
        if (!flow.empty) this.write(flow, ended, sink);
        flows.delete(key);
        this.trackedFlows--;
        flow = undefined;
      } else if (this.intervalInMs > 0 && nowMs - flow.intervalStartMs >= this.intervalInMs && !flow.empty) {
        this.write(flow, 'interval', sink);
        flow.resetCounters();
      }
    }
    if (flow === undefined) {
      flow = new FlowEntry(packet, {
        match: observation.match,
        cluster: observation.cluster,
        node: observation.node,
        key,
        flipped: initiatorIsReceiver(packet),
        source: observation.source,
        destination: observation.destination,
        trafficDirection: trafficDirection(packet.tracePoint, packet.direction),
        flowId: packetFlowId(packet) ?? '',
        communityId: packetCommunityId(packet),
      });
      flow.refreshedMs = nowMs;
      const names = observation.names;
      if (names !== undefined) {
        flow.destinationFqdn = names.nameFor(flow.sourceIp, flow.destinationIp, nowMs);
        flow.sourceFqdn = names.nameFor(flow.destinationIp, flow.sourceIp, nowMs);
      }
      flows.set(key, flow);
      if (++this.trackedFlows > this.maxFlows) this.evictOldest(sink, flow);
    } else if (nowMs - flow.refreshedMs >= REFRESH_MS) {
      flows.delete(key);
      flows.set(key, flow);
      flow.refreshedMs = nowMs;
    }
    flow.count(packet, nowMs, observation.l7Messages, observation.tcp);
    this.lastFlow = flow;
    this.lastFlowScope = flows;
    if (node.lastSweepMs === -Infinity) node.lastSweepMs = nowMs;
    else if (node.sinceSweep >= SWEEP_PACKETS && nowMs - node.lastSweepMs >= SWEEP_MS)
      this.sweepNode(node, sink);
  }

  /**
   * Writes the records that are due on each node's clock (closed, idle, interval) and forgets the
   * ended flows. Call once per batch.
   */
  sweep(sink: FlowRecordSink): void {
    for (const [name, node] of this.nodes) {
      this.sweepNode(node, sink);
      if (countFlows(node) === 0) {
        this.nodes.delete(name);
        this.forgetCaches();
      }
    }
  }

  /**
   * Writes every flow held (`shutdown`, or `fin` / `rst` for flows already closed) and forgets
   * them: the capture ended, or the partition's state is being released.
   */
  flush(sink: FlowRecordSink): void {
    for (const node of this.nodes.values()) {
      for (const flows of scopesOf(node)) {
        for (const flow of flows.values()) if (!flow.empty) this.write(flow, flow.closed ?? 'shutdown', sink);
        this.trackedFlows -= flows.size;
        flows.clear();
      }
    }
    this.nodes.clear();
    this.forgetCaches();
  }

  /** Current counters. */
  stats(): FlowSummaryStats {
    return { trackedFlows: this.trackedFlows, evicted: this.evicted, records: { ...this.records } };
  }

  /** The device part of the packet's interface name ('' without a trace point). */
  private observationPointOf(packet: DecodedPacket): string {
    const name = packet.interfaceName;
    if (packet.tracePoint === undefined || name === undefined) return '';
    // Consecutive packets mostly come through one interface.
    if (name === this.lastInterfaceName) return this.lastObservationPoint;
    let point = this.observationPoints.get(name);
    if (point === undefined) {
      if (this.observationPoints.size >= MAX_CACHED_INTERFACES) this.observationPoints.clear();
      point = name.slice(name.indexOf('/') + 1);
      this.observationPoints.set(name, point);
    }
    this.lastInterfaceName = name;
    this.lastObservationPoint = point;
    return point;
  }

  /** Why `flow` ends before `packet` (a packet of the same 5-tuple) is counted, if it does. */
  private endingReason(flow: FlowEntry, packet: DecodedPacket, nowMs: number): FlowEndReason | undefined {
    const quietMs = nowMs - flow.lastSeenMs;
    if (flow.closed !== undefined) {
      // A new SYN on a closed 5-tuple is a new connection (port reuse).
      const flags = packet.tcpFlags ?? 0;
      if ((flags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN) return flow.closed;
      if (this.closedLingerInMs > 0 && quietMs > this.closedLingerInMs) return flow.closed;
      return undefined;
    }
    const idle = this.idleOf(flow.protocol);
    return idle > 0 && quietMs > idle ? 'idle' : undefined;
  }

  private idleOf(protocol: number): number {
    if (protocol === IpProtocol.TCP) return this.idle.tcp;
    if (protocol === IpProtocol.UDP) return this.idle.udp;
    if (protocol === IpProtocol.ICMP || protocol === IpProtocol.ICMPv6) return this.idle.icmp;
    return this.idle.other;
  }

  private sweepNode(node: NodeFlows, sink: FlowRecordSink): void {
    node.lastSweepMs = node.clockMs;
    node.sinceSweep = 0;
    const now = node.clockMs;
    for (const flows of scopesOf(node)) {
      for (const [key, flow] of flows) {
        const quietMs = now - flow.lastSeenMs;
        let ended: FlowEndReason | undefined;
        if (flow.closed !== undefined) {
          if (this.closedLingerInMs > 0 && quietMs > this.closedLingerInMs) ended = flow.closed;
        } else {
          const idle = this.idleOf(flow.protocol);
          if (idle > 0 && quietMs > idle) ended = 'idle';
        }
        if (ended !== undefined) {
          if (!flow.empty) this.write(flow, ended, sink);
          flows.delete(key);
          this.trackedFlows--;
          if (flow === this.lastFlow) this.lastFlow = undefined;
        } else if (this.intervalInMs > 0 && now - flow.intervalStartMs >= this.intervalInMs && !flow.empty) {
          this.write(flow, 'interval', sink);
          flow.resetCounters();
        }
      }
    }
  }

  private write(flow: FlowEntry, reason: FlowEndReason, sink: FlowRecordSink): void {
    this.records[reason]++;
    sink(flow, reason);
  }

  /** Evicts the flow seen least recently on its own node's clock (never `keep`), writing it. */
  private evictOldest(sink: FlowRecordSink, keep: FlowEntry): void {
    while (this.trackedFlows > this.maxFlows) {
      let oldest: { flows: Map<string, FlowEntry>; flow: FlowEntry; idleMs: number } | undefined;
      for (const node of this.nodes.values()) {
        for (const flows of scopesOf(node)) {
          for (const flow of flows.values()) {
            if (flow === keep) continue;
            const idleMs = node.clockMs - flow.lastSeenMs;
            if (oldest === undefined || idleMs > oldest.idleMs) oldest = { flows, flow, idleMs };
            break;
          }
        }
      }
      if (oldest === undefined) return;
      oldest.flows.delete(oldest.flow.key);
      if (oldest.flow === this.lastFlow) this.lastFlow = undefined;
      this.trackedFlows--;
      this.evicted++;
      if (!oldest.flow.empty) this.write(oldest.flow, 'shutdown', sink);
    }
  }

  private nodeFlows(name: string): NodeFlows {
    if (name === this.lastNodeName && this.lastNode !== undefined) return this.lastNode;
    let node = this.nodes.get(name);
    if (node === undefined) {
      node = { clockMs: -Infinity, lastSweepMs: -Infinity, sinceSweep: 0, scopes: new Map() };
      this.nodes.set(name, node);
    }
    this.lastNodeName = name;
    this.lastNode = node;
    return node;
  }

  /** Forgets the cached lookups (a node, or every node, was dropped). */
  private forgetCaches(): void {
    this.lastNodeName = undefined;
    this.lastNode = undefined;
    this.lastScope = undefined;
    this.lastScopeNode = undefined;
    this.lastFlow = undefined;
    this.lastFlowScope = undefined;
  }
}

/**
 * True when the packet's receiver initiated its flow: a SYN-ACK seen before any SYN, or (without a
 * handshake) a packet from a well-known service port to a port that is not one.
 */
export function initiatorIsReceiver(packet: DecodedPacket): boolean {
  if (packet.protocol === IpProtocol.TCP && packet.tcpFlags !== undefined) {
    const synAck = packet.tcpFlags & (TcpFlag.SYN | TcpFlag.ACK);
    if (synAck === TcpFlag.SYN) return false;
    if (synAck === (TcpFlag.SYN | TcpFlag.ACK)) return true;
  }
  if (packet.protocol === IpProtocol.ICMP) return packet.icmpType === 0 || packet.icmpType === 14;
  if (packet.protocol === IpProtocol.ICMPv6) return packet.icmpType === 129;
  const sport = packet.sourcePort;
  const dport = packet.destinationPort;
  if (sport === undefined || dport === undefined) return false;
  return isServicePort(sport) && !isServicePort(dport);
}

function isServicePort(port: number): boolean {
  return port < 1024 || SERVICE_PORTS.has(port);
}

function scopeOf(
  node: NodeFlows,
  configurationKey: string,
  observationPoint: string,
): Map<string, FlowEntry> {
  let byPoint = node.scopes.get(configurationKey);
  if (byPoint === undefined) {
    byPoint = new Map();
    node.scopes.set(configurationKey, byPoint);
  }
  let flows = byPoint.get(observationPoint);
  if (flows === undefined) {
    flows = new Map();
    byPoint.set(observationPoint, flows);
  }
  return flows;
}

function* scopesOf(node: NodeFlows): Generator<Map<string, FlowEntry>> {
  for (const byPoint of node.scopes.values()) yield* byPoint.values();
}

function countFlows(node: NodeFlows): number {
  let n = 0;
  for (const flows of scopesOf(node)) n += flows.size;
  return n;
}
