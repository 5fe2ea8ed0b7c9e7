/**
 * A local host for the app's HTTP functions: it serves the same handlers the Functions host runs,
 * on the same routes (`/api/<route>`), with real `HttpRequest` and `InvocationContext` objects,
 * so `npm run local` and `tracectl apply|get|delete` work without Core Tools.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { compileRouteTemplate, type RouteTemplate } from './routeTemplate';
import { closeServer, listenLocal } from './localServer';
import { errorMessage } from '../errors';

/** An HTTP function as registered with `app.http`. */
export interface HttpFunctionDefinition {
  name: string;
  methods: string[];
  route: string;
  authLevel: 'anonymous' | 'function' | 'admin';
  handler: (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;
}

/** Options of {@link startHttpFunctionHost}. */
export interface HttpFunctionHostOptions {
  functions: readonly HttpFunctionDefinition[];
  /** Port to listen on; 0 picks a free one. */
  port: number;
  host?: string;
  /** When set, `function`/`admin` routes require it as `x-functions-key` or `?code=` (Core Tools does not check keys). */
  functionKey?: string;
  /** Largest body read, in bytes (the handlers enforce their own, smaller limits). Default 10 MiB. */
  maxBodyBytes?: number;
  /** Receives the handlers' `context.log/warn/error` calls. */
  log?: (level: string, functionName: string, message: string) => void;
}

/** A running host. */
export interface HttpFunctionHost {
  url: string;
  port: number;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(response: ServerResponse, init: HttpResponseInit): void {
  const headers = new Headers(init.headers);
  let body: string | Uint8Array | undefined;
  if (init.jsonBody !== undefined) {
    body = JSON.stringify(init.jsonBody);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  } else if (typeof init.body === 'string' || init.body instanceof Uint8Array) {
    body = init.body;
  }
  response.statusCode = init.status ?? 200;
  headers.forEach((value, key) => response.setHeader(key, value));
  response.end(body);
}

/** Starts the host; resolves once it listens. A port in use is an error naming the port. */
export async function startHttpFunctionHost(options: HttpFunctionHostOptions): Promise<HttpFunctionHost> {
  const routes: { definition: HttpFunctionDefinition; template: RouteTemplate }[] = options.functions.map((definition) => ({
    definition,
    template: compileRouteTemplate(definition.route),
  }));
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
      const method = (req.method ?? 'GET').toUpperCase();
      const path = url.pathname.startsWith('/api/') ? url.pathname.slice('/api/'.length) : undefined;
      const found = path === undefined ? undefined : routes.map((r) => ({ ...r, params: r.template.match(path) })).filter((r) => r.params !== undefined);
      if (found === undefined || found.length === 0) {
        send(res, { status: 404, jsonBody: { title: 'Not Found', status: 404, detail: `No function serves ${url.pathname}.` } });
        return;
      }
      const route = found.find((r) => r.definition.methods.includes(method));
      if (route === undefined) {
        send(res, { status: 405, jsonBody: { title: 'Method Not Allowed', status: 405, detail: `${method} is not allowed on ${url.pathname}.` } });
        return;
      }
      if (options.functionKey !== undefined && route.definition.authLevel !== 'anonymous') {
        const key = req.headers['x-functions-key'] ?? url.searchParams.get('code');
        if (key !== options.functionKey) {
          send(res, { status: 401, jsonBody: { title: 'Unauthorized', status: 401, detail: 'A valid function key is required (x-functions-key).' } });
          return;
        }
      }
      const body = await readBody(req, options.maxBodyBytes ?? 10 * 1024 * 1024);
      if (body === undefined) {
        send(res, { status: 413, jsonBody: { title: 'Payload Too Large', status: 413, detail: 'The request body exceeds the host limit.' } });
        return;
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === 'string') headers[name] = value;
        else if (Array.isArray(value)) headers[name] = value.join(', ');
      }
      const request = new HttpRequest({
        method,
        url: url.toString(),
        headers,
        query: Object.fromEntries(url.searchParams),
        params: route.params,
        ...(body.length > 0 ? { body: { bytes: body } } : {}),
      });
      const name = route.definition.name;
      const context = new InvocationContext({
        invocationId: randomUUID(),
        functionName: name,
        logHandler: (level, ...args) => options.log?.(level, name, args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')),
      });
      try {
        send(res, await route.definition.handler(request, context));
      } catch (caught) {
        options.log?.('error', name, `unhandled error: ${errorMessage(caught)}`);
        send(res, { status: 500, jsonBody: { title: 'Internal Server Error', status: 500, detail: errorMessage(caught) } });
      }
    })();
  });
  try {
    await listenLocal(server, options.port, options.host ?? '127.0.0.1');
  } catch (caught) {
    if ((caught as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new Error(`port ${options.port} is already in use; choose another with --http-port`);
    throw caught;
  }
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    close: () => closeServer(server),
  };
}
