/**
 * The HTTP exchange of the Table sink, as a function so the sink can be driven without a network
 * (the CPU benchmark answers from memory) and over node's own http/https with keep-alive otherwise.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** One request. */
export interface TableHttpRequest {
  method: 'POST';
  url: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: Buffer;
}

/** One response, body read in full. */
export interface TableHttpResponse {
  status: number;
  /** Lower-case names; repeated headers joined with `, `. */
  headers: Record<string, string | undefined>;
  body: string;
}

/** Sends one request; rejects on network errors and aborts (node's error codes and names). */
export type TableHttpSend = (
  request: TableHttpRequest,
  abortSignal?: AbortSignal,
) => Promise<TableHttpResponse>;

/** Options of {@link createNodeHttpSend}. */
export interface NodeHttpSendOptions {
  /** Extra CA certificates to trust for https (PEM), e.g. a local test server's. */
  ca?: string | Buffer;
  /** Sockets per host. Default 64. */
  maxSockets?: number;
}

/** A keep-alive sender over node:http/https, with `close()` to release its sockets. */
export interface NodeHttpSend {
  send: TableHttpSend;
  close(): void;
}

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers))
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

/** Creates a sender with its own keep-alive agents. */
export function createNodeHttpSend(options: NodeHttpSendOptions = {}): NodeHttpSend {
  const maxSockets = options.maxSockets ?? 64;
  const http = new HttpAgent({ keepAlive: true, maxSockets });
  const https = new HttpsAgent({
    keepAlive: true,
    maxSockets,
    ...(options.ca === undefined ? {} : { ca: options.ca }),
  });
  const send: TableHttpSend = (request, abortSignal) =>
    new Promise<TableHttpResponse>((resolve, reject) => {
      const secure = request.url.startsWith('https:');
      const make = secure ? httpsRequest : httpRequest;
      const outgoing = make(
        request.url,
        {
          method: request.method,
          headers: { ...request.headers, 'content-length': String(request.body.length) },
          agent: secure ? https : http,
          ...(abortSignal === undefined ? {} : { signal: abortSignal }),
        },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('error', reject);
          incoming.on('end', () =>
            resolve({
              status: incoming.statusCode ?? 0,
              headers: flatHeaders(incoming.headers),
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
        },
      );
      outgoing.on('error', reject);
      outgoing.end(request.body);
    });
  return {
    send,
    close() {
      http.destroy();
      https.destroy();
    },
  };
}
