/** The OpenTelemetry destination: OTLP/HTTP logs, JSON or protobuf encoding, gzip. */
import { gzipSync } from 'node:zlib';
import type { TraceRecord } from '../../record/traceRecord';
import type { OpenTelemetryConnection } from '../connection';
import { HttpStatusError } from '../send/failure';
import type { EncodeResult, EncodedRecord, PushOptions, PushResult, Sink } from '../sink';
import { encodeOtlpLogRecord, OTLP_SCOPE, resourceAttributes, type OtlpLogRecordJson } from './encode';
import {
  isProtobufContentType,
  rejectedCount,
  rejectedCountProtobuf,
  responseMessage,
} from './exportResponse';
import {
  encodeOtlpLogRecordProtobuf,
  exportRequestProtobuf,
  type OtlpLogRecordProtobuf,
} from './encodeProtobuf';

export { OTLP_SCOPE } from './encode';
export { rejectedCount } from './exportResponse';

/** OTLP/HTTP encodings (`OTEL_EXPORTER_OTLP_PROTOCOL` values): JSON, or binary protobuf. */
export type OtlpProtocol = NonNullable<OpenTelemetryConnection['protocol']>;

/** One encoded log record: JSON text, or a protobuf message. */
export type OtlpLogRecordPayload = OtlpLogRecordJson | OtlpLogRecordProtobuf;

/** Resolves the logs URL: `<endpoint>/v1/logs` unless the endpoint already ends with it. */
export function otlpLogsUrl(endpoint: string): string {
  const base = endpoint.replace(/\/+$/, '');
  return base.endsWith('/v1/logs') ? base : `${base}/v1/logs`;
}

const SCOPE_JSON = JSON.stringify(OTLP_SCOPE);

/**
 * The ExportLogsServiceRequest JSON of one group (one resource): the encoded log records are
 * already JSON, so they are joined, not serialised again.
 */
export function exportRequest(batch: ReadonlyArray<EncodedRecord<OtlpLogRecordJson>>): string {
  const first = batch[0];
  const resource = JSON.stringify({
    attributes: first === undefined ? [] : resourceAttributes(first.record),
  });
  const logRecords = batch.map((item) => item.payload).join(',');
  return `{"resourceLogs":[{"resource":${resource},"scopeLogs":[{"scope":${SCOPE_JSON},"logRecords":[${logRecords}]}]}]}`;
}

/** Options of {@link OpenTelemetrySink}. */
export interface OpenTelemetrySinkOptions {
  /** The HTTP client; default the global `fetch` (benches answer in-process to count push CPU alone). */
  fetch?: typeof fetch;
}

const CONTENT_TYPES: Readonly<Record<OtlpProtocol, string>> = {
  'http/json': 'application/json',
  'http/protobuf': 'application/x-protobuf',
};

/** Sink posting OTLP/HTTP logs, JSON or protobuf. Pushes never mix resources (cluster, node). */
export class OpenTelemetrySink implements Sink<OtlpLogRecordPayload> {
  readonly destination = 'opentelemetry' as const;
  readonly connection: string;
  // Collectors default to a 20 MiB request limit; smaller requests keep retries cheap.
  readonly limits = { maxRecords: 2000, maxBytes: 4_000_000 };
  /** Log records the receiver reported as rejected (OTLP partial success: which ones is not said). */
  rejectedRecords = 0;
  private readonly url: string;
  private readonly fetch: typeof fetch;
  private readonly protocol: OtlpProtocol;

  constructor(
    private readonly settings: Pick<OpenTelemetryConnection, 'name' | 'endpoint' | 'headers' | 'protocol'>,
    options: OpenTelemetrySinkOptions = {},
  ) {
    this.connection = settings.name;
    this.url = otlpLogsUrl(settings.endpoint);
    this.protocol = settings.protocol ?? 'http/json';
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  encode(record: TraceRecord): EncodeResult<OtlpLogRecordPayload> {
    return this.protocol === 'http/protobuf'
      ? encodeOtlpLogRecordProtobuf(record)
      : encodeOtlpLogRecord(record);
  }

  async push(
    batch: ReadonlyArray<EncodedRecord<OtlpLogRecordPayload>>,
    options: PushOptions,
  ): Promise<PushResult<OtlpLogRecordPayload>> {
    if (batch.length === 0) return { ok: true };
    const request =
      this.protocol === 'http/protobuf'
        ? exportRequestProtobuf(batch as ReadonlyArray<EncodedRecord<OtlpLogRecordProtobuf>>)
        : exportRequest(batch as ReadonlyArray<EncodedRecord<OtlpLogRecordJson>>);
    // Level 1: about half the CPU of the default level 6 for ~1.5× the bytes; a push's CPU is the
    // instance's throughput, while bytes to a collector are cheap (npm run bench:latency).
    const body = gzipSync(request, { level: 1 });
    const response = await this.fetch(this.url, {
      method: 'POST',
      headers: {
        ...this.settings.headers,
        'content-type': CONTENT_TYPES[this.protocol],
        'content-encoding': 'gzip',
      },
      body,
      signal: options.abortSignal,
    });
    const reply = new Uint8Array(await response.arrayBuffer());
    const replyType = response.headers.get('content-type');
    if (!response.ok) {
      const headers: Record<string, string> = {};
      response.headers.forEach((value, key) => (headers[key] = value));
      throw new HttpStatusError(
        response.status,
        `OTLP ${this.url} answered ${response.status}: ${responseMessage(reply, replyType).slice(0, 300)}`,
        headers,
      );
    }
    this.rejectedRecords += isProtobufContentType(replyType)
      ? rejectedCountProtobuf(reply)
      : rejectedCount(Buffer.from(reply).toString('utf8'));
    return { ok: true };
  }

  async close(): Promise<void> {}
}
