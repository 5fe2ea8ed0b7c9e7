/**
 * A near-zero-latency Azure Table endpoint that answers entity group transactions (`POST
 * .../$batch`) and table creation, and nothing else: for benches, where Azurite's own CPU would
 * otherwise be measured as the backend's. It checks what the service checks of a transaction's
 * shape (a `multipart/mixed` batch holding one changeset, at most 100 operations, one
 * PartitionKey, at most 4 MiB) and answers like the service: `202` with one `204` sub-response
 * per operation, or an OData error naming the problem. Entities are not stored.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Service limits of one transaction. */
export const TABLE_TRANSACTION_LIMITS = { maxOperations: 100, maxBodyBytes: 4 * 1024 * 1024 } as const;

/** An HTTP answer. */
export interface TableAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Operations the transaction held (0 when refused). */
  operations: number;
}

const OPERATION = /^(POST|PUT|PATCH|MERGE|DELETE) (\S+) HTTP\/1\.1\r?$/gm;
const URL_PARTITION_KEY = /PartitionKey='((?:[^']|'')*)'/;
const BODY_PARTITION_KEY = /"PartitionKey"\s*:\s*"((?:[^"\\]|\\.)*)"/;

function odataError(status: number, code: string, message: string): TableAnswer {
  return {
    status,
    headers: { 'content-type': 'application/json;odata=minimalmetadata;charset=utf-8' },
    body: JSON.stringify({ 'odata.error': { code, message: { lang: 'en-US', value: message } } }),
    operations: 0,
  };
}

/** Answers one `$batch` request given its content type and body. Pure but for the boundary ids. */
export function answerTableBatch(contentType: string | undefined, body: string): TableAnswer {
  if (!/^multipart\/mixed;\s*boundary=batch_/i.test(contentType ?? ''))
    return odataError(
      400,
      'InvalidInput',
      `a transaction is multipart/mixed with a batch_ boundary, got '${contentType ?? ''}'`,
    );
  if (Buffer.byteLength(body) > TABLE_TRANSACTION_LIMITS.maxBodyBytes)
    return odataError(
      413,
      'RequestBodyTooLarge',
      `the transaction is over ${TABLE_TRANSACTION_LIMITS.maxBodyBytes} bytes`,
    );
  if (!/boundary=changeset_/i.test(body))
    return odataError(400, 'InvalidInput', 'the batch holds no changeset');
  const operations = [...body.matchAll(OPERATION)];
  if (operations.length === 0) return odataError(400, 'InvalidInput', 'the changeset holds no operation');
  if (operations.length > TABLE_TRANSACTION_LIMITS.maxOperations)
    return odataError(
      400,
      'InvalidInput',
      `${operations.length} operations; a transaction holds at most 100`,
    );
  const keys = new Set<string>();
  for (const [index, operation] of operations.entries()) {
    const fromUrl = URL_PARTITION_KEY.exec(operation[2] ?? '');
    const rest = body.slice(operation.index, operations[index + 1]?.index ?? body.length);
    const key = fromUrl?.[1] ?? BODY_PARTITION_KEY.exec(rest)?.[1];
    if (key === undefined)
      return odataError(400, 'InvalidInput', `operation ${index + 1} names no PartitionKey`);
    keys.add(key);
  }
  if (keys.size > 1)
    return odataError(
      400,
      'CommandsInBatchActOnDifferentPartitions',
      'all operations of a transaction share one PartitionKey',
    );
  const batch = `batchresponse_${randomUUID()}`;
  const changeset = `changesetresponse_${randomUUID()}`;
  const etag = `W/"datetime'${encodeURIComponent(new Date().toISOString())}'"`;
  const part =
    `--${changeset}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n` +
    `HTTP/1.1 204 No Content\r\nX-Content-Type-Options: nosniff\r\nCache-Control: no-cache\r\n` +
    `DataServiceVersion: 1.0;\r\nETag: ${etag}\r\n\r\n\r\n`;
  return {
    status: 202,
    headers: { 'content-type': `multipart/mixed; boundary=${batch}`, 'cache-control': 'no-cache' },
    body:
      `--${batch}\r\nContent-Type: multipart/mixed; boundary=${changeset}\r\n\r\n` +
      part.repeat(operations.length) +
      `--${changeset}--\r\n--${batch}--\r\n`,
    operations: operations.length,
  };
}

/** Answers any request of the Table API the bench's sinks make. */
export function answerTableRequest(
  method: string,
  url: string,
  contentType: string | undefined,
  body: string,
): TableAnswer {
  const path = url.split('?')[0] ?? '';
  if (method === 'POST' && path.endsWith('/$batch')) return answerTableBatch(contentType, body);
  if (method === 'POST' && path.endsWith('/Tables'))
    return { status: 204, headers: {}, body: '', operations: 0 };
  return odataError(501, 'NotImplemented', `${method} ${path} is not answered by the table batch responder`);
}

/** The responder as a local HTTP server. */
export class TableBatchResponder {
  /** Transactions answered with 202. */
  transactions = 0;
  /** Operations (entities) in those transactions. */
  operations = 0;
  /** Requests refused. */
  refused = 0;
  private server: Server | undefined;

  /** Listens on 127.0.0.1 (`port` 0: a free port); resolves to the port. */
  async start(port = 0): Promise<number> {
    const server = createServer((request, response) => this.handle(request, response));
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.server = server;
    return (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answer = answerTableRequest(
        request.method ?? '',
        request.url ?? '',
        request.headers['content-type'],
        Buffer.concat(chunks).toString('utf8'),
      );
      if (answer.status === 202) {
        this.transactions += 1;
        this.operations += answer.operations;
      } else if (answer.status >= 400) this.refused += 1;
      response.writeHead(answer.status, answer.headers).end(answer.body);
    });
  }
}
