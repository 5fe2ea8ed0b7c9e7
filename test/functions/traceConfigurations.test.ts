import { createTraceConfigurationsHandler } from '../../functions/traceConfigurations';
import type { ConfigurationStore } from '../../shared/store/configurationStore';
import {
  asHostResponse,
  httpRequest,
  invocationContext,
  useApp,
  type AppInstance,
  type HostJson,
} from '../support/appHarness';
import { CHANGED_MANIFEST, ERRORED_MANIFEST, VALID_MANIFEST } from '../support/manifests';

const app = useApp();

const VALID = VALID_MANIFEST;
const CHANGED = CHANGED_MANIFEST;
const ERRORED = ERRORED_MANIFEST;
const AT = { namespace: 'team-a', name: 'web' };

interface Call {
  method: string;
  path?: string;
  params?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  query?: Record<string, string>;
}

function api(
  instance: AppInstance,
  options: { maxRequestBodyBytes?: number; store?: ConfigurationStore } = {},
) {
  const handler = createTraceConfigurationsHandler(() => ({
    store: options.store ?? instance.services.configurationStore,
    validator: instance.services.validator,
    maxRequestBodyBytes: options.maxRequestBodyBytes ?? instance.services.settings.maxRequestBodyBytes,
  }));
  return async (call: Call) => {
    const params: Record<string, string> = call.params ?? AT;
    const path =
      call.path ??
      ['traceconfigurations', params.namespace, params.name, params.subresource]
        .filter((p) => p !== undefined)
        .join('/');
    const request = httpRequest(call.method, path, {
      params,
      headers: call.headers ?? (call.body === undefined ? {} : { 'content-type': 'application/yaml' }),
      ...(call.body !== undefined ? { body: call.body } : {}),
      ...(call.query !== undefined ? { query: call.query } : {}),
    });
    const { context, logs } = invocationContext('traceConfigurations');
    const response = await asHostResponse(await handler(request, context));
    return { ...response, logs };
  };
}

function names(json: HostJson | undefined): string[] {
  return (json!.items as { metadata: { name: string } }[]).map((i) => i.metadata.name);
}

function expectProblem(
  response: Awaited<ReturnType<ReturnType<typeof api>>>,
  status: number,
  detail: RegExp,
): void {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(response.json).toMatchObject({ status });
  expect(String(response.json!.detail)).toMatch(detail);
}

