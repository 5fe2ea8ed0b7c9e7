/** What `tracectl pcap` asks for, and the test of one retained frame against it. Pure. */
import type { RetainedFrameEntry, RetentionIndex } from './retentionIndex';

/** Which packets to retrieve: exactly one selector, optionally a time range and cluster. */
export type PacketSelector =
  | { kind: 'record'; recordId: string }
  | { kind: 'flow'; flowId: string }
  | { kind: 'communityId'; communityId: string }
  | { kind: 'pod'; pod: string };

/** A retrieval query. */
export interface PacketQuery {
  selector: PacketSelector;
  /** Inclusive range of packet times, epoch ns. */
  fromNs?: bigint;
  toNs?: bigint;
  /** Only blobs of this cluster. */
  cluster?: string;
}

/** True when the frame matches the selector (the time range is checked separately). */
export function frameMatches(entry: RetainedFrameEntry, selector: PacketSelector): boolean {
  switch (selector.kind) {
    case 'record':
      return entry.records?.includes(selector.recordId) === true;
    case 'flow':
      return entry.flow === selector.flowId;
    case 'communityId':
      return entry.communityId === selector.communityId;
    case 'pod':
      return entry.pods?.includes(selector.pod) === true;
  }
}

/** True when `[fromNs, toNs]` of a blob overlaps the query's range. */
export function rangeOverlaps(
  query: PacketQuery,
  fromNs: bigint | undefined,
  toNs: bigint | undefined,
): boolean {
  if (query.fromNs !== undefined && toNs !== undefined && toNs < query.fromNs) return false;
  if (query.toNs !== undefined && fromNs !== undefined && fromNs > query.toNs) return false;
  return true;
}

/** 1-based frame numbers of an index's frames that match the query, in blob order. */
export function matchingFrames(index: RetentionIndex, query: PacketQuery): number[] {
  const frames: number[] = [];
  index.frames.forEach((entry, i) => {
    if (!frameMatches(entry, query.selector)) return;
    const ns = BigInt(entry.ns);
    if (query.fromNs !== undefined && ns < query.fromNs) return;
    if (query.toNs !== undefined && ns > query.toNs) return;
    frames.push(i + 1);
  });
  return frames;
}

/** Describes a selector for messages, e.g. `flow 3f2a…`. */
export function describeSelector(selector: PacketSelector): string {
  switch (selector.kind) {
    case 'record':
      return `record ${selector.recordId}`;
    case 'flow':
      return `flow ${selector.flowId}`;
    case 'communityId':
      return `Community ID ${selector.communityId}`;
    case 'pod':
      return `pod ${selector.pod}`;
  }
}
