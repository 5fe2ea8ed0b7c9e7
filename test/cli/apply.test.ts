import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { applyCommand } from '../../shared/cli/commands/apply';
import type { CommandIo } from '../../shared/cli/command';
import { FAKE_SECRETS } from '../support/hostileInputs';
import { VALID_MANIFEST } from '../support/manifests';

/** A backend that knows no configuration (GET: 404) and records and accepts every PUT. */
async function recordingBackend(): Promise<{ url: string; bodies: string[]; close: () => Promise<void> }> {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.method === 'GET') {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"NotFound"}}');
        return;
      }
      bodies.push(body);
      res.writeHead(201, { 'content-type': 'application/json' }).end('{"status":{"state":"Accepted"}}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function apply(stdin: string, env: Record<string, string> = {}) {
  const backend = await recordingBackend();
  const out = { stdout: '', stderr: '' };
  const io: CommandIo = {
    stdout: (t) => (out.stdout += t),
    stderr: (t) => (out.stderr += t),
    env: { TRACECTL_SERVER: backend.url, ...env },
    cwd: process.cwd(),
    readStdin: async () => stdin,
  };
  try {
    const code = await applyCommand.run(['-f', '-'], io);
    return { code, ...out, sent: backend.bodies };
  } finally {
    await backend.close();
  }
}

const withConnection = (connection: string) =>
  VALID_MANIFEST.replace(
    '    destination: stdout\n',
    `    destination: azuretable\n    connectionConfiguration: ${JSON.stringify(connection)}\n`,
  );

describe('tracectl apply validates locally first', () => {
  it.each(FAKE_SECRETS)(
    'sends nothing for a manifest holding %s, and never prints it',
    async (_label, secret) => {
      const result = await apply(withConnection(secret));
      expect(result.code).toBe(1);
      expect(result.sent).toEqual([]);
      expect(result.stderr).toMatch(/not sent: spec\.outputConfiguration\.connectionConfiguration: contains/);
      expect(result.stderr + result.stdout).not.toContain(secret);
    },
  );

  it.each([
    ['an internal connection', withConnection('CONFIG_STORE'), /internal connection/, 1],
    ['an invalid port', VALID_MANIFEST.replace('port: 80', 'port: 99999'), /ports\[0\]\.port/, 1],
    // Over the input limits the file is unreadable as a whole (exit 2), before any YAML parser runs.
    ['a bomb', '['.repeat(900), /levels deep/, 2],
  ])('sends nothing for %s', async (_label, text, message, code) => {
    const result = await apply(text);
    expect(result.code).toBe(code);
    expect(result.sent).toEqual([]);
    expect(result.stderr).toMatch(message);
  });

  it('sends the valid documents of a file and refuses the invalid one', async () => {
    const result = await apply(
      `${VALID_MANIFEST}---\n${withConnection('DEADLETTER').replace('name: web', 'name: bad')}`,
    );
    expect(result.code).toBe(1);
    expect(result.sent).toHaveLength(1);
    expect(JSON.parse(result.sent[0]!)).toMatchObject({ metadata: { name: 'web' } });
    expect(result.stderr).toMatch(/document 2 \(team-a\/bad\): not sent/);
  });

  it('sends nothing for broken YAML (an alias whose anchor is missing), naming where it is', async () => {
    const result = await apply(`${VALID_MANIFEST}---\nkind: *missing\n`);
    const line = VALID_MANIFEST.split('\n').length + 1;
    expect(result.code).toBe(2);
    expect(result.sent).toEqual([]);
    expect(result.stderr).toBe(
      `tracectl apply: - document 2 line ${line} column 7: alias *missing refers to no anchor: an anchor &missing must come before it in the same document\n`,
    );
  });

  it('leaves undeclared (non-internal) connection names to the server, which knows its list', async () => {
    const result = await apply(withConnection('PARTNER_TABLE'));
    expect(result.code).toBe(0);
    expect(result.sent).toHaveLength(1);
  });
});
