/**
 * Applies a configuration's capture level to matched packets.
 *
 * - `AllPackets`: every matched packet is recorded.
 * - `FlowSummary`: no packet is recorded here (flows are summarised by `FlowSummaryTable`), only
 *   packets carrying a layer-7 message when layer 7 data is on.
 * - `FirstPacket`: the first packet of each flow, per configuration and trace point, is recorded
 *   (a flow is the normalised 5-tuple: both directions are one flow); with layer 7 data on, every
 *   packet carrying a layer-7 message is recorded too.
 *
 * Flow state is bounded: at most `maxFlows` flows (least recently seen evicted first) and a flow
 * idle for `idleTimeoutInMs` of packet time is forgotten, so its next packet counts as a first
 * packet again. Time comes from packet timestamps, never the wall clock. Several nodes publish to
 * one partition and their clocks differ, so flows are kept per node and each node's flows age on
 * that node's clock: a node whose clock lags another's still has its flows recorded once, not on
 * every packet. State lives in memory,
 * per instance (one filter per Event Hubs partition): after a restart, a rebalance or an
 * eviction a flow may be reported again; record ids are deterministic, so a sink that writes by
 * `RecordId` stays idempotent for re-delivered packets, and a re-reported flow shows up as one
 * extra record.
 */
import type { CaptureLevel } from '../config/model';
import type { DecodedPacket, TracePoint } from '../packet/decodedPacket';
import { flowMapKey } from '../packet/flowKey';

/** Options of a {@link CaptureLevelFilter}. */
export interface CaptureLevelFilterOptions {
  /** Most flows tracked at once. Default 200 000. */
  maxFlows?: number;
  /** Packet-time idle timeout of a flow in ms. Default 120 000. */
  idleTimeoutInMs?: number;
}

/** Counters of a {@link CaptureLevelFilter}. */
export interface CaptureLevelStats {
  /** Flows tracked now. */
  trackedFlows: number;
  /** Flows dropped because `maxFlows` was reached. */
  evictedForSize: number;
  /** Flows forgotten after being idle. */
  expiredIdle: number;
}

const SWEEP_EVERY = 4096;

/**
 * A tracked flow's position in its table is refreshed at most this often (packet time): most
 * packets of a busy flow then cost one lookup instead of a delete and a re-insert, and last-seen
 * times, idle expiry and eviction order are exact to within this much.
 */
const REFRESH_MS = 1000;

/** One node's clock and its flows, per configuration and trace point. */
interface NodeFlows {
  /** The newest packet time seen from this node, in ms. */
  clockMs: number;
  /** Configuration key ─► flows per trace point (index {@link tracePointSlot}). */
  readonly scopes: Map<string, (ScopeFlows | undefined)[]>;
}

/** The flows of one node, configuration and trace point, least recently seen first. */
interface ScopeFlows {
  /** Normalised 5-tuple ({@link flowMapKey}) ─► last seen (ms of the node's packet time). */
  readonly flows: Map<string, number>;
}

/** Decides which matched packets become records. */
export class CaptureLevelFilter {
  private readonly nodes = new Map<string, NodeFlows>();
  private readonly maxFlows: number;
  private readonly idleTimeoutInMs: number;
  private trackedFlows = 0;
  private calls = 0;
  private lastNode: string | undefined;
  private lastNodeFlows: NodeFlows | undefined;
  private evictedForSize = 0;
  private expiredIdle = 0;

  constructor(options: CaptureLevelFilterOptions = {}) {
    this.maxFlows = Math.max(1, options.maxFlows ?? 200_000);
    this.idleTimeoutInMs = options.idleTimeoutInMs ?? 120_000;
  }

