import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { InvocationContext } from '@azure/functions';
import { type HttpRequest } from '@azure/functions';
import { traceConfigurationValidator } from '../../shared/app/traceConfigurationValidator';
import type { CommandIo } from '../../shared/cli/command';
import { COMMANDS } from '../../shared/cli/commands';
import { runCli } from '../../shared/cli/run';
import { startHttpFunctionHost, type HttpFunctionHost } from '../../shared/local/httpFunctionHost';
import { MemoryConfigurationStore } from '../../shared/store/memoryConfigurationStore';
import { createTraceConfigurationsHandler } from '../../functions/traceConfigurations';

const ROOT = join(__dirname, '..', '..');

/** A web server that is not the backend (HTML 404 everywhere), and a port nothing listens on. */
async function otherServers(): Promise<{ server: Server; url: string; closedUrl: string }> {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const closedPort = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const server = createServer((_request, response) => {
    response.writeHead(404, { 'content-type': 'text/html' });
    response.end('<html><body>Not Found</body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    closedUrl: `http://127.0.0.1:${closedPort}`,
  };
}

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

function manifest(namespace: string, name: string, destination = 'stdout', level = 'FirstPacket'): string {
  return `apiVersion: retina.sh/v1alpha1
kind: TraceConfiguration
metadata:
  name: ${name}
  namespace: ${namespace}
  labels:
    team: net
spec:
  traceConfigurations:
    - captureLevel: ${level}
      to:
        - ipBlock:
            cidr: 10.0.0.0/8
      ports:
        - port: 53
          protocol: UDP
  tracePoints:
    - NodeToPod
  outputConfiguration:
    destination: ${destination}
`;
}

describe('tracectl apply, get, describe and delete against the backend API', () => {
  let host: HttpFunctionHost;
  let store: MemoryConfigurationStore;
  let scratch: string;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'tracectl-config-'));
  });
  beforeEach(async () => {
    store = new MemoryConfigurationStore();
    const handler = createTraceConfigurationsHandler(() => ({
      store,
      validator: traceConfigurationValidator,
      maxRequestBodyBytes: 262_144,
    }));
    host = await startHttpFunctionHost({
      port: 0,
      functions: [
        {
          name: 'traceConfigurations',
          methods: ['GET', 'PUT', 'DELETE'],
          route: 'traceconfigurations/{namespace?}/{name?}/{subresource?}',
          authLevel: 'function',
          handler: (request: HttpRequest, context: InvocationContext) => handler(request, context),
        },
      ],
    });
  });
  afterEach(async () => host.close());
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  async function tracectl(args: string[], extra: Partial<CommandIo> = {}): Promise<Captured> {
    let stdout = '';
    let stderr = '';
    const code = await runCli(args, COMMANDS, {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      env: { TRACECTL_SERVER: host.url },
      cwd: scratch,
      ...extra,
    });
    return { code, stdout, stderr };
  }

  function file(name: string, text: string): string {
    writeFileSync(join(scratch, name), text);
    return name;
  }

  it('apply creates, then says unchanged, then configured when the spec changes', async () => {
    const path = file('one.yaml', manifest('kube-system', 'dns'));
    expect(await tracectl(['apply', '-f', path])).toMatchObject({
      code: 0,
      stdout: 'traceconfiguration kube-system/dns created (Accepted)\n',
    });
    expect(await tracectl(['apply', '-f', path])).toMatchObject({
      code: 0,
      stdout: 'traceconfiguration kube-system/dns unchanged (Accepted)\n',
    });
    file('one.yaml', manifest('kube-system', 'dns', 'stdout', 'AllPackets'));
    expect(await tracectl(['apply', '-f', path])).toMatchObject({
      code: 0,
      stdout: 'traceconfiguration kube-system/dns configured (Accepted)\n',
    });
  });

  it('get lists the default namespace, -n one namespace, -A every one, with a header and stable columns', async () => {
    await tracectl([
      'apply',
      '-f',
      file(
        'three.yaml',
        [manifest('default', 'a'), manifest('default', 'b'), manifest('prod', 'c')].join('---\n'),
      ),
    ]);
    const plain = await tracectl(['get']);
    expect(plain.code).toBe(0);
    const [header, first] = plain.stdout.split('\n');
    expect(header).toMatch(/^NAME {23}STATE {9}GENERATION$/);
    expect(first).toMatch(/^a {26}Accepted {6}1$/);
    expect(plain.stdout).not.toContain(' c ');
    expect((await tracectl(['get', '-n', 'prod', '-o', 'name'])).stdout).toBe('prod/c\n');
    const all = await tracectl(['get', '-A', '-o', 'wide']);
    expect(all.stdout.split('\n')[0]).toMatch(
      /^NAMESPACE\s+NAME\s+STATE\s+GENERATION\s+DESTINATION\s+CONNECTION\s+RULES\s+REASON$/,
    );
    expect(all.stdout.trimEnd().split('\n')).toHaveLength(4);
    expect(all.stdout).toMatch(/prod\s+c\s+Accepted\s+1\s+stdout\s+TRACES_STDOUT\s+1/);
  });

  it('get on an empty namespace says so and how to see the others', async () => {
    const out = await tracectl(['get', '-n', 'nothing-here']);
    expect(out).toMatchObject({ code: 0, stdout: '' });
    expect(out.stderr).toBe(
      'No TraceConfigurations found in namespace nothing-here. (-A lists every namespace)\n',
    );
  });

  it('get -A -o yaml round-trips through delete -f, validate -f and apply -f (kind: List)', async () => {
    await tracectl([
      'apply',
      '-f',
      file('two.yaml', [manifest('default', 'a'), manifest('prod', 'c')].join('---\n')),
    ]);
    const yaml = await tracectl(['get', '-A', '-o', 'yaml']);
    expect(yaml.stdout).toMatch(/^apiVersion: v1\nkind: List\nitems:/);
    const saved = file('all.yaml', yaml.stdout);
    expect(await tracectl(['validate', '-f', saved])).toMatchObject({ code: 0 });
    expect((await tracectl(['validate', '-f', saved])).stdout).toMatch(/2 documents: 2 Accepted/);
    expect(await tracectl(['apply', '-f', saved])).toMatchObject({
      code: 0,
      stdout:
        'traceconfiguration default/a unchanged (Accepted)\ntraceconfiguration prod/c unchanged (Accepted)\n',
    });
    expect(await tracectl(['delete', '-f', saved])).toMatchObject({
      code: 0,
      stdout: 'traceconfiguration default/a deleted\ntraceconfiguration prod/c deleted\n',
    });
    expect((await tracectl(['get', '-A', '-o', 'name'])).stdout).toBe('');
    expect(await tracectl(['apply', '-f', saved])).toMatchObject({
      code: 0,
      stdout:
        'traceconfiguration default/a created (Accepted)\ntraceconfiguration prod/c created (Accepted)\n',
    });
  });

  it('validate reports a List item by its own line', async () => {
    const list = `apiVersion: v1\nkind: List\nitems:\n- apiVersion: retina.sh/v1alpha1\n  kind: TraceConfiguration\n  metadata:\n    name: bad\n  spec:\n    traceConfigurations:\n      - captureLevel: Sometimes\n        to: [{ipBlock: {cidr: 10.0.0.0/8}}]\n    outputConfiguration:\n      destination: stdout\n`;
    const out = await tracectl(['validate', '-f', file('list.yaml', list)]);
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/Errored\s+default\/bad\s+list\.yaml:4 document 1/);
    expect(out.stdout).toMatch(/list\.yaml:10:\d+/);
  });

  it('describe shows the last known spec in the manifest shape, and keeps it when a change is rejected', async () => {
    const path = file('d.yaml', manifest('default', 'dns'));
    await tracectl(['apply', '-f', path]);
    // tracectl apply refuses an Errored change locally; another client's PUT reaches the backend.
    file('d.yaml', manifest('default', 'dns', 'nowhere'));
    expect((await tracectl(['apply', '-f', path])).code).toBe(1);
    const rejected = await fetch(`${host.url}/api/traceconfigurations/default/dns`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(parseYaml(manifest('default', 'dns', 'nowhere'))),
    });
    expect(rejected.status).toBe(422);
    const out = await tracectl(['describe', 'dns']);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^Name: +dns\nNamespace: +default\nLabels: +team=net\n/);
    expect(out.stdout).toMatch(/State: +Errored/);
    const lastKnown = out.stdout.split('Last Known Spec:')[1]!;
    expect(lastKnown).toMatch(/still in force/);
    expect(lastKnown).toContain(
      'traceConfigurations:\n    - captureLevel: FirstPacket\n      to:\n        - ipBlock:\n            cidr: 10.0.0.0/8',
    );
    expect(lastKnown).toContain('tracePoints:\n    - NodeToPod');
    expect(lastKnown).toContain(
      'outputConfiguration:\n    destination: stdout\n    connectionConfiguration: TRACES_STDOUT',
    );
    expect(lastKnown).not.toMatch(/rules:|targets:|tracePointsRestricted/);
  });

  it('describe and delete of a missing configuration exit 1 with the backend reason', async () => {
    const out = await tracectl(['describe', 'prod/none']);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(
      /^tracectl describe: HTTP 404 Not Found: TraceConfiguration prod\/none does not exist\./,
    );
    expect((await tracectl(['delete', 'prod/none'])).code).toBe(1);
    expect(await tracectl(['delete', 'prod/none', '--ignore-not-found'])).toMatchObject({
      code: 0,
      stderr: '',
    });
  });

  it('get --watch prints a row when a configuration changes and stops on the abort signal', async () => {
    await tracectl(['apply', '-f', file('w.yaml', manifest('default', 'w'))]);
    const controller = new AbortController();
    let stdout = '';
    const watching = runCli(['get', '--watch', '--watch-interval', '0.05'], COMMANDS, {
      stdout: (text) => (stdout += text),
      stderr: () => undefined,
      env: { TRACECTL_SERVER: host.url },
      cwd: scratch,
      abortSignal: controller.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    file('w.yaml', manifest('default', 'w', 'stdout', 'AllPackets'));
    await tracectl(['apply', '-f', 'w.yaml']);
    for (let i = 0; i < 100 && stdout.split('\n').length < 4; i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    expect(await watching).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+STATE\s+GENERATION$/);
    expect(lines[1]).toMatch(/^w\s+Accepted\s+1$/);
    expect(lines[2]).toMatch(/^w\s+Accepted\s+2$/);
    expect(lines[2]!.indexOf('Accepted')).toBe(lines[1]!.indexOf('Accepted'));
  });

  it.each<[string, string[], RegExp]>([
    [
      'unknown option with a suggestion',
      ['get', '--namespce', 'x'],
      /^tracectl get: unknown option '--namespce'\n\(Did you mean --namespace\?\)\nRun `tracectl get --help` for usage\.\n$/,
    ],
    [
      'bad output format',
      ['get', '-o', 'xml'],
      /^tracectl get: -o must be one of table, wide, json, yaml, name, not 'xml'\n/,
    ],
    ['-A with -n', ['get', '-A', '-n', 'x'], /-A and -n cannot be combined/],
    ['apply without -f', ['apply'], /at least one -f FILE is required/],
    [
      'apply of a missing file',
      ['apply', '-f', 'missing.yaml'],
      /^tracectl apply: ENOENT: no such file or directory/,
    ],
    ['delete with both names and -f', ['delete', 'a', '-f', 'x.yaml'], /give names or -f FILE, not both/],
    ['describe without a name', ['describe'], /give one NAME or NAMESPACE\/NAME/],
    ['a bad NAMESPACE/NAME', ['describe', 'a/b/c'], /'a\/b\/c' is not NAME or NAMESPACE\/NAME/],
  ])('usage error: %s', async (_name, args, message) => {
    const out = await tracectl(args);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(message);
    expect(out.stderr).not.toMatch(/\n\s+at /);
  });

  it.each<[string, (url: string, other: { url: string; closedUrl: string }) => string, RegExp]>([
    [
      'a server that is not the backend',
      (_url, other) => other.url,
      /does not look like the retina-trace-backend API \(HTTP 404 Not Found for GET \/api\/traceconfigurations/,
    ],
    [
      'https to a plain HTTP server',
      (url) => url.replace('http:', 'https:'),
      /does not speak TLS: use http:\/\/ instead of https:\/\//,
    ],
    ['a closed port', (_url, other) => other.closedUrl, /connection refused \(is the backend running\?/],
    [
      'not a URL',
      () => '127.0.0.1:7071',
      /the backend URL '127\.0\.0\.1:7071' is not an http:\/\/ or https:\/\/ URL/,
    ],
  ])('%s is reported in words, without a stack', async (_name, server, message) => {
    const other = await otherServers();
    let stderr = '';
    const code = await runCli(['get'], COMMANDS, {
      stdout: () => undefined,
      stderr: (text) => (stderr += text),
      env: { TRACECTL_SERVER: server(host.url, other) },
      cwd: scratch,
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at |TypeError|fetch failed/);
    await new Promise((resolve) => other.server.close(resolve));
  });

  it('reads a saved file only as the user gave it (fixture sanity)', () => {
    expect(readFileSync(join(ROOT, 'samples', 'dns-all-pods-loganalytics.yaml'), 'utf8')).toContain(
      'kind: TraceConfiguration',
    );
  });
});
