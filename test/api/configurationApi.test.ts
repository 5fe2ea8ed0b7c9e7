import { handleConfigurationRequest, type ConfigurationApiDependencies } from '../../shared/api/configurationApi';
import type { ApiRequest, ApiResponse } from '../../shared/api/httpTypes';
import { traceConfigurationValidator } from '../../shared/app/traceConfigurationValidator';
import { MemoryConfigurationStore } from '../../shared/store/memoryConfigurationStore';
import { CHANGED_MANIFEST, ERRORED_MANIFEST, VALID_MANIFEST } from '../support/manifests';

const VALID = VALID_MANIFEST;
const CHANGED = CHANGED_MANIFEST;
const ERRORED = ERRORED_MANIFEST;

function request(method: string, params: Record<string, string>, body = '', headers: Record<string, string> = {}, query = ''): ApiRequest {
  const all = new Headers({ 'content-type': 'application/yaml', ...headers });
  return { method, params, query: new URLSearchParams(query), headers: all, text: async () => body };
}

function setup(maxRequestBodyBytes = 64 * 1024): ConfigurationApiDependencies & { store: MemoryConfigurationStore } {
  return { store: new MemoryConfigurationStore(), validator: traceConfigurationValidator, maxRequestBodyBytes, now: () => new Date('2026-11-25T10:00:00Z') };
}

const at = { namespace: 'team-a', name: 'web' };
const put = (deps: ConfigurationApiDependencies, body: string, headers: Record<string, string> = {}) => handleConfigurationRequest(request('PUT', at, body, headers), deps);
interface ResourceBody {
  status: Record<string, unknown> & { state?: string };
  metadata: { namespace: string; name: string; generation: number };
  items: { metadata: { name: string } }[];
  errors: { path: string; message: string; line?: number }[];
}
const body = (response: ApiResponse) => response.jsonBody as ResourceBody;

