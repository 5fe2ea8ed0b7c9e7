/**
 * Hostile requests to every HTTP route, through the same local host `npm run local` serves the
 * handlers with (real routing, real function keys, real app services on Azurite). No request may
 * produce a 500 or take the process down, and every refusal names what was wrong.
 */
import { HTTP_FUNCTIONS } from '../../functions/httpFunctions';
import { setAppServices } from '../../functions/services';
import { startHttpFunctionHost, type HttpFunctionHost } from '../../shared/local/httpFunctionHost';
import { useApp } from '../support/appHarness';
import { aliasBomb, FAKE_SECRETS, HOSTILE_BODIES } from '../support/hostileInputs';
import { VALID_MANIFEST } from '../support/manifests';

const app = useApp();
const KEY = 'test-function-key';

interface Case {
  label: string;
  method: string;
  path: string;
  body?: string;
  contentType?: string;
  key?: boolean;
  expected: number | number[];
  message?: RegExp;
}

const identitiesBody = (endpoints: string) =>
  `{"apiVersion":"retina.sh/identities/v1","cluster":"c1","generatedAt":"2026-01-01T00:00:00Z","endpoints":${endpoints}}`;

const CASES: Case[] = [
  // traceconfigurations: names that are not Kubernetes names never reach the store.
  // (`..` is not here: URL normalisation removes it before any route sees it.)
  ...['a%5Cb', 'a%23b', 'a%3Fb', 'a%01b', 'a'.repeat(2000), 'UPPER', 'a%0Ab'].flatMap((name): Case[] => [
    {
      label: `GET name ${name.slice(0, 12)}`,
      method: 'GET',
      path: `traceconfigurations/default/${name}`,
      key: true,
      expected: [400, 404],
      message: /metadata\.name|Not Found/,
    },
    {
      label: `PUT name ${name.slice(0, 12)}`,
      method: 'PUT',
      path: `traceconfigurations/default/${name}`,
      body: VALID_MANIFEST,
      key: true,
      expected: [400, 404],
      message: /metadata\.name|Not Found/,
    },
    {
      label: `DELETE name ${name.slice(0, 12)}`,
      method: 'DELETE',
      path: `traceconfigurations/${name}/x`,
      key: true,
      expected: [400, 404],
      message: /metadata\.namespace|Not Found/,
    },
  ]),
  {
    label: 'list with a bad namespace filter',
    method: 'GET',
    path: 'traceconfigurations?namespace=a%5Cb',
    key: true,
    expected: 400,
    message: /metadata\.namespace/,
  },
  ...HOSTILE_BODIES.map(([label, body, status, message]): Case => ({
    label: `PUT ${label}`,
    method: 'PUT',
    path: 'traceconfigurations/team-a/web',
    body,
    key: true,
    // The host's own body limit (256 KiB by default) may answer first.
    expected: [status, 413],
    message: new RegExp(`${message.source}|limit is \\d+ bytes`),
  })),
  ...FAKE_SECRETS.map(([label, secret]): Case => ({
    label: `PUT with ${label}`,
    method: 'PUT',
    path: 'traceconfigurations/team-a/web',
    body: VALID_MANIFEST.replace(
      '    destination: stdout\n',
      `    destination: azuretable\n    connectionConfiguration: ${JSON.stringify(secret)}\n`,
    ),
    key: true,
    expected: 422,
    message: /nothing was stored/,
  })),
  ...['CONFIG_STORE', 'DEADLETTER', 'AzureWebJobsStorage', 'EventHubConnection'].map((connection): Case => ({
    label: `PUT naming ${connection}`,
    method: 'PUT',
    path: 'traceconfigurations/team-a/web',
    body: VALID_MANIFEST.replace(
      '    destination: stdout\n',
      `    destination: azuretable\n    connectionConfiguration: ${connection}\n`,
    ),
    key: true,
    expected: 422,
    message: /internal connection of the backend/,
  })),
  {
    label: 'PUT without a key',
    method: 'PUT',
    path: 'traceconfigurations/team-a/web',
    body: VALID_MANIFEST,
    expected: 401,
  },
  {
    label: 'PUT as text/html',
    method: 'PUT',
    path: 'traceconfigurations/team-a/web',
    body: '<html>',
    contentType: 'text/html',
    key: true,
    expected: 415,
  },
  {
    label: 'PATCH',
    method: 'PATCH',
    path: 'traceconfigurations/team-a/web',
    body: '{}',
    key: true,
    expected: [404, 405],
  },
  // identities
  {
    label: 'identities: 900 nested [',
    method: 'POST',
    path: 'identities',
    body: '['.repeat(900),
    contentType: 'application/json',
    key: true,
    expected: 400,
    message: /levels deep/,
  },
  {
    label: 'identities: 2000 levels of {"a":',
    method: 'POST',
    path: 'identities',
    body: '{"a":'.repeat(2000),
    contentType: 'application/json',
    key: true,
    expected: 400,
    message: /levels deep/,
  },
  {
    label: 'identities: deep inside a valid envelope',
    method: 'POST',
    path: 'identities',
    body: identitiesBody(`${'['.repeat(40)}${']'.repeat(40)}`),
    contentType: 'application/json',
    key: true,
    expected: 400,
    message: /levels deep|deeper/,
  },
  {
    label: 'identities: a 100 000-character label',
    method: 'POST',
    path: 'identities',
    body: identitiesBody(`[{"ip":"10.0.0.1","labels":{"a":"${'x'.repeat(100_000)}"}}]`),
    contentType: 'application/json',
    key: true,
    expected: 400,
    message: /100000 characters/,
  },
  {
    label: 'identities: not JSON',
    method: 'POST',
    path: 'identities',
    body: 'a: [',
    contentType: 'application/json',
    key: true,
    expected: 400,
    message: /not JSON/,
  },
  {
    label: 'identities: YAML alias bomb as JSON',
    method: 'POST',
    path: 'identities',
    body: aliasBomb(),
    contentType: 'application/json',
    key: true,
    expected: 400,
  },
  {
    label: 'identities: wrong shape',
    method: 'POST',
    path: 'identities',
    body: '{"endpoints": 3}',
    contentType: 'application/json',
    key: true,
    expected: 400,
  },
  {
    label: 'identities: wrong media type',
    method: 'POST',
    path: 'identities',
    body: '{}',
    contentType: 'text/plain',
    key: true,
    expected: 415,
  },
  {
    label: 'identities: without a key',
    method: 'POST',
    path: 'identities',
    body: '{}',
    contentType: 'application/json',
    expected: 401,
  },
  // health
  { label: 'health, anonymous', method: 'GET', path: 'health', expected: 200 },
  { label: 'health details without a key', method: 'GET', path: 'health/details', expected: 401 },
  { label: 'health details with the key', method: 'GET', path: 'health/details', key: true, expected: 200 },
];