describe('traceConfigurations handler (real HttpRequest, Azure Table store)', () => {
  it('creates (201), reads with the ETag header, updates (200), lists, reads status and deletes (204)', async () => {
    const call = api(app.create());
    const created = await call({ method: 'PUT', body: VALID });
    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toBe('application/json');
    const etag = created.headers.get('etag');
    expect(etag).toMatch(/^W\/"datetime'/);
    expect(created.json).toMatchObject({
      kind: 'TraceConfiguration',
      metadata: { namespace: 'team-a', name: 'web', generation: 1, resourceVersion: etag },
      status: { state: 'Accepted' },
    });
    expect(created.logs).toEqual([
      { level: 'information', text: 'PUT /api/traceconfigurations/team-a/web -> 201' },
    ]);

    const got = await call({ method: 'GET' });
    expect(got.status).toBe(200);
    expect(got.headers.get('etag')).toBe(etag);

    const updated = await call({
      method: 'PUT',
      body: CHANGED,
      headers: { 'content-type': 'application/yaml; charset=utf-8', 'if-match': etag! },
    });
    expect(updated.status).toBe(200);
    expect(updated.json!.metadata.generation).toBe(2);
    expect(updated.headers.get('etag')).not.toBe(etag);

    const json = await call({
      method: 'PUT',
      body: JSON.stringify({
        apiVersion: 'retina.sh/v1alpha1',
        kind: 'TraceConfiguration',
        metadata: { name: 'api', namespace: 'team-b' },
        spec: {
          traceConfigurations: [{ captureLevel: 'AllPackets', ports: [{ port: 443 }] }],
          outputConfiguration: { destination: 'stdout' },
        },
      }),
      params: { namespace: 'team-b', name: 'api' },
      headers: { 'content-type': 'application/json' },
    });
    expect(json.status).toBe(201);

    const all = await call({ method: 'GET', params: {}, path: 'traceconfigurations' });
    expect(all.status).toBe(200);
    expect(names(all.json)).toEqual(['web', 'api']);
    const filtered = await call({
      method: 'GET',
      params: {},
      path: 'traceconfigurations',
      query: { namespace: 'team-b' },
    });
    expect(names(filtered.json)).toEqual(['api']);
    const byPath = await call({ method: 'GET', params: { namespace: 'team-a' } });
    expect(names(byPath.json)).toEqual(['web']);

    const status = await call({ method: 'GET', params: { ...AT, subresource: 'status' } });
    expect(status.status).toBe(200);
    expect(status.json).toMatchObject({ state: 'Accepted' });

    const deleted = await call({ method: 'DELETE', headers: { 'if-match': updated.headers.get('etag')! } });
    expect(deleted.status).toBe(204);
    expect(deleted.json).toBeUndefined();
    expectProblem(await call({ method: 'GET' }), 404, /team-a\/web does not exist/);
    expectProblem(await call({ method: 'DELETE' }), 404, /does not exist/);
  });

  it.each<[string, Call, number, RegExp]>([
    ['no content type', { method: 'PUT', body: VALID, headers: {} }, 415, /'\(none\)' is not supported/],
    [
      'an HTML body',
      { method: 'PUT', body: VALID, headers: { 'content-type': 'text/html' } },
      415,
      /'text\/html' is not supported/,
    ],
    [
      'two documents',
      { method: 'PUT', body: `${VALID}---\n${CHANGED}` },
      400,
      /exactly one TraceConfiguration document; it holds 2/,
    ],
    ['an empty body', { method: 'PUT', body: '' }, 400, /it holds 0/],
    [
      'an unknown sub-resource',
      { method: 'GET', params: { ...AT, subresource: 'logs' } },
      404,
      /Unknown sub-resource 'logs'/,
    ],
    [
      'a PUT to the status',
      { method: 'PUT', params: { ...AT, subresource: 'status' }, body: VALID },
      405,
      /computed by the backend/,
    ],
    [
      'a PUT to the collection',
      { method: 'PUT', params: {}, path: 'traceconfigurations', body: VALID },
      405,
      /needs \/api\/traceconfigurations\/\{namespace\}\/\{name\}/,
    ],
    [
      'a stale If-Match on a missing resource',
      {
        method: 'PUT',
        body: VALID,
        headers: { 'content-type': 'application/yaml', 'if-match': 'W/"stale"' },
      },
      412,
      /does not exist \(If-Match: W\/"stale"\)/,
    ],
  ])('answers %s with a problem', async (_name, call, status, detail) => {
    expectProblem(await api(app.create())(call), status, detail);
  });

  it('answers 400 with field paths when the manifest and the URL disagree', async () => {
    const response = await api(app.create())({
      method: 'PUT',
      params: { namespace: 'team-b', name: 'other' },
      body: VALID,
    });
    expectProblem(response, 400, /disagree/);
    expect(response.json!.errors).toEqual([
      { path: 'metadata.namespace', message: "is 'team-a' but the URL names namespace 'team-b'" },
      { path: 'metadata.name', message: "is 'web' but the URL names 'other'" },
    ]);
  });

  it('answers 422 with the issues and the ETag of the stored (Errored) status', async () => {
    const call = api(app.create());
    await call({ method: 'PUT', body: VALID });
    const response = await call({ method: 'PUT', body: ERRORED });
    expectProblem(response, 422, /invalid\. The last accepted spec stays in force\./);
    expect(response.headers.get('etag')).toBe(response.json!.resource.metadata.resourceVersion);
    expect(response.json!.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: expect.stringContaining('cidr') as unknown })]),
    );
    expect((await call({ method: 'GET', params: { ...AT, subresource: 'status' } })).json).toMatchObject({
      state: 'Errored',
    });
  });

  it('answers 412 for a stale If-Match or If-None-Match on an existing resource, and keeps the stored version', async () => {
    const call = api(app.create());
    const created = await call({ method: 'PUT', body: VALID });
    await call({ method: 'PUT', body: CHANGED });
    expectProblem(
      await call({
        method: 'PUT',
        body: VALID,
        headers: { 'content-type': 'application/yaml', 'if-match': created.headers.get('etag')! },
      }),
      412,
      /changed by someone else/,
    );
    expectProblem(
      await call({
        method: 'PUT',
        body: VALID,
        headers: { 'content-type': 'application/yaml', 'if-none-match': '*' },
      }),
      412,
      /already exists/,
    );
    expectProblem(
      await call({ method: 'DELETE', headers: { 'if-match': created.headers.get('etag')! } }),
      412,
      /changed by someone else/,
    );
    expect((await call({ method: 'GET' })).json!.metadata.generation).toBe(2);
  });

  it('answers 409 when another writer changes the resource between read and write', async () => {
    const instance = app.create();
    const store = instance.services.configurationStore;
    await api(instance)({ method: 'PUT', body: VALID });
    // Both requests read the same version before either writes: the second write must not win silently.
    let reads = 0;
    let release!: () => void;
    const bothRead = new Promise<void>((resolve) => (release = resolve));
    const racing: ConfigurationStore = {
      ...store,
      list: (o) => store.list(o),
      put: (c, w) => store.put(c, w),
      delete: (n, m, w) => store.delete(n, m, w),
      ping: (o) => store.ping(o),
      get: async (namespace, name, options) => {
        const stored = await store.get(namespace, name, options);
        if (++reads === 2) release();
        await bothRead;
        return stored;
      },
    };
    const call = api(instance, { store: racing });
    const responses = await Promise.all([
      call({ method: 'PUT', body: CHANGED }),
      call({ method: 'PUT', body: VALID.replace('port: 80', 'port: 9090') }),
    ]);
    expect(responses.map((r) => r.status).sort()).toEqual([200, 409]);
    expectProblem(
      responses.find((r) => r.status === 409)!,
      409,
      /changed concurrently by another writer/,
    );
  });

  it('answers 413 for a body over the limit, declared or actual, and for a manifest too large to store', async () => {
    const instance = app.create();
    const small = api(instance, { maxRequestBodyBytes: 200 });
    expectProblem(await small({ method: 'PUT', body: VALID }), 413, /is \d+ bytes; the limit is 200 bytes/);
    expectProblem(
      await small({
        method: 'PUT',
        body: 'x',
        headers: { 'content-type': 'application/yaml', 'content-length': '5000' },
      }),
      413,
      /is 5000 bytes/,
    );
    const big = VALID.replace(
      '  namespace: team-a\n',
      // Many annotations, each within the 4 096-character string limit, together over the store's.
      `  namespace: team-a\n  annotations:\n${Array.from({ length: 12 }, (_, i) => `    note${i}: ${'n'.repeat(3500)}\n`).join('')}`,
    );
    expectProblem(
      await api(instance)({ method: 'PUT', body: big }),
      413,
      /team-a\/web: manifest is \d+ characters as JSON/,
    );
    expectProblem(await api(instance)({ method: 'GET' }), 404, /does not exist/);
  });
});