describe('TraceConfiguration API', () => {
  it('creates, reads, updates with a new generation, lists and deletes', async () => {
    const deps = setup();
    const created = await put(deps, VALID);
    expect(created.status).toBe(201);
    expect(body(created).status).toMatchObject({ state: 'Accepted' });
    expect(body(created).metadata).toMatchObject({ namespace: 'team-a', name: 'web', generation: 1 });
    const etag = created.headers!.etag!;

    const same = await put(deps, VALID, { 'if-match': etag });
    expect(same.status).toBe(200);
    expect(body(same).metadata.generation).toBe(1);

    const changed = await put(deps, CHANGED);
    expect(changed.status).toBe(200);
    expect(body(changed).metadata.generation).toBe(2);
    expect((await deps.store.get('team-a', 'web'))!.spec!.rules[0]!.targets[0]!.ports).toEqual([{ protocol: 'TCP', port: 8080 }]);

    const got = await handleConfigurationRequest(request('GET', at), deps);
    expect(got.status).toBe(200);
    expect(got.headers!.etag).toBe(changed.headers!.etag);
    const status = await handleConfigurationRequest(request('GET', { ...at, subresource: 'status' }), deps);
    expect(body(status)).toMatchObject({ state: 'Accepted', lastKnownSpec: { output: { destination: 'stdout' } } });

    const list = await handleConfigurationRequest(request('GET', {}, '', {}, 'namespace=team-a'), deps);
    expect(body(list).items.map((i) => i.metadata.name)).toEqual(['web']);
    expect(body(await handleConfigurationRequest(request('GET', { namespace: 'other' }), deps)).items).toEqual([]);

    expect((await handleConfigurationRequest(request('DELETE', at), deps)).status).toBe(204);
    expect((await handleConfigurationRequest(request('GET', at), deps)).status).toBe(404);
    expect((await handleConfigurationRequest(request('DELETE', at), deps)).status).toBe(404);
  });

  it('accepts JSON bodies in the upstream spelling', async () => {
    const deps = setup();
    const manifest = {
      apiVersion: 'retina.sh/v1alpha1',
      kind: 'TracesConfiguration',
      metadata: { name: 'web', namespace: 'team-a' },
      spec: {
        traceConfiguration: [{ captureLevel: 'FirstPacket', traceTargets: [{ from: { ipBlock: { cidr: '10.0.0.1' } }, tracePoints: ['NodeToPod'] }] }],
        outputConfiguration: { destination: 'stdout' },
      },
    };
    const response = await put(deps, JSON.stringify(manifest), { 'content-type': 'application/json; charset=utf-8' });
    expect(response.status).toBe(201);
    expect((await deps.store.get('team-a', 'web'))!.spec!.rules[0]!.targets[0]).toMatchObject({ tracePoints: ['NodeToPod'], tracePointsRestricted: true });
  });

  it('keeps the last accepted spec when an update is Errored, and answers 422 with field paths', async () => {
    const deps = setup();
    await put(deps, VALID);
    const response = await put(deps, ERRORED);
    expect(response.status).toBe(422);
    expect(body(response).errors).toEqual([expect.objectContaining({ path: 'spec.traceConfigurations[0].from[0].ipBlock.cidr', line: 11 })]);
    const stored = (await deps.store.get('team-a', 'web'))!;
    expect(stored.status.state).toBe('Errored');
    expect(stored.status.lastKnownSpec?.rules[0]?.targets[0]?.ports).toEqual([{ protocol: 'TCP', port: 80 }]);
    expect(stored.spec).toEqual(stored.status.lastKnownSpec);
    expect(stored.generation).toBe(2);
  });

  it('stores an Errored first version without a spec in force', async () => {
    const deps = setup();
    expect((await put(deps, ERRORED)).status).toBe(422);
    const stored = (await deps.store.get('team-a', 'web'))!;
    expect(stored.spec).toBeUndefined();
    expect(stored.status.state).toBe('Errored');
  });

  it('records the cluster label', async () => {
    const deps = setup();
    await put(deps, VALID.replace('  namespace: team-a', '  namespace: team-a\n  labels:\n    retina.sh/cluster: aks-prod'));
    expect((await deps.store.get('team-a', 'web'))!.cluster).toBe('aks-prod');
  });

  it.each([
    ['a stale If-Match', { 'if-match': 'W/"999"' }, 412],
    ['If-None-Match on an existing resource', { 'if-none-match': '*' }, 412],
  ])('answers %s with $2', async (_name, headers, status) => {
    const deps = setup();
    await put(deps, VALID);
    const response = await put(deps, CHANGED, headers);
    expect(response.status).toBe(status);
    expect((await deps.store.get('team-a', 'web'))!.generation).toBe(1);
  });

  it('answers 409 when another writer wins the race between read and write', async () => {
    const deps = setup();
    await put(deps, VALID);
    const original = deps.store.get.bind(deps.store);
    // The competing write lands right after this request read the resource.
    deps.store.get = async (namespace, name) => {
      const read = await original(namespace, name);
      deps.store.get = original;
      await deps.store.put({ ...read!, generation: 7 });
      return read;
    };
    expect((await put(deps, CHANGED)).status).toBe(409);
    expect((await deps.store.get('team-a', 'web'))!.generation).toBe(7);
  });

  it.each([
    ['an unsupported content type', request('PUT', at, VALID, { 'content-type': 'application/xml' }), 415],
    ['no content type', { ...request('PUT', at, VALID), headers: new Headers() }, 415],
    ['a body over the limit', request('PUT', at, VALID + '#'.repeat(2000)), 413],
    ['a declared length over the limit', request('PUT', at, VALID, { 'content-length': '999999' }), 413],
    ['two documents', request('PUT', at, `${VALID}---\n${VALID}`), 400],
    ['a name that differs from the URL', request('PUT', { namespace: 'team-a', name: 'other' }, VALID), 400],
    ['a namespace that differs from the URL', request('PUT', { namespace: 'team-b', name: 'web' }, VALID), 400],
    ['broken YAML', request('PUT', at, 'metadata: {name: web, namespace: team-a\nspec: ['), 400],
    ['an unknown sub-resource', request('GET', { ...at, subresource: 'scale' }), 404],
    ['a PUT on status', request('PUT', { ...at, subresource: 'status' }, VALID), 405],
    ['a PUT without a name', request('PUT', { namespace: 'team-a' }, VALID), 405],
    ['a POST', request('POST', at, VALID), 405],
    ['a GET of a missing resource', request('GET', at), 404],
  ])('answers %s with $2 and a problem body', async (_name, apiRequest, status) => {
    const response = await handleConfigurationRequest(apiRequest, setup(1500));
    expect(response.status).toBe(status);
    expect(body(response)).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
  });

  it('names both mismatching fields', async () => {
    const response = await handleConfigurationRequest(request('PUT', { namespace: 'x', name: 'y' }, VALID), setup());
    expect(body(response).errors.map((e) => e.path)).toEqual(['metadata.namespace', 'metadata.name']);
  });
});
