/**
 * The two Table REST calls the sink makes, without the SDK pipeline: Create Table (once per sink)
 * and entity group transactions (`POST <endpoint>/$batch`). Requests are authorized per
 * {@link TableAuthorizer}; answers other than success are thrown as {@link HttpStatusError}
 * (status, service code and message, response headers for Retry-After), so the shared send stack
 * classifies them exactly as it classified the SDK's `RestError`s.
 */
import { randomUUID } from 'node:crypto';
import type { TokenCredential } from '@azure/core-auth';
import type { AzureTableConnection } from '../connection';
import { HttpStatusError } from '../send/failure';
import { TableAuthorizer } from './tableAuthorization';
import { resolveTableEndpoint, type TableEndpoint } from './tableEndpoint';
import {
  createNodeHttpSend,
  type NodeHttpSend,
  type TableHttpResponse,
  type TableHttpSend,
} from './tableHttp';
import { serviceError, parseTransactionResponse, type TransactionOutcome } from './transactionResponse';
import { transactionBody, transactionBodyBound, type TransactionTarget } from './transactionBody';

/** Table service REST version sent (the one @azure/data-tables 13 sends). */
export const TABLE_SERVICE_VERSION = '2019-02-02';

/** Keep-alive sockets shared by every client without its own CA (as the SDK shares its agent). */
let sharedHttp: NodeHttpSend | undefined;

/** Options of {@link TableTransactionClient}. */
export interface TableTransactionClientOptions {
  /** How requests are sent; default node http/https with keep-alive agents. */
  send?: TableHttpSend;
  /** Extra CA (PEM) trusted for https when `send` is not given (local test servers). */
  ca?: string | Buffer;
  /** Clock, for `x-ms-date` and token expiry. */
  now?: () => number;
}

/** Boundaries of one transaction request (unique per request; reused when it is resent). */
export interface TransactionBoundaries {
  batch: string;
  changeset: string;
}

/** Body buffers kept for reuse per client (about one per request in flight). */
const MAX_POOLED_BODIES = 16;
/** Larger bodies (rare: entities near the size limits) are not kept, so the pool stays small. */
const MAX_POOLED_BODY_BYTES = 1024 * 1024;

/** Talks to one table of one account. */
export class TableTransactionClient {
  /** Where sub-requests point, for building bodies. */
  readonly target: TransactionTarget;
  private readonly authorizer: TableAuthorizer;
  private readonly send: TableHttpSend;
  private readonly closeHttp: () => void;
  private readonly batchUrl: string;
  private readonly tablesUrl: string;
  private readonly bodies: Buffer[] = [];

  constructor(
    readonly endpoint: TableEndpoint,
    options: TableTransactionClientOptions = {},
  ) {
    this.authorizer = new TableAuthorizer(endpoint.auth, options.now);
    if (options.send !== undefined) {
      this.send = options.send;
      this.closeHttp = () => undefined;
    } else if (options.ca === undefined) {
      sharedHttp ??= createNodeHttpSend();
      this.send = sharedHttp.send;
      this.closeHttp = () => undefined;
    } else {
      const http = createNodeHttpSend({ ca: options.ca });
      this.send = http.send;
      this.closeHttp = () => http.close();
    }
    const query = this.authorizer.query === '' ? '' : `?${this.authorizer.query}`;
    this.batchUrl = `${endpoint.baseUrl}/$batch${query}`;
    this.tablesUrl = `${endpoint.baseUrl}/Tables${query}`;
    this.target = { tableUrl: `${endpoint.baseUrl}/${endpoint.tableName}`, cosmos: endpoint.cosmos };
  }

  /** Fresh boundaries for a new transaction. */
  boundaries(): TransactionBoundaries {
    const id = randomUUID();
    return { batch: `batch_${id}`, changeset: `changeset_${id}` };
  }

  /** Creates the table; "already exists" (409) is success. */
  async createTable(abortSignal?: AbortSignal): Promise<void> {
    const headers: Record<string, string> = {
      'x-ms-version': TABLE_SERVICE_VERSION,
      dataserviceversion: '3.0;',
      accept: 'application/json;odata=nometadata',
      'content-type': 'application/json',
      prefer: 'return-no-content',
    };
    await this.authorizer.authorize(headers, `${this.endpoint.basePath}/Tables`, abortSignal);
    const response = await this.send(
      {
        method: 'POST',
        url: this.tablesUrl,
        headers,
        body: Buffer.from(JSON.stringify({ TableName: this.endpoint.tableName })),
      },
      abortSignal,
    );
    if (response.status === 409 || (response.status >= 200 && response.status < 300)) return;
    throw statusError(response, `creating table '${this.endpoint.tableName}'`);
  }

  /**
   * Sends one transaction of `parts` (from `operationPart` with `boundaries.changeset`) and reads
   * its outcome. Throws {@link HttpStatusError} when the request as a whole was refused (auth,
   * throttling, size, server errors); returns the failed operation otherwise.
   */
  async submitTransaction(
    boundaries: TransactionBoundaries,
    parts: readonly string[],
    abortSignal?: AbortSignal,
  ): Promise<{ outcome: TransactionOutcome; headers: Record<string, string | undefined> }> {
    const headers: Record<string, string> = {
      'x-ms-version': TABLE_SERVICE_VERSION,
      dataserviceversion: '3.0;',
      maxdataserviceversion: '3.0;NetFx',
      accept: 'application/json',
      'accept-charset': 'UTF-8',
      'content-type': `multipart/mixed; boundary=${boundaries.batch}`,
    };
    await this.authorizer.authorize(headers, `${this.endpoint.basePath}/$batch`, abortSignal);
    // Body memory is reused once a response has come back (the request was written by then); after
    // an error or abort the buffer is left to the garbage collector, in case a write still holds it.
    const most = transactionBodyBound(parts);
    const scratch = this.bodies.pop();
    const memory =
      scratch !== undefined && scratch.length >= most
        ? scratch
        : Buffer.allocUnsafe(Math.max(most, 64 * 1024));
    const body = transactionBody(boundaries.batch, boundaries.changeset, parts, memory);
    const response = await this.send({ method: 'POST', url: this.batchUrl, headers, body }, abortSignal);
    if (this.bodies.length < MAX_POOLED_BODIES && memory.length <= MAX_POOLED_BODY_BYTES)
      this.bodies.push(memory);
    if (response.status !== 202 && !(response.status >= 200 && response.status < 300))
      throw statusError(response, 'table transaction');
    return { outcome: parseTransactionResponse(response.body, parts.length), headers: response.headers };
  }

  /** Releases the keep-alive sockets of a client with its own CA (shared ones stay). Idempotent. */
  close(): void {
    this.closeHttp();
  }
}

function statusError(response: TableHttpResponse, what: string): HttpStatusError {
  const { code, message } = serviceError(response.body);
  const detail = [code, message.split(/\r?\n/)[0]?.trim()].filter(
    (part) => part !== undefined && part !== '',
  );
  return new HttpStatusError(
    response.status,
    `${what} failed with HTTP ${response.status}${detail.length > 0 ? `: ${detail.join(': ')}` : ''}`,
    response.headers,
  );
}

/** A client for a connection (`credential` for `tableServiceUri` connections). */
export function createTableTransactionClient(
  connection: AzureTableConnection,
  credential?: TokenCredential,
  options: TableTransactionClientOptions = {},
): TableTransactionClient {
  return new TableTransactionClient(resolveTableEndpoint(connection, credential), options);
}
