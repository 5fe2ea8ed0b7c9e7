/**
 * Applies a configuration's capture level to matched packets.
 *
 * - `AllPackets`: every matched packet is recorded.
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
import type { DecodedPacket } from '../packet/decodedPacket';
import { flowMapKey } from './flowTuple';

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

/** The flows seen from one node, least recently seen first, aged on that node's clock. */
interface NodeFlows {
  /** Flow key ─► last seen (ms of this node's packet time). */
  readonly flows: Map<string, number>;
  /** The newest packet time seen from this node, in ms. */
  clockMs: number;
}

/** Decides which matched packets become records. */
export class CaptureLevelFilter {
  private readonly nodes = new Map<string, NodeFlows>();
  private readonly maxFlows: number;
  private readonly idleTimeoutInMs: number;
  private trackedFlows = 0;
  private calls = 0;
  private lastPacket: DecodedPacket | undefined;
  private lastTuple: string | undefined;
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
    // A packet matched by several configurations is asked about once per configuration.
    if (packet !== this.lastPacket) {
      this.lastPacket = packet;
      this.lastTuple = flowMapKey(packet);
    }
    const tuple = this.lastTuple;
    const l7 = includeLayer7Data && hasLayer7;
    if (tuple === undefined) return true;
    const state = this.flowsOf(node);
    const nowMs = packet.timestampSec * 1000 + packet.timestampNsec / 1e6;
    if (nowMs > state.clockMs) state.clockMs = nowMs;
    if (++this.calls % SWEEP_EVERY === 0) this.sweep();
    const key = `${configurationKey}\u0000${packet.tracePoint ?? ''}\u0000${tuple}`;
    const { flows } = state;
    const lastSeen = flows.get(key);
    if (lastSeen !== undefined) {
      flows.delete(key);
      // The packet's own time, not the node's newest: an out-of-order packet is not idle.
      if (nowMs - lastSeen <= this.idleTimeoutInMs) {
        flows.set(key, Math.max(lastSeen, nowMs));
        return l7;
      }
      this.trackedFlows--;
      this.expiredIdle++;
    }
    flows.set(key, nowMs);
    if (++this.trackedFlows > this.maxFlows) this.evictOldest();
    return true;
  }

  /** Forgets flows idle longer than the timeout (in their node's packet time). Call once per batch. */
  sweep(): void {
    for (const [node, state] of this.nodes) {
      for (const [key, lastSeen] of state.flows) {
        if (state.clockMs - lastSeen <= this.idleTimeoutInMs) break;
        state.flows.delete(key);
        this.trackedFlows--;
        this.expiredIdle++;
      }
      if (state.flows.size === 0) this.forget(node);
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

  private flowsOf(node: string): NodeFlows {
    if (node === this.lastNode && this.lastNodeFlows !== undefined) return this.lastNodeFlows;
    let state = this.nodes.get(node);
    if (state === undefined) {
      state = { flows: new Map(), clockMs: -Infinity };
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
      let oldest: { node: string; state: NodeFlows; key: string; idleMs: number } | undefined;
      for (const [node, state] of this.nodes) {
        const first = state.flows.entries().next();
        if (first.done === true) continue;
        const [key, lastSeen] = first.value;
        const idleMs = state.clockMs - lastSeen;
        if (oldest === undefined || idleMs > oldest.idleMs) oldest = { node, state, key, idleMs };
      }
      if (oldest === undefined) return;
      oldest.state.flows.delete(oldest.key);
      if (oldest.state.flows.size === 0) this.forget(oldest.node);
      this.trackedFlows--;
      this.evictedForSize++;
    }
  }
}
