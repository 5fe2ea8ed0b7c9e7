/**
 * A small client for the backend's HTTP API, used by `tracectl apply|get|delete`.
 * Server from `--server` or `TRACECTL_SERVER` (default the local host, http://127.0.0.1:7071);
 * function key from `--key` or `TRACECTL_FUNCTION_KEY`, sent as `x-functions-key`.
 */
import { TraceError, errorMessage } from '../errors';

/** Where the backend is and how to authenticate. */
export interface BackendOptions {
  server: string;
  functionKey?: string;
  /** Per-request timeout in ms. Default 30 000. */
  timeoutInMs?: number;
}

/** A response from the backend. */
export interface BackendResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

/** Resolves backend options from flags and environment. */
export function backendOptions(
  flags: { server?: string; key?: string },
  env: Readonly<Record<string, string | undefined>>,
): BackendOptions {
  const server = (flags.server ?? env.TRACECTL_SERVER ?? 'http://127.0.0.1:7071').replace(/\/+$/, '');
  let url: URL | undefined;
  try {
    url = new URL(server);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new TraceError(
      'BAD_SERVER_URL',
      `the backend URL '${server}' is not an http:// or https:// URL (--server or TRACECTL_SERVER)`,
    );
  }
  const functionKey = flags.key ?? env.TRACECTL_FUNCTION_KEY;
  return functionKey === undefined || functionKey === '' ? { server } : { server, functionKey };
}

/** Sends one request to `/api/<path>`; network failures become a TraceError naming the server. */
export async function callBackend(
  options: BackendOptions,
  method: string,
  path: string,
  init: { body?: string; contentType?: string; headers?: Record<string, string> } = {},
): Promise<BackendResponse> {
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
  if (options.functionKey !== undefined) headers['x-functions-key'] = options.functionKey;
  if (init.contentType !== undefined) headers['content-type'] = init.contentType;
  const url = `${options.server}/api/${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: init.body,
      signal: AbortSignal.timeout(options.timeoutInMs ?? 30_000),
    });
  } catch (caught) {
    throw new TraceError(
      'BACKEND_UNREACHABLE',
      `cannot reach the backend at ${options.server}: ${networkReason(options.server, caught)}`,
    );
  }
  const text = await response.text();
  let body: unknown = text;
  if (text !== '') {
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      body = text;
    }
  }
  const isJson = (response.headers.get('content-type') ?? '').includes('json');
  if (!isJson && (response.status >= 400 || text !== '')) {
    throw new TraceError(
      'NOT_THE_BACKEND',
      `the server at ${options.server} does not look like the retina-trace-backend API (HTTP ${response.status} ${response.statusText || ''} for ${method} /api/${path}, no JSON): check --server or TRACECTL_SERVER (the Functions host's base URL, e.g. http://127.0.0.1:7071)`.replace(
        '  ',
        ' ',
      ),
    );
  }
  return { status: response.status, headers: response.headers, body };
}

/** A network failure said the way a user can act on: refused, wrong scheme, name unknown, timeout. */
function networkReason(server: string, caught: unknown): string {
  const cause = (caught as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? (caught as { name?: string }).name ?? '';
  const https = server.startsWith('https:');
  if (code === 'ECONNREFUSED')
    return 'connection refused (is the backend running? `npm run local` or `npm start` starts one)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name does not resolve';
  if (code === 'TimeoutError' || code === 'UND_ERR_CONNECT_TIMEOUT') return 'no answer in time';
  if (
    https &&
    (code === 'EPROTO' ||
      code.startsWith('ERR_SSL') ||
      /wrong version number|packet length too long/i.test(cause?.message ?? ''))
  ) {
    return 'the server does not speak TLS: use http:// instead of https://';
  }
  if (!https && (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code.startsWith('HPE_'))) {
    return 'the connection was dropped: if the server uses TLS, use https:// instead of http://';
  }
  if (https && /self[- ]signed|certificate/i.test(cause?.message ?? ''))
    return `its TLS certificate is not trusted (${cause?.message ?? code})`;
  return cause?.message ?? errorMessage(caught);
}

/** Renders a problem body (or anything else) returned by the backend as readable lines. */
export function describeProblem(response: BackendResponse): string {
  const body = response.body as {
    title?: string;
    detail?: string;
    errors?: { path?: string; message?: string; line?: number; column?: number }[];
  };
  if (typeof body !== 'object' || body === null) return `HTTP ${response.status}: ${String(response.body)}`;
  const lines = [`HTTP ${response.status} ${body.title ?? ''}: ${body.detail ?? ''}`.trim()];
  for (const issue of body.errors ?? []) {
    const where =
      issue.line !== undefined
        ? ` (line ${issue.line}${issue.column !== undefined ? `:${issue.column}` : ''})`
        : '';
    lines.push(`  ${issue.path ?? ''}: ${issue.message ?? ''}${where}`);
  }
  return lines.join('\n');
}
