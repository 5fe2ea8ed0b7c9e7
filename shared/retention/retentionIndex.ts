/**
 * The small index written beside every retained capture blob (`<blob>.idx.json.gz`): enough to tell,
 * without downloading the capture, whether it holds packets of a record, flow, Community ID or
 * pod, and which frames they are.
 */
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { isGzip } from '../capture/gzip';
import { TraceError } from '../errors';
import { RETENTION_INDEX_VERSION } from './retentionIndexVersion';

export { RETENTION_INDEX_VERSION };

/** Suffix of an index blob (gzip JSON), appended to its capture blob's name. */
export const RETENTION_INDEX_SUFFIX = '.idx.json.gz';

/** Largest index accepted when reading (decompressed), in bytes. */
const MAX_INDEX_BYTES = 64 * 1024 * 1024;

/** One retained frame. */
export interface RetainedFrameEntry {
  /** Epoch nanoseconds as a decimal string (exact, as `TimestampNs`). */
  ns: string;
  /** Byte offset of the frame's Enhanced Packet Block in the decompressed pcapng. */
  offset: number;
  /** `FlowId` of the packet, when it has an IP 5-tuple. */
  flow?: string;
  /** `CommunityId` of the packet's records, when they carry one. */
  communityId?: string;
  /** `namespace/name` of the pods at either end, when known. */
  pods?: string[];
  /** `RecordId`s of the records written for this frame (several configurations, several L7 messages). */
  records?: string[];
}

/** A retention index. Frame `n` (1-based, as in `CaptureRef`) is `frames[n - 1]`. */
export interface RetentionIndex {
  version: typeof RETENTION_INDEX_VERSION;
  /** The capture blob it describes. */
  blob: string;
  cluster: string;
  node: string;
  /** Earliest and latest packet time, epoch ns as decimal strings. */
  fromNs: string;
  toNs: string;
  /** Retention asked for by the configurations whose packets it holds (the longest), in days. */
  retainDays: number;
  frames: RetainedFrameEntry[];
}

const frameSchema = z.strictObject({
  ns: z.string().regex(/^\d+$/),
  offset: z.number().int().nonnegative(),
  flow: z.string().optional(),
  communityId: z.string().optional(),
  pods: z.array(z.string()).optional(),
  records: z.array(z.string()).optional(),
});

const indexSchema = z.strictObject({
  version: z.literal(RETENTION_INDEX_VERSION),
  blob: z.string().min(1),
  cluster: z.string(),
  node: z.string(),
  fromNs: z.string().regex(/^\d+$/),
  toNs: z.string().regex(/^\d+$/),
  retainDays: z.number().int().positive(),
  frames: z.array(frameSchema),
});

/**
 * The bytes of an index blob: gzip JSON (RecordIds and FlowIds are hex, but flows, pods and
 * times repeat within a batch: gzip about halves it).
 */
export function encodeRetentionIndex(index: RetentionIndex): Buffer {
  return gzipSync(Buffer.from(JSON.stringify(index)), { level: constants.Z_BEST_SPEED });
}

/** Reads an index blob's bytes (gzip or plain JSON); throws `RETENTION_INDEX_INVALID` naming `where`. */
export function decodeRetentionIndex(bytes: Uint8Array, where: string): RetentionIndex {
  let text: string;
  try {
    text = (
      isGzip(bytes) ? gunzipSync(bytes, { maxOutputLength: MAX_INDEX_BYTES }) : Buffer.from(bytes)
    ).toString('utf8');
  } catch (caught) {
    throw new TraceError('RETENTION_INDEX_INVALID', `${where}: damaged gzip`, { cause: caught });
  }
  return parseRetentionIndex(text, where);
}

/** Parses an index blob; throws `RETENTION_INDEX_INVALID` naming the blob and field path. */
export function parseRetentionIndex(text: string, where: string): RetentionIndex {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (caught) {
    throw new TraceError('RETENTION_INDEX_INVALID', `${where}: not JSON`, { cause: caught });
  }
  const parsed = indexSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.map(String).join('.') || '(root)';
    throw new TraceError('RETENTION_INDEX_INVALID', `${where}: at ${path}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
