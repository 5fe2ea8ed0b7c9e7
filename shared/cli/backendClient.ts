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
export function backendOptions(flags: { server?: string; key?: string }, env: Readonly<Record<string, string | undefined>>): BackendOptions {
  const server = (flags.server ?? env.TRACECTL_SERVER ?? 'http://127.0.0.1:7071').replace(/\/+$/, '');
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
    response = await fetch(url, { method, headers, body: init.body, signal: AbortSignal.timeout(options.timeoutInMs ?? 30_000) });
  } catch (caught) {
    throw new TraceError('BACKEND_UNREACHABLE', `cannot reach the backend at ${options.server} (${method} ${url}): ${errorMessage((caught as { cause?: unknown }).cause ?? caught)}`);
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
  return { status: response.status, headers: response.headers, body };
}

/** Renders a problem body (or anything else) returned by the backend as readable lines. */
export function describeProblem(response: BackendResponse): string {
  const body = response.body as { title?: string; detail?: string; errors?: { path?: string; message?: string; line?: number; column?: number }[] };
  if (typeof body !== 'object' || body === null) return `HTTP ${response.status}: ${String(response.body)}`;
  const lines = [`HTTP ${response.status} ${body.title ?? ''}: ${body.detail ?? ''}`.trim()];
  for (const issue of body.errors ?? []) {
    const where = issue.line !== undefined ? ` (line ${issue.line}${issue.column !== undefined ? `:${issue.column}` : ''})` : '';
    lines.push(`  ${issue.path ?? ''}: ${issue.message ?? ''}${where}`);
  }
  return lines.join('\n');
}
