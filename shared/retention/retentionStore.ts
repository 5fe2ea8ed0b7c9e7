/**
 * Retained packet captures in one blob container (Azurite locally): uploads a batch's capture and
 * index, lists indexes, downloads what retrieval needs.
 */
import type { ContainerClient } from '@azure/storage-blob';
import type { RetainedBatch } from './packetRetainer';
import { RETAINED_PREFIX } from './retainedBlobName';
import {
  decodeRetentionIndex,
  encodeRetentionIndex,
  RETENTION_INDEX_SUFFIX,
  type RetentionIndex,
} from './retentionIndex';

/** Default container of retained packets. */
export const RETENTION_CONTAINER = 'trace-retained';

/**
 * Blob index tag holding a blob's retention in days: the storage lifecycle policy deletes blobs by
 * it (infra/modules/storage.bicep).
 */
export const RETAIN_DAYS_TAG = 'retainDays';

/** An index blob as listed, with the time range from its metadata (no download). */
export interface RetainedIndexInfo {
  /** Index blob name. */
  name: string;
  /** The capture blob it describes. */
  blob: string;
  /** Epoch ns of the first and last packet, when the metadata has them. */
  fromNs?: bigint;
  toNs?: bigint;
}

/** Reader and writer of retained captures. */
export class RetentionStore {
  private ensured: Promise<unknown> | undefined;

  constructor(readonly container: ContainerClient) {}

  /**
   * Uploads the capture, then its index (so an index never names a capture that is missing).
   * Throws as the SDK does; the send stack classifies and retries.
   */
  async upload(batch: RetainedBatch, options: { abortSignal?: AbortSignal } = {}): Promise<void> {
    this.ensured ??= this.container.createIfNotExists().catch((caught: unknown) => {
      this.ensured = undefined;
      throw caught;
    });
    await this.ensured;
    const tags = { [RETAIN_DAYS_TAG]: String(batch.index.retainDays) };
    const metadata = {
      fromns: batch.index.fromNs,
      tons: batch.index.toNs,
      frames: String(batch.index.frames.length),
    };
    await this.container.getBlockBlobClient(batch.blob).upload(batch.body, batch.body.length, {
      abortSignal: options.abortSignal,
      blobHTTPHeaders: { blobContentType: 'application/vnd.tcpdump.pcap', blobContentEncoding: 'identity' },
      metadata,
      tags,
    });
    const index = encodeRetentionIndex(batch.index);
    await this.container
      .getBlockBlobClient(`${batch.blob}${RETENTION_INDEX_SUFFIX}`)
      .upload(index, index.length, {
        abortSignal: options.abortSignal,
        blobHTTPHeaders: { blobContentType: 'application/gzip' },
        metadata,
        tags,
      });
  }

  /** Lists index blobs under `prefix` (default everything retained). */
  async *listIndexes(prefix: string = RETAINED_PREFIX): AsyncGenerator<RetainedIndexInfo> {
    if (!(await this.container.exists())) return;
    for await (const item of this.container.listBlobsFlat({ prefix, includeMetadata: true })) {
      if (!item.name.endsWith(RETENTION_INDEX_SUFFIX)) continue;
      const info: RetainedIndexInfo = {
        name: item.name,
        blob: item.name.slice(0, -RETENTION_INDEX_SUFFIX.length),
      };
      const from = item.metadata?.fromns;
      const to = item.metadata?.tons;
      if (from !== undefined && /^\d+$/.test(from)) info.fromNs = BigInt(from);
      if (to !== undefined && /^\d+$/.test(to)) info.toNs = BigInt(to);
      yield info;
    }
  }

  /** Downloads and parses one index. */
  async readIndex(name: string): Promise<RetentionIndex> {
    const buffer = await this.container.getBlobClient(name).downloadToBuffer();
    return decodeRetentionIndex(buffer, `${this.container.containerName}/${name}`);
  }

  /** Downloads one capture blob (gzip pcapng). */
  async readCapture(blob: string): Promise<Buffer> {
    return this.container.getBlobClient(blob).downloadToBuffer();
  }

  /** Names of every blob under `prefix` (tests and `retention off writes nothing` checks). */
  async listNames(prefix: string = RETAINED_PREFIX): Promise<string[]> {
    const names: string[] = [];
    if (!(await this.container.exists())) return names;
    for await (const item of this.container.listBlobsFlat({ prefix })) names.push(item.name);
    return names;
  }
}
