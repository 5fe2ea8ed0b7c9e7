import {
  handleConfigurationRequest,
  type ConfigurationApiDependencies,
} from '../../shared/api/configurationApi';
import type { ApiRequest } from '../../shared/api/httpTypes';
import {
  createTraceConfigurationValidator,
  traceConfigurationValidator,
} from '../../shared/app/traceConfigurationValidator';
import type { ConfigurationStore } from '../../shared/store/configurationStore';
import { MemoryConfigurationStore } from '../../shared/store/memoryConfigurationStore';
import { FAKE_SECRETS, HOSTILE_BODIES, HOSTILE_NAMES } from '../support/hostileInputs';
import { VALID_MANIFEST } from '../support/manifests';

/** A memory store that records every call, to prove refusals happen before the store is used. */
class RecordingStore extends MemoryConfigurationStore {
  readonly calls: string[] = [];
  override async get(namespace: string, name: string) {
    this.calls.push('get');
    return super.get(namespace, name);
  }
  override async list(options?: { namespace?: string }) {
    this.calls.push('list');
    return super.list(options);
  }
  override async put(...args: Parameters<MemoryConfigurationStore['put']>) {
    this.calls.push('put');
    return super.put(...args);
  }
  override async delete(...args: Parameters<MemoryConfigurationStore['delete']>) {
    this.calls.push('delete');
    return super.delete(...args);
  }
}

function request(method: string, params: Record<string, string>, body = '', query = ''): ApiRequest {
  return {
    method,
    params,
    query: new URLSearchParams(query),
    headers: new Headers({ 'content-type': 'application/yaml' }),
    text: async () => body,
  };
}

function setup(
  store: ConfigurationStore = new RecordingStore(),
): ConfigurationApiDependencies & { store: RecordingStore } {
  return {
    store: store as RecordingStore,
    validator: traceConfigurationValidator,
    maxRequestBodyBytes: 1024 * 1024,
  };
}

const withConnection = (connection: string) =>
  VALID_MANIFEST.replace(
    '    destination: stdout\n',
    `    destination: azuretable\n    connectionConfiguration: ${JSON.stringify(connection)}\n`,
  );
const withAnnotation = (value: string) =>
  VALID_MANIFEST.replace(
    '  namespace: team-a\n',
    `  namespace: team-a\n  annotations:\n    note: ${JSON.stringify(value)}\n`,
  );
const at = { namespace: 'team-a', name: 'web' };

