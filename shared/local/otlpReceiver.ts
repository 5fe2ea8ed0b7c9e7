/**
 * A local OTLP/HTTP receiver for tests and the local runner: `POST /v1/logs` in JSON
 * (`application/json`) or protobuf (`application/x-protobuf`), gzip accepted, is decoded and kept,
 * and answered in the request's encoding, as the OTLP/HTTP specification asks; `POST /v1/metrics`
 * is kept in JSON (protobuf metrics are answered 415: our exporters send JSON). Shares the fault
 * injection of the Logs Ingestion server. Plain HTTP on 127.0.0.1, as collectors listen on :4318.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { closeServer, listenLocal } from './localServer';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { FaultPlan } from './faults';
import { readBody } from './httpBody';
import { exportLogsRequestFromProtobuf } from './otlpLogsProtobuf';
import { isProtobufContentType } from '../sinks/openTelemetry/exportResponse';
import { ProtobufWriter } from '../sinks/openTelemetry/protobufWriter';

/** A log record as received, with its resource and scope. */
export interface ReceivedLog {
  resource: Record<string, unknown>;
  scope: Record<string, unknown>;
  logRecord: Record<string, unknown>;
}

/** Options of {@link OtlpReceiver}. */
export interface OtlpReceiverOptions {
  port?: number;
  /** Request limit, on the wire and decompressed. Default 20 MiB (the Collector's default). */
  maxBodyBytes?: number;
  /** Header that must be present with this value (e.g. `{ authorization: 'Bearer x' }`); 401 otherwise. */
  requiredHeaders?: Readonly<Record<string, string>>;
  /** When set, received log records are appended to `<dir>/otlp-logs.ndjson`. */
  outputDir?: string;
}

type Parsed = { ok: true; logs: ReceivedLog[] } | { ok: false; message: string };

/** Flattens an ExportLogsServiceRequest (JSON) into log records; the message names the bad path. */
export function parseExportLogsRequest(text: string): Parsed {
  let request: unknown;
  try {
    request = JSON.parse(text);
  } catch {
    return { ok: false, message: 'body is not valid JSON' };
  }
  return flattenExportLogsRequest(request);
}

/** Flattens an ExportLogsServiceRequest in protobuf into log records (in their OTLP/JSON form). */
export function parseExportLogsRequestProtobuf(body: Uint8Array): Parsed {
  let request: unknown;
  try {
    request = exportLogsRequestFromProtobuf(body);
  } catch (caught) {
    return { ok: false, message: `body is not an ExportLogsServiceRequest: ${(caught as Error).message}` };
  }
  return flattenExportLogsRequest(request);
}

function flattenExportLogsRequest(request: unknown): Parsed {
  const resourceLogs = (request as { resourceLogs?: unknown } | null)?.resourceLogs;
  if (!Array.isArray(resourceLogs)) return { ok: false, message: 'resourceLogs must be an array' };
  const logs: ReceivedLog[] = [];
  for (const [i, rl] of (resourceLogs as unknown[]).entries()) {
    const scopeLogs = (rl as { scopeLogs?: unknown })?.scopeLogs;
    if (!Array.isArray(scopeLogs))
      return { ok: false, message: `resourceLogs[${i}].scopeLogs must be an array` };
    const resource = ((rl as { resource?: unknown }).resource ?? {}) as Record<string, unknown>;
    for (const [j, sl] of (scopeLogs as unknown[]).entries()) {
      const records = (sl as { logRecords?: unknown })?.logRecords;
      if (!Array.isArray(records))
        return { ok: false, message: `resourceLogs[${i}].scopeLogs[${j}].logRecords must be an array` };
      const scope = ((sl as { scope?: unknown }).scope ?? {}) as Record<string, unknown>;
      for (const [k, record] of (records as unknown[]).entries()) {
        if (typeof record !== 'object' || record === null) {
          return {
            ok: false,
            message: `resourceLogs[${i}].scopeLogs[${j}].logRecords[${k}] must be an object`,
          };
        }
        logs.push({ resource, scope, logRecord: record as Record<string, unknown> });
      }
    }
  }
  return { ok: true, logs };
}

