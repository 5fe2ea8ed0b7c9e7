import { spawn, spawnSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readCapture } from '../../shared/capture/readCapture';

const ROOT = path.resolve(__dirname, '..', '..');

// The README's main command, as a user runs it (free ports and a temporary data folder so it can
// run beside a developer's own `npm run local`).
describe('npm run local', () => {
  it('starts everything, applies the local samples, replays the demo cluster and shows what arrived where', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'run-local-'));
    // Azurite's standard blob port held, as another Azurite would: the run falls back to free ports
    // and says how to reach them.
    const blocker = createServer();
    const blocked = await new Promise<boolean>((resolve) => {
      blocker.once('error', () => resolve(false));
      blocker.listen(10000, '127.0.0.1', () => resolve(true));
    });
    try {
      const result = spawnSync(
        process.execPath,
        [
          require.resolve('tsx/cli'),
          'shared/local/runLocal.ts',
          '--http-port',
          '0',
          '--eventhubs-port',
          '0',
          '--data-dir',
          dataDir,
        ],
        { cwd: ROOT, encoding: 'utf8', timeout: 120_000 },
      );
      expect(result.stderr).not.toContain('npm run local:');
      expect(result.status).toBe(0);
      const out = result.stdout;
      expect(out).toContain('applied shop/shop-http (Accepted)');
      // 66 packets of HTTP/1.1, DNS and TLS plus 28 of the gRPC-over-h2c connection (14 per node).
      expect(out).toMatch(/3 events, 94 packets, 96 records \(96 delivered, 0 dead-lettered\)/);
      expect(out).toMatch(/loganalytics\/TRACES_SENTINEL\s+38 records/);
      expect(out).toMatch(/azuretable\/TRACES_AZURETABLE\s+28 records/);
      expect(out).toMatch(/loganalytics\/TRACES_LOGANALYTICS\s+12 records/);
      expect(out).toMatch(/opentelemetry\/TRACES_OPENTELEMETRY\s+8 records/);
      expect(out).toMatch(/stdout\/TRACES_STDOUT\s+10 records/);
      // What the local endpoints accepted is on disk for the user to look at.
      const rows = readFileSync(path.join(dataDir, 'loganalytics', 'Custom-RetinaTraces_CL.ndjson'), 'utf8').trim().split('\n');
      // 6 DNS records and 6 shop/shop-flows connections (3 per node), written when the replay ended.
      expect(rows).toHaveLength(12);
      expect(out).toMatch(/Log Analytics flow: .*"FlowState":"SF"/);
      // The frontend resolved example.com before connecting: the node's uplink SYN carries the name.
      expect(out).toMatch(/stdout: .*"DestinationIp":"93\.184\.215\.14".*"DestinationFqdn":"example\.com"/);
      // samples/local/shop-sentinel-asim.yaml writes ASIM rows, one NDJSON file per stream.
      const asimRows = ['Custom-ASimNetworkSessionLogs', 'Custom-ASimDnsActivityLogs', 'Custom-ASimWebSessionLogs'].map(
        (stream) => readFileSync(path.join(dataDir, 'loganalytics', `${stream}.ndjson`), 'utf8').trim().split('\n').length,
      );
      expect(asimRows).toEqual([16, 6, 16]);
      // The gRPC calls over h2c reach ASimWebSessionLogs, and the examples show a call and the failed one.
      const web = readFileSync(path.join(dataDir, 'loganalytics', 'Custom-ASimWebSessionLogs.ndjson'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { NetworkApplicationProtocol?: string; AdditionalFields?: Record<string, unknown> });
      // Requests and responses (a response carries its request's method), each seen on both nodes.
      expect(web.filter((r) => r.NetworkApplicationProtocol === 'gRPC').map((r) => r.AdditionalFields!.GrpcMethod).sort()).toEqual([
        ...['GetQuote', 'GetQuote', 'GetQuote', 'GetQuote'],
        ...['PlaceOrder', 'PlaceOrder', 'PlaceOrder', 'PlaceOrder'],
      ]);
      expect(web.filter((r) => r.AdditionalFields?.GrpcStatusCode === 14).map((r) => r.AdditionalFields!.GrpcMethod)).toEqual([
        'PlaceOrder',
        'PlaceOrder',
      ]);
      expect(out).toMatch(/gRPC call \(ASimWebSessionLogs\): .*"GrpcService":"shop\.checkout\.v1\.CheckoutService","GrpcMethod":"GetQuote"/);
      expect(out).toMatch(/gRPC error \(ASimWebSessionLogs\): .*"GrpcStatusCode":14,"GrpcMessage":"payment backend unavailable","EventResult":"Failure"/);
      expect(readFileSync(path.join(dataDir, 'stdout.ndjson'), 'utf8').trim().split('\n')).toHaveLength(10);
      expect(existsSync(path.join(dataDir, 'otlp'))).toBe(true);
      expect(readdirSync(path.join(dataDir, 'azurite')).length).toBeGreaterThan(0);
      // Something holds port 10000 (our blocker, or another Azurite): named, with an export block.
      expect(out).toMatch(
        /Azurite +port 10000[, 0-9]* in use \(another Azurite\?\), so Azurite runs on free ports/,
      );
      expect(out).toMatch(
        /^ {4}export AzureWebJobsStorage='[^']*BlobEndpoint=http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1/m,
      );
      expect(out).toMatch(/^ {4}export EventHubConnection='Endpoint=sb:\/\//m);
      expect(out).toMatch(/^ {4}export TRACECTL_SERVER='http:\/\/127\.0\.0\.1:\d+'$/m);
      expect(out).not.toMatch(/BlobEndpoint=http:\/\/127\.0\.0\.1:10000\//);
      // The demo capture and identities the printed inspect hint names are there.
      const hint =
        /npx tracectl inspect (\S+\.pcapng) -f samples\/local --identities (\S+identities\.json)/.exec(out);
      expect(hint).not.toBeNull();
      expect(existsSync(path.resolve(ROOT, hint![1]!))).toBe(true);
      expect(JSON.parse(readFileSync(path.resolve(ROOT, hint![2]!), 'utf8'))).toHaveProperty('endpoints');
      const inspect = /npx tracectl (inspect \S+\.pcapng .*-o table)$/m.exec(out)![1]!.split(' ');
      const inspected = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'tracectl.js'), ...inspect], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(inspected.status).toBe(0);
      expect(inspected.stdout.split('\n').length).toBeGreaterThan(2);
      // shop/shop-http is annotated retina.sh/retain-packets: its packets are retained and one
      // flow is retrieved the way the printed `tracectl pcap --flow` hint does it.
      expect(out).toMatch(/Retained packets \(retina\.sh\/retain-packets\): 68 packets in 2 blobs .*0 dead-lettered/);
      expect(out).toMatch(/npx tracectl pcap --flow [0-9a-f]+ --connection-string '/);
      const flow = readCapture(readFileSync(path.join(dataDir, 'retained-flow.pcapng')));
      expect(flow.problems).toEqual([]);
      expect(flow.packets.length).toBeGreaterThan(0);
    } finally {
      if (blocked) await new Promise((resolve) => blocker.close(resolve));
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 150_000);

  it('refuses a --capture file that does not exist before starting anything', () => {
    const result = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'shared/local/runLocal.ts', '--capture', 'no-such.pcapng'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/cannot read --capture no-such\.pcapng: ENOENT/);
    expect(result.stdout).not.toContain('Starting the local system');
  });

  it('names a port that is in use', () => {
    const server = createServer().listen(0, '127.0.0.1');
    return new Promise<void>((resolve, reject) => {
      server.once('listening', () => {
        const port = (server.address() as AddressInfo).port;
        const dataDir = mkdtempSync(path.join(os.tmpdir(), 'run-local-'));
        const child = spawn(
          process.execPath,
          [
            require.resolve('tsx/cli'),
            'shared/local/runLocal.ts',
            '--http-port',
            String(port),
            '--eventhubs-port',
            '0',
            '--data-dir',
            dataDir,
          ],
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
