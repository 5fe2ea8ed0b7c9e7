import { createIdentitiesHandler } from '../../functions/identities';
import { parseIp } from '../../shared/net/ipAddress';
import { demoIdentities, DEMO_CLUSTER } from '../../shared/local/demo/demoCluster';
import {
  asHostResponse,
  httpRequest,
  invocationContext,
  useApp,
  type AppInstance,
} from '../support/appHarness';

const app = useApp();
const SNAPSHOT = JSON.stringify(demoIdentities('2026-11-25T10:00:00Z'));

async function post(
  instance: AppInstance,
  body: string | Buffer,
  headers: Record<string, string> = { 'content-type': 'application/json' },
  maxRequestBodyBytes = 1024 * 1024,
) {
  const handler = createIdentitiesHandler(() => ({
    identities: instance.services.identityStore,
    maxRequestBodyBytes,
  }));
  const { context, logs } = invocationContext('identities');
  return {
    ...(await asHostResponse(await handler(httpRequest('POST', 'identities', { headers, body }), context))),
    logs,
  };
}

function ipBytes(text: string): Uint8Array {
  const parsed = parseIp(text);
  if (parsed === undefined) throw new Error(`bad test address ${text}`);
  return parsed;
}

describe('identities handler (real HttpRequest, Azure Table identity store)', () => {
  it('applies a snapshot (200 with the outcome) so the next lookup enriches', async () => {
    const instance = app.create();
    const response = await post(instance, SNAPSHOT, { 'content-type': 'application/json; charset=utf-8' });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      cluster: DEMO_CLUSTER,
      applied: 7,
      stale: 0,
      invalid: 0,
      removed: 0,
      ignored: false,
    });
    expect(response.logs).toHaveLength(1);
    const lookup = await instance.services.identityStore.lookupFor(DEMO_CLUSTER);
    expect(lookup.lookup(ipBytes('10.244.1.10'))).toMatchObject({
      kind: 'pod',
      namespace: 'shop',
      name: 'frontend-7d9f8b6c5-x2x4q',
    });
    expect(lookup.lookup(ipBytes('10.0.12.34'))).toMatchObject({ kind: 'service', name: 'checkout' });
    expect(lookup.lookup(ipBytes('93.184.215.14'))).toBeUndefined();
  });

  it('answers 400 with the JSON path of every issue', async () => {
    const snapshot = demoIdentities('2026-11-25T10:00:00Z') as unknown as {
      endpoints: Record<string, unknown>[];
      cluster?: unknown;
    };
    snapshot.endpoints[2]!.ip = '10.0.300.1';
    delete snapshot.cluster;
    const response = await post(app.create(), JSON.stringify(snapshot));
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const errors = response.json!.errors as { path: string; message: string }[];
    expect(errors.map((e) => e.path).sort()).toEqual(['cluster', 'endpoints[2].ip']);
    for (const error of errors) expect(error.message).not.toBe('');
  });

  it.each<[string, string | Buffer, Record<string, string>, number, number, RegExp]>([
    ['not JSON', '{"cluster":', { 'content-type': 'application/json' }, 1 << 20, 400, /The body is not JSON/],
    [
      'a JSON array',
      '[]',
      { 'content-type': 'application/json' },
      1 << 20,
      400,
      /identity snapshot is invalid/,
    ],
    ['an empty body', '', { 'content-type': 'application/json' }, 1 << 20, 400, /The body is not JSON/],
    [
      'YAML',
      'cluster: a',
      { 'content-type': 'application/yaml' },
      1 << 20,
      415,
      /'application\/yaml' is not supported; send application\/json/,
    ],
    ['no content type', Buffer.from(SNAPSHOT), {}, 1 << 20, 415, /'\(none\)' is not supported/],
    [
      'a body over the limit',
      SNAPSHOT,
      { 'content-type': 'application/json' },
      100,
      413,
      /the limit is 100 bytes/,
    ],
  ])('answers %s with a problem', async (_name, body, headers, limit, status, detail) => {
    const instance = app.create();
    const response = await post(instance, body, headers, limit);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(String(response.json!.detail)).toMatch(detail);
    expect(
      (await instance.services.identityStore.lookupFor(DEMO_CLUSTER)).lookup(ipBytes('10.244.1.10')),
    ).toBeUndefined();
  });
});