/** The local OTLP/HTTP receiver. */
export class OtlpReceiver {
  readonly faults = new FaultPlan();
  /** Log records received so far. */
  readonly received: ReceivedLog[] = [];
  /** Status of every request answered, in order. */
  readonly statuses: number[] = [];
  /** ExportMetricsServiceRequest bodies accepted on `/v1/metrics`, as JSON. */
  readonly receivedMetrics: unknown[] = [];
  private server: Server | undefined;

  constructor(private readonly options: OtlpReceiverOptions = {}) {}

  /** `http://127.0.0.1:<port>` (the sink appends `/v1/logs`). */
  get endpoint(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (address == null) throw new Error('OtlpReceiver is not started');
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<void> {
    if (this.options.outputDir !== undefined) await mkdir(this.options.outputDir, { recursive: true });
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await listenLocal(server, this.options.port ?? 0);
  }

  /** Idempotent. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    await closeServer(server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const type = (req.headers['content-type'] ?? '').toLowerCase();
    const protobuf = isProtobufContentType(type);
    // Answers in the request's encoding: an empty ExportLogsServiceResponse, or a google.rpc.Status.
    const reply = (
      status: number,
      body: { code?: number; message?: string },
      headers: Record<string, string> = {},
    ): void => {
      this.statuses.push(status);
      if (protobuf) {
        const status_ = new ProtobufWriter(64);
        if (body.code !== undefined) status_.uint(1, body.code);
        if (body.message !== undefined) status_.string(2, body.message);
        res
          .writeHead(status, { ...headers, 'content-type': 'application/x-protobuf' })
          .end(Buffer.from(status_.copy()));
        return;
      }
      res.writeHead(status, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const fail = (status: number, message: string, headers?: Record<string, string>): void => {
      req.resume();
      reply(status, { code: status, message }, headers);
    };
    const route = (req.url ?? '').split('?')[0];
    if (req.method !== 'POST' || (route !== '/v1/logs' && route !== '/v1/metrics'))
      return fail(404, `no route for ${req.method ?? '?'} ${req.url ?? ''}`);
    for (const [name, value] of Object.entries(this.options.requiredHeaders ?? {})) {
      if (req.headers[name.toLowerCase()] !== value) return fail(401, `header ${name} missing or wrong`);
    }
    const fault = this.faults.take();
    if (fault?.kind === 'hang') {
      await new Promise((resolve) => setTimeout(resolve, fault.ms).unref());
      if (res.destroyed) return;
    } else if (fault?.kind === 'status') {
      return fail(
        fault.status,
        fault.message ?? `injected ${fault.status}`,
        fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) },
      );
    }
    if (protobuf && route === '/v1/metrics')
      return fail(415, 'protobuf metrics are not supported by this receiver; send application/json');
    if (!protobuf && !type.startsWith('application/json'))
      return fail(415, `unsupported Content-Type '${type}'`);
    const body = await readBody(req, this.options.maxBodyBytes ?? 20 * 1024 * 1024);
    if (!body.ok) return reply(body.status, { code: body.status, message: body.message });
    if (route === '/v1/metrics') {
      let request: unknown;
      try {
        request = JSON.parse(body.body.toString('utf8')) as unknown;
      } catch (caught) {
        return reply(400, { code: 400, message: `body is not JSON: ${(caught as Error).message}` });
      }
      if (
        typeof request !== 'object' ||
        request === null ||
        !Array.isArray((request as { resourceMetrics?: unknown }).resourceMetrics)
      ) {
        return reply(400, { code: 400, message: 'resourceMetrics must be an array' });
      }
      this.receivedMetrics.push(request);
      return reply(200, {});
    }
    const parsed = protobuf
      ? parseExportLogsRequestProtobuf(body.body)
      : parseExportLogsRequest(body.body.toString('utf8'));
    if (!parsed.ok) return reply(400, { code: 400, message: parsed.message });
    this.received.push(...parsed.logs);
    if (this.options.outputDir !== undefined && parsed.logs.length > 0) {
      await appendFile(
        path.join(this.options.outputDir, 'otlp-logs.ndjson'),
        parsed.logs.map((l) => JSON.stringify(l)).join('\n') + '\n',
      );
    }
    reply(200, {});
  }
}
