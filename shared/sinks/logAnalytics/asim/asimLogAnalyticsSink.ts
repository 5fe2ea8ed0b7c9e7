/**
 * The Log Analytics destination with schema `asim` (`<CONNECTION>__schema=asim`): the same
 * Logs Ingestion client and DCR as `RetinaTraces_CL`, uploading each row to the input stream of
 * its ASIM table. Batches hold one stream only (the encoder sets the stream as the group).
 */
import type { LogsIngestionClient } from '@azure/monitor-ingestion';
import type { TraceRecord } from '../../../record/traceRecord';
import type { LogAnalyticsConnection } from '../../connection';
import type { EncodeResult, EncodedRecord, PushOptions, PushResult } from '../../sink';
import type { LogsRow } from '../encode';
import { LogAnalyticsSink } from '../logAnalyticsSink';
import { NETWORK_SESSION_STREAM } from './asimStreams';
import { encodeAsimRow } from './encodeAsimRow';

/** Sink writing ASIM rows; retries, batching and dead-lettering are the shared ones. */
export class AsimLogAnalyticsSink extends LogAnalyticsSink {
  private readonly byStream = new Map<string, LogAnalyticsSink>();

  constructor(
    private readonly ingestionClient: LogsIngestionClient,
    private readonly asimSettings: Pick<LogAnalyticsConnection, 'name' | 'ruleId'>,
  ) {
    super(ingestionClient, { ...asimSettings, streamName: NETWORK_SESSION_STREAM.streamName });
  }

  override encode(record: TraceRecord): EncodeResult<LogsRow> {
    return encodeAsimRow(record);
  }

  override push(
    batch: ReadonlyArray<EncodedRecord<LogsRow>>,
    options: PushOptions,
  ): Promise<PushResult<LogsRow>> {
    const streamName = batch[0]?.group ?? NETWORK_SESSION_STREAM.streamName;
    let sink = this.byStream.get(streamName);
    if (sink === undefined) {
      sink = new LogAnalyticsSink(this.ingestionClient, { ...this.asimSettings, streamName });
      this.byStream.set(streamName, sink);
    }
    return sink.push(batch, options);
  }
}
