import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandIo } from '../../shared/cli/command';
import { COMMANDS } from '../../shared/cli/commands';
import type { ValidateJsonResult } from '../../shared/cli/commands/validateReport';
import { runCli } from '../../shared/cli/run';

const ROOT = join(__dirname, '..', '..');

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

async function validate(args: string[], extra: Partial<CommandIo> = {}): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['validate', ...args], COMMANDS, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env: {},
    cwd: ROOT,
    ...extra,
  });
  return { code, stdout, stderr };
}

function json(out: Captured): ValidateJsonResult[] {
  return JSON.parse(out.stdout) as ValidateJsonResult[];
}

describe('tracectl validate', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'tracectl-validate-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('exits 0 for the samples directory and prints one line per document and a summary', async () => {
    const out = await validate(['-f', 'samples']);
    expect(out.code).toBe(0);
    expect(out.stderr).toBe('');
    const lines = out.stdout.trimEnd().split('\n');
    expect(lines).toContain(
      'Warning   default/example-trace-configuration  samples/retina-docs-example.yaml:4 document 1  (2 warnings)',
    );
    expect(lines).toContain(
      '    warning  samples/retina-docs-example.yaml:15:11  spec.traceConfigurations[0].from[0].except: except belongs inside ipBlock; read as ipBlock.except',
    );
    expect(lines).toContain(
      'Accepted  shop/checkout-to-payments  samples/upstream-crd-form.yaml:4 document 1',
    );
    expect(lines.at(-1)).toBe('6 documents: 5 Accepted, 1 Warning, 0 Errored');
    expect(out.stdout).not.toContain('\u001b[');
  });

  it('exits 1 when any document is Errored and prints JSON with -o json', async () => {
    const out = await validate([
      '-f',
      'samples/invalid/five-mistakes.yaml',
      '-f',
      'samples/dns-all-pods-loganalytics.yaml',
      '-o',
      'json',
    ]);
    expect(out.code).toBe(1);
    const results = json(out);
    expect(results.map((r) => [r.file, r.document, r.namespace, r.name, r.state])).toEqual([
      ['samples/invalid/five-mistakes.yaml', 1, 'default', 'Web_Traces', 'Errored'],
      ['samples/dns-all-pods-loganalytics.yaml', 1, 'kube-system', 'cluster-dns', 'Accepted'],
    ]);
    expect(Object.keys(results[0] ?? {}).sort()).toEqual(
      [
        'apiVersion',
        'document',
        'errors',
        'file',
        'kind',
        'name',
        'namespace',
        'reason',
        'state',
        'warnings',
      ].sort(),
    );
    expect(results[0]?.errors).toHaveLength(5);
    expect(results[0]?.errors[0]).toEqual({
      path: 'metadata.name',
      message:
        '"Web_Traces" must consist of lower case letters, digits, "-" and ".", and start and end with a letter or digit (e.g. "http-to-storage")',
      line: 5,
      column: 9,
    });
  });

  it('prints every document of a multi-document file, with YAML errors located', async () => {
    const out = await validate(['-f', 'samples/invalid/multi-document.yaml']);
    expect(out.code).toBe(1);
    expect(out.stdout).toContain(
      'Errored   default/broken-yaml  samples/invalid/multi-document.yaml:14 document 2  (1 error)',
    );
    expect(out.stdout).toContain('    error    samples/invalid/multi-document.yaml:21:3  YAML syntax error:');
    expect(out.stdout).toContain('3 documents: 1 Accepted, 0 Warning, 2 Errored');
  });

  it('reports an alias without its anchor in its document and validates the rest (also beside a List)', async () => {
    const good = readFileSync(join(ROOT, 'samples/debug-allpackets-stdout.yaml'), 'utf8');
    const directory = mkdtempSync(join(tmpdir(), 'tracectl-alias-'));
    const file = join(directory, 'alias.yaml');
    const list = `apiVersion: v1\nkind: List\nitems:\n${good
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#') && line !== '---')
      .map((line, i) => (i === 0 ? `  - ${line}` : `    ${line}`))
      .join('\n')}\n`;
    writeFileSync(file, `${good}---\nkind: *missing\n---\n${list}`);
    const out = await validate(['-f', file, '-o', 'json']).finally(() =>
      rmSync(directory, { recursive: true, force: true }),
    );
    expect(out.code).toBe(1);
    expect(out.stderr).toBe('');
    const results = json(out);
    expect(results.map((r) => r.state)).toEqual(['Accepted', 'Errored', 'Accepted']);
    const lines = good.split('\n').length;
    expect(results[1]!.errors).toEqual([
      {
        path: '',
        message:
          'YAML syntax error: alias *missing refers to no anchor: an anchor &missing must come before it in the same document',
        line: lines + 1,
        column: 7,
      },
    ]);
  });

  it.each<[string, string[], string]>([
    ['no -f', [], 'tracectl validate: at least one -f FILE is required'],
    ['bad -o', ['-f', 'samples', '-o', 'yaml'], 'tracectl validate: -o must be text or json, got "yaml"'],
    ['unknown option', ['-f', 'samples', '--strict'], "tracectl validate: unknown option '--strict'"],
    ['stray argument', ['samples'], "tracectl validate: unexpected argument 'samples'"],
    ['stdin twice', ['-f', '-', '-f', '-'], 'tracectl validate: -f - (stdin) can be given only once'],
  ])('exits 2 on a usage error (%s)', async (_name, args, message) => {
    const out = await validate(args);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(message);
    expect(out.stderr).toContain('Run `tracectl validate --help` for usage.');
  });

  it('exits 2 for an unreadable file, naming it and the OS reason, and still validates the rest', async () => {
    const out = await validate([
      '-f',
      'samples/missing.yaml',
      '-f',
      'samples/invalid/five-mistakes.yaml',
      '-o',
      'json',
    ]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(
      /^tracectl validate: cannot read samples\/missing\.yaml: ENOENT: no such file or directory/,
    );
    expect(json(out)).toHaveLength(1);
  });

  it('exits 2 for a directory without YAML files', async () => {
    const out = await validate(['-f', scratch]);
    expect(out.code).toBe(2);
    expect(out.stderr).toBe(
      `tracectl validate: cannot read ${scratch}: the directory has no .yaml or .yml files\n`,
    );
  });

  it('reads .yml files of a directory and skips other files', async () => {
    writeFileSync(join(scratch, 'a.yml'), readFileSync(join(ROOT, 'samples/debug-allpackets-stdout.yaml')));
    writeFileSync(join(scratch, 'notes.txt'), 'not yaml');
    const out = await validate(['-f', scratch, '-o', 'json']);
    expect(out.code).toBe(0);
    expect(json(out).map((r) => r.file)).toEqual([join(scratch, 'a.yml')]);
  });

  it('reads stdin for -f -', async () => {
    const text = readFileSync(join(ROOT, 'samples/invalid/inline-secret.yaml'), 'utf8');
    const out = await validate(['-f', '-'], { readStdin: () => Promise.resolve(text) });
    expect(out.code).toBe(1);
    expect(out.stdout).toContain('Errored   default/leaky  <stdin>:3 document 1  (1 error)');
    expect(out.stdout).not.toContain('bm90LWEtcmVhbC1rZXk');
  });

  it('exits 2 when stdin is not available', async () => {
    const out = await validate(['-f', '-']);
    expect(out.code).toBe(2);
    expect(out.stderr).toBe('tracectl validate: cannot read -: standard input is not available\n');
  });

  it('says so when a file has no documents', async () => {
    writeFileSync(join(scratch, 'empty.yaml'), '# nothing\n');
    const out = await validate(['-f', join(scratch, 'empty.yaml')]);
    expect(out.code).toBe(0);
    expect(out.stderr).toBe(`tracectl validate: ${join(scratch, 'empty.yaml')} has no YAML documents\n`);
  });

  it('colours the state only on a terminal', async () => {
    const out = await validate(['-f', 'samples/retina-docs-example.yaml'], { stdoutIsTty: true });
    expect(out.stdout).toContain('\u001b[33mWarning \u001b[0m  default/example-trace-configuration');
  });

  it('has --help', async () => {
    const out = await validate(['--help']);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('Usage: tracectl validate -f FILE [-f FILE ...] [-o text|json]');
  });

  it('runs for real through bin/tracectl.js', () => {
    const child = spawnSync(
      process.execPath,
      ['bin/tracectl.js', 'validate', '-f', 'samples/invalid/five-mistakes.yaml', '-o', 'json'],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    expect(child.status).toBe(1);
    const results = JSON.parse(child.stdout) as ValidateJsonResult[];
    expect(results[0]?.errors.map((e) => e.path)).toEqual([
      'metadata.name',
      'spec.traceConfigurations[0].captureLevel',
      'spec.traceConfigurations[0].from[0].ipBlock.except[0]',
      'spec.traceConfigurations[0].to[0]',
      'spec.traceConfigurations[0].ports[0].endPort',
    ]);
  });

  it('reads stdin for real through bin/tracectl.js', () => {
    const child = spawnSync(process.execPath, ['bin/tracectl.js', 'validate', '-f', '-'], {
      cwd: ROOT,
      encoding: 'utf8',
      input: readFileSync(join(ROOT, 'samples/upstream-crd-form.yaml')),
    });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(child.stdout).toContain('Accepted  shop/checkout-to-payments  <stdin>:4 document 1');
  });
});

