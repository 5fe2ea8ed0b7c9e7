/**
 * A fake Kubernetes API server for tests and `npm run local -- --in-cluster`: the real HTTP
 * protocol of list and watch (chunked newline-delimited watch streams, `resourceVersion`,
 * `allowWatchBookmarks` with BOOKMARK events, `timeoutSeconds`, 410 Gone for compacted versions,
 * paginated lists with `limit`/`continue`), discovery documents, create/get/replace/merge-patch/
 * delete with optimistic concurrency (409), the status subresource, finalizers and Leases, so the
 * real `@kubernetes/client-node` (informers, `Watch`, `KubernetesObjectApi`, typed APIs) drives it
 * unchanged. No authentication, no admission, no validation beyond what the protocol needs.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { closeServer, listenLocal } from '../localServer';
import { errorMessage } from '../../errors';
import { apiVersionOf, DEFAULT_API_RESOURCES, discoveryDocument, type ApiResource } from './apiResources';
import {
  ApiStatusError,
  ObjectStore,
  type KubeObject,
  type ObjectStoreOptions,
  type WatchEvent,
} from './objectStore';
import { compileFieldSelector, compileLabelSelector, SelectorError } from './selectors';

/** Options of {@link FakeKubernetesApiServer}. */
export interface FakeApiServerOptions extends ObjectStoreOptions {
  /** Served kinds. Default {@link DEFAULT_API_RESOURCES}. */
  resources?: readonly ApiResource[];
  /** How often a watch that asked for bookmarks gets one, in ms. Default 1000. */
  bookmarkIntervalInMs?: number;
  /** Port; 0 picks a free one. Default 0. */
  port?: number;
}

/** A parsed resource path. */
interface ResourcePath {
  resource: ApiResource;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
}

/** One request the server answered, for tests that check what a client did. */
export interface RequestLogEntry {
  method: string;
  path: string;
  query: string;
  status: number;
}

