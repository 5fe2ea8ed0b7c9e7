/** The Log Analytics destination: Logs Ingestion API through the real `LogsIngestionClient`. */
import {
  LogsIngestionClient,
  isAggregateLogsUploadError,
  type LogsIngestionClientOptions,
} from '@azure/monitor-ingestion';
import type { TokenCredential } from '@azure/core-auth';
import type { TraceRecord } from '../../record/traceRecord';
import type { LogAnalyticsConnection } from '../connection';
import type { EncodeResult, EncodedRecord, PushOptions, PushResult, Sink } from '../sink';
import { classifyError } from '../send/failure';
import { encodeLogsRow, LOGS_INGESTION_LIMITS, type LogsRow } from './encode';

/**
 * Creates the client with the SDK's retries off (one retry layer: send/). `clientOptions` is for
 * `tlsOptions: { ca }` when talking to the local HTTPS server with its self-signed certificate.
 */
export function createLogsIngestionClient(
  connection: LogAnalyticsConnection,
  credential: TokenCredential,
  clientOptions: LogsIngestionClientOptions = {},
): LogsIngestionClient {
  return new LogsIngestionClient(connection.endpoint, credential, {
    retryOptions: { maxRetries: 0 },
    ...clientOptions,
  });
}

/**
 * Sink uploading rows. Batches stay under 1,000,000 bytes so each push is one HTTP request; when
 * the SDK still splits, the chunks that failed come back as a partial failure with only their rows.
 */
export class LogAnalyticsSink implements Sink<LogsRow> {
  readonly destination = 'loganalytics' as const;
  readonly connection: string;
  // 990,000 leaves room for brackets and commas so the SDK never splits one of our batches.
  readonly limits = { maxRecords: 20_000, maxBytes: LOGS_INGESTION_LIMITS.maxRequestBytes - 10_000 };

  constructor(
    private readonly client: LogsIngestionClient,
    private readonly settings: Pick<LogAnalyticsConnection, 'name' | 'ruleId' | 'streamName'>,
  ) {
    this.connection = settings.name;
  }

  encode(record: TraceRecord): EncodeResult<LogsRow> {
    return encodeLogsRow(record);
  }

  async push(
    batch: ReadonlyArray<EncodedRecord<LogsRow>>,
    options: PushOptions,
  ): Promise<PushResult<LogsRow>> {
    if (batch.length === 0) return { ok: true };
    const byRow = new Map<LogsRow, EncodedRecord<LogsRow>>(batch.map((item) => [item.payload, item]));
    try {
      await this.client.upload(this.settings.ruleId, this.settings.streamName, [...byRow.keys()], {
        abortSignal: options.abortSignal,
        maxConcurrency: 1,
      });
      return { ok: true };
    } catch (caught) {
      if (!isAggregateLogsUploadError(caught)) throw caught;
      const failed = caught.errors
        .flatMap((e) => e.failedLogs.map((row) => byRow.get(row)))
        .filter((x) => x !== undefined);
      const first = caught.errors[0]?.cause;
      // Everything failed: rethrow the cause so it is classified like any whole-push failure.
      if (failed.length === batch.length) throw first ?? caught;
      return { ok: false, failed, failure: classifyError(first) };
    }
  }

  async close(): Promise<void> {}
}
