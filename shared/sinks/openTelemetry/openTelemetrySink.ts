/** The OpenTelemetry destination: OTLP/HTTP logs, JSON encoding, gzip. */
import { gzipSync } from 'node:zlib';
import type { TraceRecord } from '../../record/traceRecord';
import type { OpenTelemetryConnection } from '../connection';
import { HttpStatusError } from '../send/failure';
import type { EncodeResult, EncodedRecord, PushOptions, PushResult, Sink } from '../sink';
import { encodeOtlpLogRecord, resourceAttributes, type OtlpLogRecordJson } from './encode';

/** Instrumentation scope of our log records. */
export const OTLP_SCOPE = { name: 'retina-trace-backend/sinks', version: '1' } as const;

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

/** Sink posting OTLP/HTTP JSON. Pushes never mix resources (cluster, node). */
export class OpenTelemetrySink implements Sink<OtlpLogRecordJson> {
  readonly destination = 'opentelemetry' as const;
  readonly connection: string;
  // Collectors default to a 20 MiB request limit; smaller requests keep retries cheap.
  readonly limits = { maxRecords: 2000, maxBytes: 4_000_000 };
  /** Log records the receiver reported as rejected (OTLP partial success: which ones is not said). */
  rejectedRecords = 0;
  private readonly url: string;
  private readonly fetch: typeof fetch;

  constructor(
    private readonly settings: Pick<OpenTelemetryConnection, 'name' | 'endpoint' | 'headers'>,
    options: OpenTelemetrySinkOptions = {},
  ) {
    this.connection = settings.name;
    this.url = otlpLogsUrl(settings.endpoint);
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  encode(record: TraceRecord): EncodeResult<OtlpLogRecordJson> {
    return encodeOtlpLogRecord(record);
  }

  async push(
    batch: ReadonlyArray<EncodedRecord<OtlpLogRecordJson>>,
    options: PushOptions,
  ): Promise<PushResult<OtlpLogRecordJson>> {
    if (batch.length === 0) return { ok: true };
    // Level 1: about half the CPU of the default level 6 for ~1.5× the bytes; a push's CPU is the
    // instance's throughput, while bytes to a collector are cheap (npm run bench:latency).
    const body = gzipSync(exportRequest(batch), { level: 1 });
    const response = await this.fetch(this.url, {
      method: 'POST',
      headers: { ...this.settings.headers, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body,
      signal: options.abortSignal,
    });
    const text = await response.text();
    if (!response.ok) {
      const headers: Record<string, string> = {};
      response.headers.forEach((value, key) => (headers[key] = value));
      throw new HttpStatusError(
        response.status,
        `OTLP ${this.url} answered ${response.status}: ${text.slice(0, 300)}`,
        headers,
      );
    }
    this.rejectedRecords += rejectedCount(text);
    return { ok: true };
  }

  async close(): Promise<void> {}
}

/** `partialSuccess.rejectedLogRecords` of an ExportLogsServiceResponse (0 when absent or unparsable). */
export function rejectedCount(responseText: string): number {
  try {
    const parsed = JSON.parse(responseText) as { partialSuccess?: { rejectedLogRecords?: unknown } };
    return Number(parsed.partialSuccess?.rejectedLogRecords ?? 0) || 0;
  } catch {
    return 0;
  }
}
