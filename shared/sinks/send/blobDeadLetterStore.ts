/**
 * Dead-letter store on Azure Blob Storage (Azurite locally): writes NDJSON blobs, lists them,
 * reads them back and deletes them after a successful replay.
 */
import { randomUUID } from 'node:crypto';
import type { ContainerClient } from '@azure/storage-blob';
import { TraceError, errorMessage } from '../../errors';
import {
  deadLetterBlobName,
  formatDeadLetter,
  parseDeadLetter,
  type DeadLetterBatch,
  type DeadLetterWriter,
  type ParsedDeadLetter,
} from './deadLetter';

/** Default container of dead-lettered records. */
export const DEAD_LETTER_CONTAINER = 'trace-deadletter';

/** A dead-letter blob as listed (metadata only, no download). */
export interface DeadLetterBlobInfo {
  name: string;
  destination: string;
  connection: string;
  batchRef: string;
  /** Entries in the blob. */
  count: number;
  /** Bytes of the blob. */
  size: number;
  createdOn?: Date;
  /** Set by a replay that did not fully succeed. */
  lastReplayError?: string;
}

/** Dead-letter writer and reader over one blob container. */
export class BlobDeadLetterStore implements DeadLetterWriter {
  private ensured: Promise<unknown> | undefined;

  /** `now` and `newId` are injectable so blob names are reproducible in tests. */
  constructor(
    private readonly container: ContainerClient,
    private readonly now: () => Date = () => new Date(),
    private readonly newId: () => string = randomUUID,
  ) {}

  /** Writes one blob. Throws `DEADLETTER_WRITE_FAILED` when storage is unreachable: never swallowed. */
  async write(batch: DeadLetterBatch, options: { abortSignal?: AbortSignal } = {}): Promise<string> {
    const at = this.now();
    const name = deadLetterBlobName(batch, at, this.newId());
    const body = formatDeadLetter(batch, at);
    try {
      this.ensured ??= this.container.createIfNotExists();
      await this.ensured;
      await this.container.getBlockBlobClient(name).upload(body, Buffer.byteLength(body), {
        abortSignal: options.abortSignal,
        blobHTTPHeaders: { blobContentType: 'application/x-ndjson' },
        metadata: {
          destination: batch.destination,
          connection: batch.connection,
          batchref: encodeURIComponent(batch.batchRef),
          count: String(batch.entries.length),
        },
      });
    } catch (caught) {
      this.ensured = undefined;
      throw new TraceError(
        'DEADLETTER_WRITE_FAILED',
        `could not write dead-letter blob ${this.container.containerName}/${name} (${batch.entries.length} entries): ${errorMessage(caught)}`,
        { cause: caught },
      );
    }
    return name;
  }

  /** Lists dead-letter blobs under `prefix` (e.g. `azuretable/` or `loganalytics/TRACES_LOGANALYTICS/2026/`). */
  /** Reachability check for health endpoints: resolves when the storage account answers. */
  async ping(options: { abortSignal?: AbortSignal } = {}): Promise<void> {
    await this.container.exists({ abortSignal: options.abortSignal });
  }

  async list(prefix?: string): Promise<DeadLetterBlobInfo[]> {
    const out: DeadLetterBlobInfo[] = [];
    if (!(await this.container.exists())) return out;
    for await (const blob of this.container.listBlobsFlat({ includeMetadata: true, prefix })) {
      const meta = blob.metadata ?? {};
      const info: DeadLetterBlobInfo = {
        name: blob.name,
        destination: meta.destination ?? blob.name.split('/')[0] ?? '',
        connection: meta.connection ?? '',
        batchRef: decodeURIComponent(meta.batchref ?? ''),
        count: Number(meta.count ?? 0),
        size: blob.properties.contentLength ?? 0,
      };
      if (blob.properties.createdOn !== undefined) info.createdOn = blob.properties.createdOn;
      if (meta.lastreplayerror !== undefined) info.lastReplayError = decodeURIComponent(meta.lastreplayerror);
      out.push(info);
    }
    return out;
  }

  /** Downloads and parses one blob. */
  async read(name: string): Promise<ParsedDeadLetter> {
    const buffer = await this.container.getBlobClient(name).downloadToBuffer();
    return parseDeadLetter(buffer.toString('utf8'), `${this.container.containerName}/${name}`);
  }

  /** Deletes a blob after its records were resent. */
  async delete(name: string): Promise<void> {
    await this.container.getBlobClient(name).delete();
  }

  /** Records on the blob why its last replay failed, keeping it for the next one. */
  async markReplayFailed(name: string, reason: string): Promise<void> {
    const blob = this.container.getBlobClient(name);
    const props = await blob.getProperties();
    await blob.setMetadata({ ...props.metadata, lastreplayerror: encodeURIComponent(reason.slice(0, 1000)) });
  }
}
