import { spawn, spawnSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

// The README's main command, as a user runs it (free ports and a temporary data folder so it can
// run beside a developer's own `npm run local`).
describe('npm run local', () => {
  it('starts everything, applies the local samples, replays the demo cluster and shows what arrived where', () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'run-local-'));
    try {
      const result = spawnSync(
        process.execPath,
        [require.resolve('tsx/cli'), 'shared/local/runLocal.ts', '--http-port', '0', '--eventhubs-port', '0', '--data-dir', dataDir],
        { cwd: ROOT, encoding: 'utf8', timeout: 120_000 },
      );
      expect(result.stderr).not.toContain('npm run local:');
      expect(result.status).toBe(0);
      const out = result.stdout;
      expect(out).toContain('applied shop/shop-http (Accepted)');
      expect(out).toMatch(/3 events, 66 packets, 66 records \(66 delivered, 0 dead-lettered\)/);
      expect(out).toMatch(/loganalytics\/TRACES_SENTINEL\s+26 records/);
      expect(out).toMatch(/azuretable\/TRACES_AZURETABLE\s+16 records/);
      expect(out).toMatch(/loganalytics\/TRACES_LOGANALYTICS\s+6 records/);
      expect(out).toMatch(/opentelemetry\/TRACES_OPENTELEMETRY\s+8 records/);
      expect(out).toMatch(/stdout\/TRACES_STDOUT\s+10 records/);
      // What the local endpoints accepted is on disk for the user to look at.
      const rows = readFileSync(path.join(dataDir, 'loganalytics', 'Custom-RetinaTraces_CL.ndjson'), 'utf8').trim().split('\n');
      expect(rows).toHaveLength(6);
      // samples/local/shop-sentinel-asim.yaml writes ASIM rows, one NDJSON file per stream.
      const asimRows = ['Custom-ASimNetworkSessionLogs', 'Custom-ASimDnsActivityLogs', 'Custom-ASimWebSessionLogs'].map(
        (stream) => readFileSync(path.join(dataDir, 'loganalytics', `${stream}.ndjson`), 'utf8').trim().split('\n').length,
      );
      expect(asimRows).toEqual([12, 6, 8]);
      expect(readFileSync(path.join(dataDir, 'stdout.ndjson'), 'utf8').trim().split('\n')).toHaveLength(10);
      expect(existsSync(path.join(dataDir, 'otlp'))).toBe(true);
      expect(readdirSync(path.join(dataDir, 'azurite')).length).toBeGreaterThan(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 150_000);

  it('names a port that is in use', () => {
    const server = createServer().listen(0, '127.0.0.1');
    return new Promise<void>((resolve, reject) => {
      server.once('listening', () => {
        const port = (server.address() as AddressInfo).port;
        const dataDir = mkdtempSync(path.join(os.tmpdir(), 'run-local-'));
        const child = spawn(
          process.execPath,
          [require.resolve('tsx/cli'), 'shared/local/runLocal.ts', '--http-port', String(port), '--eventhubs-port', '0', '--data-dir', dataDir],
          { cwd: ROOT },
        );
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.once('close', (code) => {
          server.close();
          rmSync(dataDir, { recursive: true, force: true });
          try {
            expect(code).toBe(1);
            expect(stderr).toContain(`port ${port} is already in use`);
            resolve();
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
      });
    });
  }, 120_000);
});
