/**
 * HTTP records (HTTP/1.x and, when the HTTP/2 work lands, HTTP/2 and gRPC) → `ASimWebSessionLogs`
 * rows. A request carries `Url` (built from the already redacted `HttpPath`), method and agent;
 * a response carries the status code in `EventResultDetails` (the native parser's alias
 * `HttpStatusCode`). gRPC calls fail on a non-zero `grpc-status` even under HTTP 200.
 */
import type { TraceRecord } from '../../../record/traceRecord';
import type { LogsRow } from '../encode';
import { BASE_MAPPED, asimBase, networkDirection, put, putApps } from './asimBase';
import { WEB_SESSION_STREAM } from './asimStreams';
import { grpcFields, l7LatencyMillis } from './optionalFields';

const MAPPED: ReadonlySet<string> = new Set([
  ...BASE_MAPPED,
  'FlowId',
  'TrafficDirection',
  'SourceWorkload',
  'DestinationWorkload',
  'HttpMethod',
  'HttpPath',
  'HttpHost',
  'HttpVersion',
  'HttpUserAgent',
  'HttpContentType',
  'HttpStatusCode',
  'L7LatencyNs',
]);

/** The `ASimWebSessionLogs` row of an HTTP or gRPC record. */
export function webSessionRow(record: TraceRecord): LogsRow {
  const row = asimBase(record, WEB_SESSION_STREAM, MAPPED);
  const grpc = grpcFields(record);
  row.EventType = 'HTTPsession';
  row.EventSchema = WEB_SESSION_STREAM.schema;
  const status = record.HttpStatusCode;
  row.EventResultDetails = status === undefined ? 'NA' : String(status);
  row.EventResult =
    (grpc.statusCode !== undefined && grpc.statusCode !== 0) || (status !== undefined && status >= 400)
      ? 'Failure'
      : status === undefined && grpc.statusCode === undefined
        ? 'NA'
        : 'Success';
  if (grpc.statusCode !== undefined) row.EventOriginalResultDetails = `grpc-status ${grpc.statusCode}`;
  putApps(row, record);
  put(row, 'NetworkDirection', networkDirection(record));
  row.NetworkApplicationProtocol = grpc.service === undefined ? 'HTTP' : 'gRPC';
  put(row, 'NetworkSessionId', record.FlowId);
  put(row, 'NetworkDuration', l7LatencyMillis(record));
  put(row, 'Url', requestUrl(record));
  put(row, 'HttpHost', record.HttpHost);
  put(row, 'HttpRequestMethod', record.HttpMethod);
  put(row, 'HttpVersion', record.HttpVersion);
  put(row, 'HttpUserAgent', record.HttpUserAgent);
  put(row, 'HttpContentType', record.HttpContentType);
  return row;
}

/** `http://<host><path>` of a request (we only see cleartext HTTP); undefined without a path. */
function requestUrl(record: TraceRecord): string | undefined {
  if (record.HttpPath === undefined) return undefined;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(record.HttpPath)) return record.HttpPath; // absolute-form (proxies)
  const host = record.HttpHost ?? authority(record.DestinationIp, record.DestinationPort);
  return host === undefined ? record.HttpPath : `http://${host}${record.HttpPath}`;
}

function authority(ip: string | undefined, port: number | undefined): string | undefined {
  if (ip === undefined) return undefined;
  const address = ip.includes(':') ? `[${ip}]` : ip;
  return port === undefined || port === 80 ? address : `${address}:${port}`;
}
