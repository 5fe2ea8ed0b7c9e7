/**
 * A local HTTPS Logs Ingestion API endpoint for tests and the local runner. It enforces the real
 * contract: `POST /dataCollectionRules/{ruleId}/streams/{stream}?api-version=2023-01-01`, a bearer
 * token (401 when missing or malformed), JSON content, gzip accepted, a JSON array of objects of
 * the declared columns (400 otherwise), 1 MiB per request (413), 204 on success; plus fault
 * injection (429 with Retry-After, 5xx, hangs). The certificate is generated at startup: clients
 * trust it with `tlsOptions: { ca: server.certificate }`.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { closeServer, listenLocal } from './localServer';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TRACE_RECORD_COLUMNS } from '../record/traceRecord';
import { FaultPlan } from './faults';
import { readBody } from './httpBody';
import { isLocalBearer } from './localTokenCredential';
import { createLocalCertificate } from './selfSignedCert';
import { validateRows, type StreamColumns } from './validateRows';
import { asimStreamDeclarations } from '../sinks/logAnalytics/asim/asimStreams';

/** The only API version the service accepts for uploads. */
export const LOGS_INGESTION_API_VERSION = '2023-01-01';

/** Options of {@link LogsIngestionServer}. */
export interface LogsIngestionServerOptions {
  /** Port; default 0 (a free port). */
  port?: number;
  /** Accepted DCR immutable ids; default any `dcr-<32 hex>`. */
  ruleIds?: readonly string[];
  /**
   * Stream declarations; default `Custom-RetinaTraces_CL` with the trace record columns plus the
   * ASIM input streams (`Custom-ASimNetworkSessionLogs`, ...) with the columns we send to them.
   */
  streams?: Readonly<Record<string, StreamColumns>>;
  /** Request limit in bytes, on the wire and decompressed. Default 1 MiB. */
  maxBodyBytes?: number;
  /** When set, accepted rows are appended to `<dir>/<stream>.ndjson`. */
  outputDir?: string;
  /** Authorization check; default: a token from LocalTokenCredential. */
  authorize?: (authorization: string | undefined) => boolean;
}

/** One accepted row with where it went. */
export interface AcceptedRow {
  ruleId: string;
  stream: string;
  row: Record<string, unknown>;
}

/** A request as the server saw it (for assertions). */
export interface SeenRequest {
  status: number;
  /** Body bytes as sent (compressed when gzip). */
  wireBytes: number;
  /** Body bytes after decompression. */
  bodyBytes: number;
  gzip: boolean;
  rows: number;
}

const ROUTE = /^\/dataCollectionRules\/([^/]+)\/streams\/([^/?]+)$/;

/** The local Logs Ingestion server. */
export class LogsIngestionServer {
  /** Faults to inject; see {@link FaultPlan}. */
  readonly faults = new FaultPlan();
  /** Rows accepted so far, in arrival order. */
  readonly accepted: AcceptedRow[] = [];
  /** Every request answered, in order. */
  readonly requests: SeenRequest[] = [];
  /** PEM certificate to trust (set by start). */
  certificate = '';
  private server: Server | undefined;
  private readonly streams: Readonly<Record<string, StreamColumns>>;
  private readonly maxBodyBytes: number;

  constructor(private readonly options: LogsIngestionServerOptions = {}) {
    this.streams = options.streams ?? {
      'Custom-RetinaTraces_CL': TRACE_RECORD_COLUMNS,
      ...asimStreamDeclarations(),
    };
    this.maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  }

  /** `https://127.0.0.1:<port>`, the endpoint to give LogsIngestionClient. */
  get endpoint(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (address == null) throw new Error('LogsIngestionServer is not started');
    return `https://127.0.0.1:${address.port}`;
  }

  /** Generates the certificate and listens on 127.0.0.1. */
  async start(): Promise<void> {
    const { key, cert } = await createLocalCertificate();
    this.certificate = cert;
    if (this.options.outputDir !== undefined) await mkdir(this.options.outputDir, { recursive: true });
    const server = createServer({ key, cert }, (req, res) => void this.handle(req, res));
    this.server = server;
    await listenLocal(server, this.options.port ?? 0);
  }

  /** Stops listening and closes open connections. Idempotent. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    await closeServer(server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const seen: SeenRequest = {
      status: 0,
      wireBytes: 0,
      bodyBytes: 0,
      gzip: req.headers['content-encoding'] === 'gzip',
      rows: 0,
    };
    const reply = (
      status: number,
      code?: string,
      message?: string,
      headers: Record<string, string> = {},
    ): void => {
      seen.status = status;
      this.requests.push(seen);
      if (code === undefined) {
        res.writeHead(status, headers).end();
        return;
      }
      res
        .writeHead(status, { ...headers, 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { code, message } }));
    };
    const url = new URL(req.url ?? '/', 'https://localhost');
    const route = ROUTE.exec(url.pathname);
    if (req.method !== 'POST' || route === null)
      return reply(404, 'NotFound', `no route for ${req.method ?? '?'} ${url.pathname}`);
    const ruleId = decodeURIComponent(route[1] ?? '');
    const stream = decodeURIComponent(route[2] ?? '');
    if (url.searchParams.get('api-version') !== LOGS_INGESTION_API_VERSION) {
      return reply(400, 'InvalidApiVersion', `api-version must be ${LOGS_INGESTION_API_VERSION}`);
    }
    if (!(this.options.authorize ?? isLocalBearer)(req.headers.authorization)) {
      return reply(401, 'InvalidToken', 'a valid bearer token is required', { 'www-authenticate': 'Bearer' });
    }
    const fault = this.faults.take();
    if (fault?.kind === 'hang') {
      await new Promise((resolve) => setTimeout(resolve, fault.ms).unref());
      if (res.destroyed) return;
    } else if (fault?.kind === 'status') {
      const headers: Record<string, string> =
        fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
      req.resume();
      return reply(fault.status, 'InjectedFault', fault.message ?? `injected ${fault.status}`, headers);
    }
    const validRule = this.options.ruleIds?.includes(ruleId) ?? /^dcr-[0-9a-f]{32}$/i.test(ruleId);
    if (!validRule)
      return reply(404, 'InvalidDataCollectionRule', `data collection rule '${ruleId}' not found`);
    const columns = this.streams[stream];
    if (columns === undefined)
      return reply(404, 'InvalidStream', `stream '${stream}' is not declared in rule '${ruleId}'`);
    if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
      req.resume();
      return reply(415, 'UnsupportedMediaType', 'Content-Type must be application/json');
    }
    const body = await readBody(req, this.maxBodyBytes);
    if (!body.ok)
      return reply(
        body.status,
        body.status === 413 ? 'ContentLengthLimitExceeded' : 'InvalidContent',
        body.message,
      );
    seen.wireBytes = body.wireBytes;
    seen.bodyBytes = body.body.length;
    const rows = validateRows(body.body.toString('utf8'), columns);
    if (!rows.ok) return reply(400, 'InvalidContent', rows.message);
    seen.rows = rows.rows.length;
    for (const row of rows.rows) this.accepted.push({ ruleId, stream, row });
    if (this.options.outputDir !== undefined && rows.rows.length > 0) {
      const lines = rows.rows.map((row) => JSON.stringify(row)).join('\n') + '\n';
      await appendFile(path.join(this.options.outputDir, `${stream}.ndjson`), lines);
    }
    reply(204);
  }
}