  /**
   * True when the packet, matched by configuration `configurationKey`, should become a record.
   * `hasLayer7` tells whether the packet carries a layer-7 message (it completes one); `node` is
   * the node that captured it, whose clock its timestamp comes from.
   */
  shouldRecord(
    configurationKey: string,
    captureLevel: CaptureLevel,
    includeLayer7Data: boolean,
    packet: DecodedPacket,
    hasLayer7: boolean,
    node = '',
  ): boolean {
    if (captureLevel === 'AllPackets') return true;
    // FlowSummary flows are counted by the FlowSummaryTable; only layer-7 messages become records here.
    if (captureLevel === 'FlowSummary') return includeLayer7Data && hasLayer7;
    // A packet matched by several configurations is asked about once per configuration: the key
    // is built once (flowMapKey keeps the last packet's).
    const tuple = flowMapKey(packet);
    const l7 = includeLayer7Data && hasLayer7;
    if (tuple === undefined) return true;
    const nodeFlows = this.nodeFlows(node);
    const nowMs = packet.timestampSec * 1000 + packet.timestampNsec / 1e6;
    if (nowMs > nodeFlows.clockMs) nodeFlows.clockMs = nowMs;
    if (++this.calls % SWEEP_EVERY === 0) this.sweep();
    const { flows } = scopeOf(nodeFlows, configurationKey, packet.tracePoint);
    const lastSeen = flows.get(tuple);
    if (lastSeen !== undefined) {
      // The packet's own time, not the node's newest: an out-of-order packet is not idle.
      const sinceMs = nowMs - lastSeen;
      if (sinceMs <= this.idleTimeoutInMs) {
        if (sinceMs >= REFRESH_MS) {
          flows.delete(tuple);
          flows.set(tuple, nowMs);
        }
        return l7;
      }
      flows.delete(tuple);
      this.trackedFlows--;
      this.expiredIdle++;
    }
    flows.set(tuple, nowMs);
    if (++this.trackedFlows > this.maxFlows) this.evictOldest();
    return true;
  }

  /** Forgets flows idle longer than the timeout (in their node's packet time). Call once per batch. */
  sweep(): void {
    for (const [node, nodeFlows] of this.nodes) {
      let remaining = 0;
      for (const scope of scopesOf(nodeFlows)) {
        for (const [tuple, lastSeen] of scope.flows) {
          if (nodeFlows.clockMs - lastSeen <= this.idleTimeoutInMs) break;
          scope.flows.delete(tuple);
          this.trackedFlows--;
          this.expiredIdle++;
        }
        remaining += scope.flows.size;
      }
      if (remaining === 0) this.forget(node);
    }
  }

  /** Current counters. */
  stats(): CaptureLevelStats {
    return {
      trackedFlows: this.trackedFlows,
      evictedForSize: this.evictedForSize,
      expiredIdle: this.expiredIdle,
    };
  }

  private nodeFlows(node: string): NodeFlows {
    if (node === this.lastNode && this.lastNodeFlows !== undefined) return this.lastNodeFlows;
    let state = this.nodes.get(node);
    if (state === undefined) {
      state = { clockMs: -Infinity, scopes: new Map() };
      this.nodes.set(node, state);
    }
    this.lastNode = node;
    this.lastNodeFlows = state;
    return state;
  }

  private forget(node: string): void {
    this.nodes.delete(node);
    if (node === this.lastNode) {
      this.lastNode = undefined;
      this.lastNodeFlows = undefined;
    }
  }

  /** Evicts the flow idle longest on its own node's clock, until within `maxFlows`. */
  private evictOldest(): void {
    while (this.trackedFlows > this.maxFlows) {
      let oldest: { scope: ScopeFlows; tuple: string; idleMs: number } | undefined;
      for (const nodeFlows of this.nodes.values()) {
        for (const scope of scopesOf(nodeFlows)) {
          const first = scope.flows.entries().next();
          if (first.done === true) continue;
          const [tuple, lastSeen] = first.value;
          const idleMs = nodeFlows.clockMs - lastSeen;
          if (oldest === undefined || idleMs > oldest.idleMs) oldest = { scope, tuple, idleMs };
        }
      }
      if (oldest === undefined) return;
      oldest.scope.flows.delete(oldest.tuple);
      this.trackedFlows--;
      this.evictedForSize++;
    }
  }
}

/** Slot of a trace point in a configuration's per-trace-point flow tables (0: none). */
function tracePointSlot(tracePoint: TracePoint | undefined): number {
  switch (tracePoint) {
    case undefined:
      return 0;
    case 'PodToNode':
      return 1;
    case 'NodeToPod':
      return 2;
    case 'NodeToNetwork':
      return 3;
    case 'NetworkToNode':
      return 4;
  }
}

function scopeOf(node: NodeFlows, configurationKey: string, tracePoint: TracePoint | undefined): ScopeFlows {
  let byTracePoint = node.scopes.get(configurationKey);
  if (byTracePoint === undefined) {
    byTracePoint = [undefined, undefined, undefined, undefined, undefined];
    node.scopes.set(configurationKey, byTracePoint);
  }
  const slot = tracePointSlot(tracePoint);
  let scope = byTracePoint[slot];
  if (scope === undefined) {
    scope = { flows: new Map() };
    byTracePoint[slot] = scope;
  }
  return scope;
}

function* scopesOf(node: NodeFlows): Generator<ScopeFlows> {
  for (const byTracePoint of node.scopes.values()) {
    for (const scope of byTracePoint) if (scope !== undefined) yield scope;
  }
}
