/**
 * Real sinks whose transport answers at once, in this process: every push encodes, builds and
 * signs (or gzips) its request exactly as in production, and only the network is left out. Used
 * where a bench counts the CPU of pushes (`npm run bench`, the ceiling of `npm run bench:latency`).
 * The Table answer comes from the same code as the local `$batch` responder, so the sink parses a
 * real transaction response.
 */
import {
  createHttpHeaders,
  type HttpClient,
  type PipelineRequest,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import type { Destination } from '../../shared/config/model';
import { AZURITE_ACCOUNT_KEY, AZURITE_ACCOUNT_NAME } from '../../shared/local/azurite';
import { LocalTokenCredential } from '../../shared/local/localTokenCredential';
import { answerTableRequest } from '../../shared/local/tableBatchResponder';
import { createAzureTableSink } from '../../shared/sinks/azureTable/azureTableSink';
import type { TableHttpSend } from '../../shared/sinks/azureTable/tableHttp';
import {
  createLogsIngestionClient,
  LogAnalyticsSink,
} from '../../shared/sinks/logAnalytics/logAnalyticsSink';
import { OpenTelemetrySink } from '../../shared/sinks/openTelemetry/openTelemetrySink';
import type { Sink } from '../../shared/sinks/sink';
import { StdoutSink } from '../../shared/sinks/stdout/stdoutSink';

function response(
  request: PipelineRequest,
  status: number,
  headers: Record<string, string>,
  body: string,
): PipelineResponse {
  return { request, status, headers: createHttpHeaders(headers), bodyAsText: body };
}

/**
 * CPU microseconds spent answering Table requests in-process: the service's work, not the
 * backend's (decoding a ~110 KB body into a string and scanning it cost ~11% of the ceiling's
 * profile), so benches that count the backend's CPU subtract it. Measured with
 * `process.cpuUsage()` around the synchronous answer (process-wide, so it may include a little
 * of a concurrent GC thread's time).
 */
export const tableResponderCpu = { microseconds: 0 };

/** Answers Table `$batch` requests as the local responder does, for the sink's own transport. */
export const tableSend: TableHttpSend = async (request) => {
  const before = process.cpuUsage();
  const answer = answerTableRequest(
    request.method,
    request.url,
    request.headers['content-type'],
    request.body.toString('utf8'),
  );
  const headers = lowerCaseHeaders(answer.headers);
  const used = process.cpuUsage(before);
  tableResponderCpu.microseconds += used.user + used.system;
  return { status: answer.status, headers, body: answer.body };
};

function lowerCaseHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}

/** Answers every Logs Ingestion upload with 204, as the service does. */
export const logsHttpClient: HttpClient = {
  sendRequest: async (request) => response(request, 204, {}, ''),
};

/** Answers every OTLP export with 200 and an empty ExportLogsServiceResponse. */
export const otlpFetch: typeof fetch = async () =>
  new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });

/** A Table connection string for an endpoint at `port` (Azurite's well-known account). */
export function tableConnectionString(port: number): string {
  return `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT_NAME};AccountKey=${AZURITE_ACCOUNT_KEY};TableEndpoint=http://127.0.0.1:${port}/${AZURITE_ACCOUNT_NAME};`;
}

/** A Data Collection Rule id the local Logs Ingestion server accepts. */
export const BENCH_RULE_ID = 'dcr-00000000000000000000000000000001';
/** The stream of the trace records. */
export const BENCH_STREAM = 'Custom-RetinaTraces_CL';

/** The real sink of `destination`, answered in-process. */
export function inProcessSink(destination: Destination, connection: string): Sink {
  switch (destination) {
    case 'stdout':
      return new StdoutSink(async () => undefined);
    case 'azuretable':
      return createAzureTableSink(
        {
          destination: 'azuretable',
          name: connection,
          connectionString: tableConnectionString(9),
          tableName: 'RetinaTraces',
        },
        { send: tableSend },
      );
    case 'loganalytics':
      return new LogAnalyticsSink(
        createLogsIngestionClient(
          {
            destination: 'loganalytics',
            name: connection,
            endpoint: 'https://127.0.0.1:9',
            ruleId: BENCH_RULE_ID,
            streamName: BENCH_STREAM,
          },
          new LocalTokenCredential(),
          { httpClient: logsHttpClient },
        ),
        { name: connection, ruleId: BENCH_RULE_ID, streamName: BENCH_STREAM },
      );
    case 'opentelemetry':
      return new OpenTelemetrySink(
        { name: connection, endpoint: 'http://127.0.0.1:9', headers: {} },
        { fetch: otlpFetch },
      );
  }
}

/** Pushes and records pushed, per destination. */
export interface PushCounts {
  requests: Record<string, number>;
  records: Record<string, number>;
}

/** `sink` with its pushes counted into `counts` (a push is one request for every sink here). */
export function countingSink(sink: Sink, counts: PushCounts): Sink {
  const push: Sink['push'] = async (batch, options) => {
    counts.requests[sink.destination] = (counts.requests[sink.destination] ?? 0) + 1;
    counts.records[sink.destination] = (counts.records[sink.destination] ?? 0) + batch.length;
    return sink.push(batch, options);
  };
  return Object.assign(Object.create(sink) as Sink, { push });
}
