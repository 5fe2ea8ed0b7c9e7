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
 * packet again. Time comes from packet timestamps, never the wall clock. State lives in memory,
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

/** Decides which matched packets become records. */
export class CaptureLevelFilter {
  private readonly flows = new Map<string, number>();
  private readonly maxFlows: number;
  private readonly idleTimeoutInMs: number;
  private clockMs = -Infinity;
  private calls = 0;
  private lastPacket: DecodedPacket | undefined;
  private lastTuple: string | undefined;
  private evictedForSize = 0;
  private expiredIdle = 0;

  constructor(options: CaptureLevelFilterOptions = {}) {
    this.maxFlows = Math.max(1, options.maxFlows ?? 200_000);
    this.idleTimeoutInMs = options.idleTimeoutInMs ?? 120_000;
  }

  /**
   * True when the packet, matched by configuration `configurationKey`, should become a record.
   * `hasLayer7` tells whether the packet carries a layer-7 message (it completes one).
   */
  shouldRecord(
    configurationKey: string,
    captureLevel: CaptureLevel,
    includeLayer7Data: boolean,
    packet: DecodedPacket,
    hasLayer7: boolean,
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
    const nowMs = packet.timestampSec * 1000 + packet.timestampNsec / 1e6;
    if (nowMs > this.clockMs) this.clockMs = nowMs;
    if (++this.calls % SWEEP_EVERY === 0) this.sweep();
    const key = `${configurationKey}\u0000${packet.tracePoint ?? ''}\u0000${tuple}`;
    const lastSeen = this.flows.get(key);
    if (lastSeen !== undefined) {
      this.flows.delete(key);
      if (this.clockMs - lastSeen <= this.idleTimeoutInMs) {
        this.flows.set(key, Math.max(lastSeen, nowMs));
        return l7;
      }
      this.expiredIdle++;
    }
    this.flows.set(key, nowMs);
    if (this.flows.size > this.maxFlows) this.evictOldest();
    return true;
  }

  /** Forgets flows idle longer than the timeout (in packet time). Call once per batch. */
  sweep(): void {
    for (const [key, lastSeen] of this.flows) {
      if (this.clockMs - lastSeen <= this.idleTimeoutInMs) break;
      this.flows.delete(key);
      this.expiredIdle++;
    }
  }

  /** Current counters. */
  stats(): CaptureLevelStats {
    return {
      trackedFlows: this.flows.size,
      evictedForSize: this.evictedForSize,
      expiredIdle: this.expiredIdle,
    };
  }

  private evictOldest(): void {
    for (const key of this.flows.keys()) {
      this.flows.delete(key);
      this.evictedForSize++;
      if (this.flows.size <= this.maxFlows) return;
    }
  }
}