describe('hostile requests to the TraceConfiguration API', () => {
  it.each(HOSTILE_NAMES)(
    'refuses the name %j with 400 before any store call, for every method',
    async (_label, bad) => {
      for (const [method, params, query] of [
        ['GET', { namespace: 'team-a', name: bad }, ''],
        ['PUT', { namespace: 'team-a', name: bad }, ''],
        ['DELETE', { namespace: 'team-a', name: bad }, ''],
        ['GET', { namespace: bad, name: 'web' }, ''],
        ['GET', { namespace: bad }, ''],
        ['GET', {}, `namespace=${encodeURIComponent(bad)}`],
      ] as const) {
        const deps = setup();
        const response = await handleConfigurationRequest(
          request(method, params, VALID_MANIFEST, query),
          deps,
        );
        expect(response.status).toBe(400);
        expect(JSON.stringify(response.jsonBody)).toMatch(/metadata\.(name|namespace)/);
        expect(deps.store.calls).toEqual([]);
      }
    },
  );

  it.each(FAKE_SECRETS)('refuses %s with 422, stores nothing and never echoes it', async (_label, secret) => {
    for (const body of [withConnection(secret), withAnnotation(secret)]) {
      const deps = setup();
      const response = await handleConfigurationRequest(request('PUT', at, body), deps);
      expect(response.status).toBe(422);
      expect(deps.store.calls).toEqual([]);
      expect(JSON.stringify(response)).not.toContain(secret);
      expect(JSON.stringify(response.jsonBody)).toMatch(/nothing was stored/);
    }
  });

  it.each([
    'CONFIG_STORE',
    'DEADLETTER',
    'AzureWebJobsStorage',
    'EventHubConnection',
    'IDENTITY_STORE',
    'NOT_DECLARED',
  ])('refuses connectionConfiguration %s with 422 and a field path, storing nothing', async (connection) => {
    const deps = setup();
    const response = await handleConfigurationRequest(request('PUT', at, withConnection(connection)), deps);
    expect(response.status).toBe(422);
    expect(response.jsonBody).toMatchObject({
      errors: [{ path: 'spec.outputConfiguration.connectionConfiguration', code: 'CONNECTION_NOT_ALLOWED' }],
    });
    expect(deps.store.calls).toEqual([]);
  });

  it('accepts a connection the operator declared', async () => {
    const deps = { ...setup(), connectionPolicy: { allowedNames: ['PARTNER'] } };
    const validator = createTraceConfigurationValidator({ connectionPolicy: { allowedNames: ['PARTNER'] } });
    const response = await handleConfigurationRequest(request('PUT', at, withConnection('PARTNER')), {
      ...deps,
      validator,
    });
    expect(response.status).toBe(201);
  });

  it.each(HOSTILE_BODIES)(
    'answers %s with a 4xx naming the limit, storing nothing',
    async (_label, body, status, message) => {
      const deps = setup();
      const response = await handleConfigurationRequest(request('PUT', at, body), deps);
      expect(response.status).toBe(status);
      expect(JSON.stringify(response.jsonBody)).toMatch(message);
      expect(deps.store.calls.filter((call) => call === 'put')).toEqual([]);
    },
  );

  it('shows a configuration stored with an internal connection before the policy as Errored, and lists the rest', async () => {
    const store = new RecordingStore();
    const deps = setup(store);
    expect((await handleConfigurationRequest(request('PUT', at, VALID_MANIFEST), deps)).status).toBe(201);
    const good = (await store.get('team-a', 'web'))!;
    await store.put({
      ...good,
      name: 'old',
      spec: { ...good.spec!, output: { destination: 'azuretable', connection: 'CONFIG_STORE' } },
    });
    const list = await handleConfigurationRequest(request('GET', {}), deps);
    expect(list.status).toBe(200);
    const items = (
      list.jsonBody as { items: { metadata: { name: string }; status: { state: string; reason: string } }[] }
    ).items;
    expect(items.map((i) => `${i.metadata.name} ${i.status.state}`)).toEqual(['old Errored', 'web Accepted']);
    expect(items[0]!.status.reason).toMatch(
      /spec\.outputConfiguration\.connectionConfiguration: names 'CONFIG_STORE'/,
    );
  });

  it('scrubs secrets stored before the check from GET, status and list', async () => {
    const store = new RecordingStore();
    const secret = FAKE_SECRETS[0]![1];
    await store.put({
      namespace: 'team-a',
      name: 'web',
      generation: 1,
      manifest: {
        apiVersion: 'retina.sh/v1alpha1',
        kind: 'TraceConfiguration',
        spec: { outputConfiguration: { connectionConfiguration: secret } },
      },
      status: { state: 'Errored', reason: `connectionConfiguration ${secret} is invalid` },
      updatedAt: 'x',
    });
    const deps = setup(store);
    for (const response of [
      await handleConfigurationRequest(request('GET', at), deps),
      await handleConfigurationRequest(request('GET', { ...at, subresource: 'status' }), deps),
      await handleConfigurationRequest(request('GET', {}), deps),
    ]) {
      expect(response.status).toBe(200);
      expect(JSON.stringify(response.jsonBody)).not.toContain(secret);
    }
    // The next write replaces the stored secret with the new, validated manifest.
    expect((await handleConfigurationRequest(request('PUT', at, VALID_MANIFEST), deps)).status).toBe(200);
    expect(JSON.stringify(await store.get('team-a', 'web'))).not.toContain(secret);
  });

  it('answers 503, not 500, when the store fails', async () => {
    const store = new RecordingStore();
    store.list = () => Promise.reject(new Error('socket hang up'));
    const response = await handleConfigurationRequest(request('GET', {}), setup(store));
    expect(response.status).toBe(503);
    expect(JSON.stringify(response.jsonBody)).toMatch(/configuration store failed: socket hang up/);
  });
});
