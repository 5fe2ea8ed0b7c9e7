/**
 * Collects the packets of one batch that retaining configurations matched, then writes them as
 * one gzip pcapng (the project's writer: interfaces named `<TracePoint>/<ifname>` and described
 * `<cluster>/<node>`, one `RecordId=<id>` comment per record on each Enhanced Packet Block) plus
 * its index. Packet bytes are not copied until the capture is written: they stay views into the
 * batch, which outlives the retainer.
 */
import { createHash } from 'node:crypto';
import { constants, gzipSync } from 'node:zlib';
import type { CapturePacket } from '../capture/capturePacket';
import { PcapngWriter } from '../capture/pcapngWriter';
import type { Endpoint } from '../enrich/identity';
import type { TraceRecord } from '../record/traceRecord';
import { captureRef, retainedBlobName } from './retainedBlobName';
import type { RetainedFrameEntry, RetentionIndex } from './retentionIndex';
import { RETENTION_INDEX_VERSION } from './retentionIndexVersion';

/** One batch's retained packets, ready to upload. */
export interface RetainedBatch {
  /** Capture blob name (`retained/<cluster>/<node>/<yyyy>/<MM>/<dd>/<HH>/<batch>.pcapng.gz`). */
  blob: string;
  /** gzip pcapng. */
  body: Uint8Array;
  index: RetentionIndex;
  /** Size of the pcapng before gzip, in bytes. */
  rawBytes: number;
}

/** Prefix of the comment that carries a record id on a retained packet. */
export const RECORD_ID_COMMENT_PREFIX = 'RecordId=';

interface PendingFrame {
  captured: CapturePacket;
  ns: bigint;
  flow: string | undefined;
  pods: string[] | undefined;
  records: TraceRecord[] | undefined;
}

function podName(endpoint: Endpoint | undefined): string | undefined {
  return endpoint?.kind === 'pod' && endpoint.namespace !== undefined
    ? `${endpoint.namespace}/${endpoint.name}`
    : undefined;
}

/** Accumulates retained packets for one batch; see the module comment. */
export class PacketRetainer {
  private readonly frames: PendingFrame[] = [];
  private retainDays = 0;

  constructor(private readonly context: { cluster: string; node: string }) {}

  /** Packets retained so far. */
  get size(): number {
    return this.frames.length;
  }

  /**
   * Retains one captured packet for `days` (the longest asked for wins); returns its 1-based frame
   * number in the retained capture.
   */
  add(
    captured: CapturePacket,
    flowId: string | undefined,
    source: Endpoint | undefined,
    destination: Endpoint | undefined,
    days: number,
  ): number {
    const a = podName(source);
    const b = podName(destination);
    const pods =
      a === undefined ? (b === undefined ? undefined : [b]) : b === undefined || b === a ? [a] : [a, b];
    this.frames.push({
      captured,
      ns: BigInt(captured.timestampSec) * 1_000_000_000n + BigInt(captured.timestampNsec),
      flow: flowId,
      pods,
      records: undefined,
    });
    if (days > this.retainDays) this.retainDays = days;
    return this.frames.length;
  }

  /** Extends the retention of the batch (another configuration retained the same packet). */
  extend(days: number): void {
    if (days > this.retainDays) this.retainDays = days;
  }

  /** Notes that `record` was written for retained frame `frame`; it gets its `CaptureRef` in {@link finish}. */
  attach(frame: number, record: TraceRecord): void {
    const pending = this.frames[frame - 1];
    if (pending !== undefined) (pending.records ??= []).push(record);
  }

  /**
   * Writes the retained capture and its index, and sets `CaptureRef` on every attached record.
   * Undefined when nothing was retained (retention off writes nothing).
   */
  finish(): RetainedBatch | undefined {
    if (this.frames.length === 0) return undefined;
    const { cluster, node } = this.context;
    const writer = new PcapngWriter({
      userApplication: 'retina-trace-backend packet retention',
      comments: [`cluster ${cluster}, node ${node}`],
    });
    const interfaces = new Map<string, number>();
    const entries: RetainedFrameEntry[] = [];
    let from = this.frames[0]!.ns;
    let to = from;
    for (const frame of this.frames) {
      const iface = frame.captured.interface;
      const key = `${iface.linkType}|${iface.name ?? ''}`;
      let index = interfaces.get(key);
      if (index === undefined) {
        index = writer.addInterface({
          linkType: iface.linkType,
          ...(iface.name !== undefined ? { name: iface.name } : {}),
          description: `${cluster}/${node}`,
          snapLength: iface.snapLength,
        });
        interfaces.set(key, index);
      }
      const recordIds = frame.records?.map((record) => record.RecordId);
      const comments = [
        ...(frame.captured.comments ?? []),
        ...(recordIds ?? []).map((id) => `${RECORD_ID_COMMENT_PREFIX}${id}`),
      ];
      const entry: RetainedFrameEntry = { ns: frame.ns.toString(), offset: writer.byteLength };
      writer.addPacket({
        interfaceIndex: index,
        timestampSec: frame.captured.timestampSec,
        timestampNsec: frame.captured.timestampNsec,
        data: frame.captured.data,
        originalLength: frame.captured.originalLength,
        direction: frame.captured.direction,
        ...(comments.length > 0 ? { comments } : {}),
      });
      if (frame.flow !== undefined) entry.flow = frame.flow;
      const communityId = frame.records
        ?.map((record) => (record as unknown as Record<string, unknown>).CommunityId)
        .find((value): value is string => typeof value === 'string');
      if (communityId !== undefined) entry.communityId = communityId;
      if (frame.pods !== undefined) entry.pods = frame.pods;
      if (recordIds !== undefined) entry.records = recordIds;
      entries.push(entry);
      if (frame.ns < from) from = frame.ns;
      if (frame.ns > to) to = frame.ns;
    }
    const raw = writer.toBytes();
    const batchId = createHash('sha256').update(raw).digest('hex').slice(0, 24);
    const first = this.frames[0]!.captured;
    const blob = retainedBlobName(cluster, node, first.timestampSec * 1000, batchId);
    // Fastest level: within 1% of the default's size on packet data, a quarter less CPU.
    const body = gzipSync(raw, { level: constants.Z_BEST_SPEED });
    // Records point at the blob only once everything it needs exists.
    this.frames.forEach((frame, i) => {
      for (const record of frame.records ?? []) record.CaptureRef = captureRef(blob, i + 1);
    });
    return {
      blob,
      body,
      rawBytes: raw.length,
      index: {
        version: RETENTION_INDEX_VERSION,
        blob,
        cluster,
        node,
        fromNs: from.toString(),
        toNs: to.toString(),
        retainDays: this.retainDays,
        frames: entries,
      },
    };
  }
}
