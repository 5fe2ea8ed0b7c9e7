import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readLocalConfigurations } from '../../shared/local/localConfigurations';

const ROOT = path.resolve(__dirname, '..', '..');
const sample = (name: string): string => readFileSync(path.join(ROOT, 'samples', 'local', name), 'utf8');

describe('readLocalConfigurations (npm run local -- --configs DIR)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'local-configs-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads every document of every file, and skips a broken file naming where, keeping the others', async () => {
    writeFileSync(
      path.join(dir, 'a-two.yaml'),
      `${sample('shop-http-azuretable.yaml')}---\n${sample('cluster-dns-loganalytics.yaml')}`,
    );
    writeFileSync(
      path.join(dir, 'b-broken.yaml'),
      `${sample('uplink-debug-stdout.yaml')}---\nkind: *missing\n`,
    );
    writeFileSync(path.join(dir, 'c-one.yml'), sample('egress-tls-opentelemetry.yaml'));
    writeFileSync(path.join(dir, 'notes.txt'), 'not a manifest');
    const files = await readLocalConfigurations(dir);
    expect(files.map((f) => [f.file, f.ok])).toEqual([
      ['a-two.yaml', true],
      ['b-broken.yaml', false],
      ['c-one.yml', true],
    ]);
    const names = files.flatMap((f) =>
      f.ok ? f.manifests.map((m) => (m.manifest.metadata as { name: string }).name) : [],
    );
    expect(names).toEqual(['shop-http', 'cluster-dns', 'egress-tls']);
    const broken = files[1]!;
    const line = sample('uplink-debug-stdout.yaml').split('\n').length + 1;
    expect(!broken.ok && broken.problem).toBe(
      `${path.join(dir, 'b-broken.yaml')} document 2 line ${line} column 7: alias *missing refers to no anchor: an anchor &missing must come before it in the same document`,
    );
  });

  it('reads nothing from an empty folder', async () => {
    expect(await readLocalConfigurations(dir)).toEqual([]);
  });
});