function statusBody(code: number, reason: string, message: string): Record<string, unknown> {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: code < 400 ? 'Success' : 'Failure',
    message,
    reason,
    code,
  };
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch (caught) {
    throw new ApiStatusError(400, 'BadRequest', `the request body is not JSON: ${errorMessage(caught)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new ApiStatusError(400, 'BadRequest', 'the request body must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** RFC 7386 JSON merge patch. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

function asObject(body: Record<string, unknown>, path: ResourcePath): KubeObject {
  const metadata =
    typeof body.metadata === 'object' && body.metadata !== null
      ? { ...(body.metadata as Record<string, unknown>) }
      : {};
  const name = typeof metadata.name === 'string' && metadata.name !== '' ? metadata.name : path.name;
  if (name === undefined)
    throw new ApiStatusError(422, 'Invalid', 'metadata.name: Required value: name is required');
  if (path.name !== undefined && name !== path.name)
    throw new ApiStatusError(
      400,
      'BadRequest',
      `the name of the object (${name}) does not match the name on the URL (${path.name})`,
    );
  if (
    path.resource.namespaced &&
    path.namespace !== undefined &&
    metadata.namespace !== undefined &&
    metadata.namespace !== path.namespace
  ) {
    throw new ApiStatusError(
      400,
      'BadRequest',
      'the namespace of the provided object does not match the namespace sent on the request',
    );
  }
  return {
    ...body,
    metadata: {
      ...metadata,
      name,
      ...(path.resource.namespaced
        ? { namespace: path.namespace ?? (metadata.namespace as string | undefined) ?? 'default' }
        : {}),
    },
  };
}

/** The fake API server. Start it, point a `KubeConfig` at {@link url}, and drive it with the real client. */
export class FakeKubernetesApiServer {
  /** The objects; tests seed and change them directly, as other API clients would. */
  readonly store: ObjectStore;
  /** Every answered request (watch requests are logged when they start). */
  readonly requests: RequestLogEntry[] = [];
  private readonly resources: readonly ApiResource[];
  private readonly bookmarkIntervalInMs: number;
  private readonly server: Server;
  private readonly openWatches = new Set<ServerResponse>();
  private readonly pages = new Map<string, { items: KubeObject[]; resourceVersion: string }>();
  private port = 0;
  /** While true, every API request answers 503 (an API server outage). */
  unavailable = false;

  constructor(private readonly options: FakeApiServerOptions = {}) {
    this.store = new ObjectStore(options);
    this.resources = options.resources ?? DEFAULT_API_RESOURCES;
    this.bookmarkIntervalInMs = options.bookmarkIntervalInMs ?? 1000;
    this.server = createServer((request, response) => {
      void this.handle(request, response).catch((caught: unknown) => {
        if (!response.headersSent)
          sendJson(response, 500, statusBody(500, 'InternalError', errorMessage(caught)));
        else response.destroy();
      });
    });
  }

  /** Listens on 127.0.0.1. */
  async start(): Promise<void> {
    await listenLocal(this.server, this.options.port ?? 0);
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** `http://127.0.0.1:<port>`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Closes every open watch stream (as an API server restart or a load balancer timeout does). */
  closeWatches(): void {
    for (const response of this.openWatches) response.end();
    this.openWatches.clear();
  }

  /** Number of watch streams open now. */
  get watchCount(): number {
    return this.openWatches.size;
  }

  async stop(): Promise<void> {
    this.closeWatches();
    await closeServer(this.server);
  }

  /** The served resource of a kind (`Pod`, `TraceConfiguration`); throws for unknown kinds. */
  resource(kind: string): ApiResource {
    const found = this.resources.find((r) => r.kind === kind);
    if (found === undefined) throw new Error(`the fake API server does not serve kind ${kind}`);
    return found;
  }

  /** Creates or replaces an object as another client would, keeping any status it carries. */
  apply(object: Record<string, unknown>): KubeObject {
    const resource = this.resource(String(object.kind));
    const body = object as KubeObject;
    const existing = this.store.get(resource, body.metadata.namespace ?? 'default', body.metadata.name);
    if (existing === undefined) return this.store.create(resource, body, { keepStatus: true });
    const updated = this.store.update(resource, existing.metadata.namespace, body.metadata.name, {
      ...body,
      metadata: { ...body.metadata, resourceVersion: existing.metadata.resourceVersion! },
    });
    return body.status === undefined
      ? updated
      : this.store.update(
          resource,
          existing.metadata.namespace,
          body.metadata.name,
          { ...updated, status: body.status },
          'status',
        );
  }

  /** Deletes an object as another client would (finalizers respected). */
  remove(kind: string, namespace: string | undefined, name: string): void {
    this.store.delete(this.resource(kind), namespace, name);
  }

  /** One object, or undefined. */
  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.store.get(this.resource(kind), namespace, name);
  }

  private parsePath(segments: string[]): ResourcePath | undefined {
    // /api/v1/... or /apis/<group>/<version>/...
    let group: string;
    let version: string;
    let rest: string[];
    if (segments[0] === 'api') [group, version, rest] = ['', segments[1] ?? '', segments.slice(2)];
    else if (segments[0] === 'apis')
      [group, version, rest] = [segments[1] ?? '', segments[2] ?? '', segments.slice(3)];
    else return undefined;
    const served = this.resources.filter((r) => r.group === group && r.version === version);
    let namespace: string | undefined;
    if (
      rest[0] === 'namespaces' &&
      rest.length >= 3 &&
      served.some((r) => r.namespaced && r.plural === rest[2])
    ) {
      namespace = decodeURIComponent(rest[1]!);
      rest = rest.slice(2);
    }
    const resource = served.find((r) => r.plural === rest[0]);
    if (resource === undefined) return undefined;
    const name = rest[1] === undefined ? undefined : decodeURIComponent(rest[1]);
    return { resource, namespace, name, subresource: rest[2] };
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = (request.method ?? 'GET').toUpperCase();
    const segments = url.pathname.split('/').filter((s) => s !== '');
    const reply = (status: number, body: unknown) => {
      this.requests.push({ method, path: url.pathname, query: url.search, status });
      sendJson(response, status, body);
    };
    try {
      if (url.pathname === '/healthz' || url.pathname === '/readyz' || url.pathname === '/livez') {
        response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        return;
      }
      if (this.unavailable) {
        return reply(
          503,
          statusBody(503, 'ServiceUnavailable', 'the fake API server is unavailable (test switch)'),
        );
      }
      const discovery =
        (segments[0] === 'api' && segments.length === 2) || (segments[0] === 'apis' && segments.length === 3);
      if (method === 'GET' && discovery) {
        const [group, version] = segments[0] === 'api' ? ['', segments[1]!] : [segments[1]!, segments[2]!];
        const document = discoveryDocument(this.resources, group, version);
        if (document !== undefined) return reply(200, document);
      }
      const path = this.parsePath(segments);
      if (path === undefined)
        return reply(
          404,
          statusBody(404, 'NotFound', `the server could not find the requested resource (${url.pathname})`),
        );
      if (
        path.subresource !== undefined &&
        (path.subresource !== 'status' || !path.resource.statusSubresource)
      ) {
        return reply(
          404,
          statusBody(404, 'NotFound', `${path.resource.plural} has no subresource ${path.subresource}`),
        );
      }
      const { resource, namespace, name } = path;
      if (name === undefined) {
        if (method === 'GET') {
          const watch = url.searchParams.get('watch');
          if (watch === '1' || watch === 'true') return this.serveWatch(request, response, path, url);
          return reply(200, this.serveList(path, url));
        }
        if (method === 'POST') {
          const body = asObject(await readJson(request), path);
          return reply(201, this.store.create(resource, body));
        }
        return reply(405, statusBody(405, 'MethodNotAllowed', `${method} is not supported on a collection`));
      }
      switch (method) {
        case 'GET': {
          const found = this.store.get(resource, namespace, name);
          if (found === undefined)
            return reply(404, statusBody(404, 'NotFound', `${resource.plural} "${name}" not found`));
          return reply(200, found);
        }
        case 'PUT': {
          const body = asObject(await readJson(request), path);
          return reply(
            200,
            this.store.update(
              resource,
              namespace,
              name,
              body,
              path.subresource === 'status' ? 'status' : undefined,
            ),
          );
        }
        case 'PATCH': {
          const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim();
          if (type !== 'application/merge-patch+json')
            return reply(
              415,
              statusBody(
                415,
                'UnsupportedMediaType',
                `only application/merge-patch+json patches are supported, got ${type ?? '(none)'}`,
              ),
            );
          const patch = await readJson(request);
          const current = this.store.get(resource, namespace, name);
          if (current === undefined)
            return reply(404, statusBody(404, 'NotFound', `${resource.plural} "${name}" not found`));
          const patched = mergePatch(current, patch) as KubeObject;
          // A patch without a resourceVersion applies to whatever is current.
          if ((patch.metadata as { resourceVersion?: unknown } | undefined)?.resourceVersion === undefined)
            patched.metadata.resourceVersion = current.metadata.resourceVersion!;
          return reply(
            200,
            this.store.update(
              resource,
              namespace,
              name,
              patched,
              path.subresource === 'status' ? 'status' : undefined,
            ),
          );
        }
        case 'DELETE': {
          const object = this.store.delete(resource, namespace, name);
          return reply(
            200,
            object.metadata.deletionTimestamp !== undefined &&
              this.store.get(resource, namespace, name) !== undefined
              ? object
              : {
                  ...statusBody(200, '', ''),
                  details: { name, kind: resource.plural, uid: object.metadata.uid },
                },
          );
        }
        default:
          return reply(405, statusBody(405, 'MethodNotAllowed', `${method} is not supported`));
      }
    } catch (caught) {
      if (caught instanceof ApiStatusError)
        return reply(caught.code, statusBody(caught.code, caught.reason, caught.message));
      if (caught instanceof SelectorError) return reply(400, statusBody(400, 'BadRequest', caught.message));
      throw caught;
    }
  }

  private serveList(path: ResourcePath, url: URL): Record<string, unknown> {
    const listKind = `${path.resource.kind}List`;
    const apiVersion = apiVersionOf(path.resource);
    const token = url.searchParams.get('continue');
    const limit = Number(url.searchParams.get('limit') ?? '0');
    let page: { items: KubeObject[]; resourceVersion: string };
    if (token !== null && token !== '') {
      const saved = this.pages.get(token);
      if (saved === undefined || this.store.isGone(saved.resourceVersion)) {
        throw new ApiStatusError(
          410,
          'Expired',
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
        );
      }
      this.pages.delete(token);
      page = saved;
    } else {
      const matches = [
        compileLabelSelector(url.searchParams.get('labelSelector')),
        compileFieldSelector(url.searchParams.get('fieldSelector')),
      ];
      page = this.store.list(path.resource, path.namespace, (o) => matches.every((m) => m(o)));
    }
    let items = page.items;
    let next: string | undefined;
    if (limit > 0 && items.length > limit) {
      next = randomUUID();
      this.pages.set(next, { items: items.slice(limit), resourceVersion: page.resourceVersion });
      items = items.slice(0, limit);
    }
    return {
      kind: listKind,
      apiVersion,
      metadata: { resourceVersion: page.resourceVersion, ...(next === undefined ? {} : { continue: next }) },
      items,
    };
  }

  private serveWatch(request: IncomingMessage, response: ServerResponse, path: ResourcePath, url: URL): void {
    const matches = [
      compileLabelSelector(url.searchParams.get('labelSelector')),
      compileFieldSelector(url.searchParams.get('fieldSelector')),
    ];
    const bookmarks =
      url.searchParams.get('allowWatchBookmarks') === 'true' ||
      url.searchParams.get('allowWatchBookmarks') === '1';
    const timeoutSeconds = Number(url.searchParams.get('timeoutSeconds') ?? '0');
    this.requests.push({ method: 'GET', path: url.pathname, query: url.search, status: 200 });
    response.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    // Clients wait for the headers before reading events; send them before the first event.
    response.flushHeaders();
    let lastVersion = url.searchParams.get('resourceVersion') ?? '';
    const write = (line: Record<string, unknown>) => {
      if (!response.writableEnded) response.write(`${JSON.stringify(line)}\n`);
    };
    const send = (event: WatchEvent) => {
      lastVersion = event.object.metadata.resourceVersion ?? lastVersion;
      write({ type: event.type, object: event.object });
    };
    let unregister: () => void = () => undefined;
    try {
      unregister = this.store.watch(path.resource, lastVersion, {
        plural: path.resource.plural,
        namespace: path.namespace,
        matches: (o) => matches.every((m) => m(o)),
        send,
      });
    } catch (caught) {
      if (!(caught instanceof ApiStatusError)) throw caught;
      // The API server reports a gone version inside the stream, then ends it.
      write({ type: 'ERROR', object: statusBody(caught.code, caught.reason, caught.message) });
      response.end();
      return;
    }
    this.openWatches.add(response);
    const timers: NodeJS.Timeout[] = [];
    if (bookmarks) {
      timers.push(
        setInterval(() => {
          if (lastVersion === '' || lastVersion === '0') lastVersion = this.store.resourceVersion;
          write({
            type: 'BOOKMARK',
            object: {
              kind: path.resource.kind,
              apiVersion: apiVersionOf(path.resource),
              metadata: { resourceVersion: this.store.resourceVersion },
            },
          });
        }, this.bookmarkIntervalInMs),
      );
    }
    if (timeoutSeconds > 0) timers.push(setTimeout(() => response.end(), timeoutSeconds * 1000));
    const cleanup = () => {
      unregister();
      for (const timer of timers) clearTimeout(timer);
      this.openWatches.delete(response);
    };
    response.once('close', cleanup);
    response.once('finish', cleanup);
    request.once('close', cleanup);
  }
}
