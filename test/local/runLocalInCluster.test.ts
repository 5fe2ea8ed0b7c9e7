import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { traceConfigurationTable } from '../../shared/local/inClusterMode';

const ROOT = path.resolve(__dirname, '..', '..');

describe('npm run local -- --in-cluster', () => {
  it('creates the samples through the Kubernetes API, shows their status kubectl-style, and enriches from the published identities', () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'run-local-cluster-'));
    try {
      const result = spawnSync(
        process.execPath,
        [
          require.resolve('tsx/cli'),
          'shared/local/runLocal.ts',
          '--in-cluster',
          '--http-port',
          '0',
          '--eventhubs-port',
          '0',
          '--data-dir',
          dataDir,
          // Never Azurite's standard ports: another test (or a developer's Azurite) may hold them.
          '--azurite-ports',
          'free',
        ],
        { cwd: ROOT, encoding: 'utf8', timeout: 120_000 },
      );
      expect(result.stderr).not.toContain('npm run local:');
      expect(result.status).toBe(0);
      const out = result.stdout;
      expect(out).toContain('traceconfiguration.retina.sh/shop-http created (shop-http-azuretable.yaml)');
      expect(out).toMatch(/NAMESPACE\s+NAME\s+STATE\s+DESTINATION\s+CAPTURE LEVEL\s+AGE/);
      expect(out).toMatch(/shop\s+shop-http\s+Accepted\s+azuretable\s+FirstPacket\s+\d+s/);
      expect(out).toMatch(/kube-system\s+cluster-dns\s+Accepted\s+loganalytics/);
      // The same records as the file-fed demo: the identities came from the API this time.
      expect(out).toMatch(/3 events, 94 packets, 96 records \(96 delivered, 0 dead-lettered\)/);
      expect(out).toContain('"SourcePodName":"frontend-7d9f8b6c5-x2x4q"');
      expect(out).toContain('"DestinationServiceName":"kube-dns"');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 150_000);

  it('renders an object without status or spec with empty cells', () => {
    expect(traceConfigurationTable([{ metadata: { namespace: 'ns', name: 'bare' } }]).split('\n')[1]).toMatch(
      /^ns\s+bare\s+0s$/,
    );
    expect(traceConfigurationTable([])).toBe('NAMESPACE   NAME   STATE   DESTINATION   CAPTURE LEVEL   AGE');
  });
});