describe('tracectl validate against hostile manifests', () => {
  const manifest = (connection: string) =>
    `apiVersion: retina.sh/v1alpha1\nkind: TraceConfiguration\nmetadata: {name: t}\nspec:\n  traceConfigurations: [{ports: [{port: 1}]}]\n  outputConfiguration: {destination: opentelemetry, connectionConfiguration: ${JSON.stringify(connection)}}\n`;

  it.each([
    ['a GitHub token', `gh${'p'}_${'a1B2'.repeat(9)}`, /contains a GitHub token/],
    ['a 5000-character value', 'A'.repeat(5000), /5000 characters/],
    ['an internal connection', 'CONFIG_STORE', /internal connection of the backend/],
    ['an undeclared connection', 'PARTNER', /not a declared trace output connection/],
  ])('reports %s as Errored with its field path', async (_label, connection, message) => {
    const out = await validate(['-f', '-', '-o', 'json'], { readStdin: async () => manifest(connection) });
    expect(out.code).toBe(1);
    expect(json(out)[0]!.errors[0]).toMatchObject({
      path: 'spec.outputConfiguration.connectionConfiguration',
    });
    expect(json(out)[0]!.errors[0]!.message).toMatch(message);
    expect(out.stdout).not.toContain(connection.length > 20 ? connection : '\u0000');
  });

  it('accepts a connection listed in TRACE_OUTPUT_CONNECTIONS', async () => {
    const out = await validate(['-f', '-'], {
      readStdin: async () => manifest('PARTNER'),
      env: { TRACE_OUTPUT_CONNECTIONS: 'PARTNER' },
    });
    expect(out.code).toBe(0);
  });
});