describe('hostile requests to every HTTP route (local Functions host)', () => {
  let host: HttpFunctionHost;
  beforeAll(async () => {
    const instance = app.create();
    setAppServices(instance.services);
    host = await startHttpFunctionHost({ functions: HTTP_FUNCTIONS, port: 0, functionKey: KEY });
  });
  afterAll(async () => {
    setAppServices(undefined);
    await host?.close();
  });

  it.each(CASES.map((c) => [c.label, c] as const))('%s', async (_label, c) => {
    const response = await fetch(`${host.url}/api/${c.path}`, {
      method: c.method,
      headers: {
        ...(c.body === undefined ? {} : { 'content-type': c.contentType ?? 'application/yaml' }),
        ...(c.key === true ? { 'x-functions-key': KEY } : {}),
      },
      ...(c.body === undefined ? {} : { body: c.body }),
    });
    const text = await response.text();
    expect(response.status).not.toBe(500);
    expect([c.expected].flat()).toContain(response.status);
    if (c.message !== undefined) expect(text).toMatch(c.message);
    for (const [, secret] of FAKE_SECRETS) expect(text).not.toContain(secret);
  });

  it('health details resolve connections from the settings the handlers use (not process.env)', async () => {
    expect(process.env.TRACES_AZURETABLE__connectionString).toBeUndefined();
    const manifest = VALID_MANIFEST.replace('name: web', 'name: to-table').replace(
      'destination: stdout',
      'destination: azuretable',
    );
    const put = await fetch(`${host.url}/api/traceconfigurations/team-a/to-table`, {
      method: 'PUT',
      headers: { 'content-type': 'application/yaml', 'x-functions-key': KEY },
      body: manifest,
    });
    expect(put.status).toBe(201);
    const details = (await (
      await fetch(`${host.url}/api/health/details`, { headers: { 'x-functions-key': KEY } })
    ).json()) as { configurations: unknown[] };
    expect(details.configurations).toEqual([]);
  });

  it("puts one configuration's unusable destination on its own status, keeping the app healthy", async () => {
    const manifest = VALID_MANIFEST.replace('name: web', 'name: nowhere').replace(
      '    destination: stdout\n',
      '    destination: loganalytics\n    connectionConfiguration: TRACES_NOWHERE\n',
    );
    const headers = { 'content-type': 'application/yaml', 'x-functions-key': KEY };
    const put = await fetch(`${host.url}/api/traceconfigurations/team-a/nowhere`, {
      method: 'PUT',
      headers,
      body: manifest,
    });
    expect(put.status).toBe(201);
    const status = (await (
      await fetch(`${host.url}/api/traceconfigurations/team-a/nowhere/status`, { headers })
    ).json()) as { state: string; reason: string };
    expect(status.state).toBe('Warning');
    expect(status.reason).toMatch(/TRACES_NOWHERE__endpoint/);
    expect(await (await fetch(`${host.url}/api/health`)).json()).toEqual({ status: 'healthy' });
    const details = (await (await fetch(`${host.url}/api/health/details`, { headers })).json()) as {
      status: string;
      configurations: { name: string }[];
    };
    expect(details.status).toBe('healthy');
    expect(details.configurations.map((c) => c.name)).toEqual(['nowhere']);
    await fetch(`${host.url}/api/traceconfigurations/team-a/nowhere`, { method: 'DELETE', headers });
  });

  it('answers anonymous health with {status} only', async () => {
    const response = await fetch(`${host.url}/api/health`);
    expect(await response.json()).toEqual({ status: 'healthy' });
  });

  it('counted every case', () => {
    // The number docs/security.md reports for this class of input.
    expect(CASES.length).toBeGreaterThanOrEqual(60);
  });
});
