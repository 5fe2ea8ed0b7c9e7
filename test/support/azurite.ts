/**
 * Azurite for tests: the real emulator from node_modules, in memory, on free ports, one instance
 * per test file (`useAzurite()` registers beforeAll/afterAll). Reused by every suite that needs
 * Blob, Queue or Table storage.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Azurite's well-known development account (public, documented by Microsoft; not a secret). */
export const AZURITE_ACCOUNT_NAME = 'devstoreaccount1';
/** Azurite's well-known development account key. */
export const AZURITE_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** Ports of the three Azurite services; omit a service to leave it out of the connection string. */
export interface AzuritePorts {
  blobPort?: number;
  queuePort?: number;
  tablePort?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

/** Connection string for the well-known account at the given ports (explicit endpoints, http). */
export function azuriteConnectionString(ports: AzuritePorts): string {
  const host = ports.host ?? '127.0.0.1';
  const parts = [
    'DefaultEndpointsProtocol=http',
    `AccountName=${AZURITE_ACCOUNT_NAME}`,
    `AccountKey=${AZURITE_ACCOUNT_KEY}`,
  ];
  if (ports.blobPort !== undefined)
    parts.push(`BlobEndpoint=http://${host}:${ports.blobPort}/${AZURITE_ACCOUNT_NAME}`);
  if (ports.queuePort !== undefined)
    parts.push(`QueueEndpoint=http://${host}:${ports.queuePort}/${AZURITE_ACCOUNT_NAME}`);
  if (ports.tablePort !== undefined)
    parts.push(`TableEndpoint=http://${host}:${ports.tablePort}/${AZURITE_ACCOUNT_NAME}`);
  return `${parts.join(';')};`;
}

/** A running Azurite. */
export interface AzuriteInstance {
  blobPort: number;
  queuePort: number;
  tablePort: number;
  /** Connection string with all three endpoints. */
  connectionString: string;
  /** Stops the process and removes its workspace. Idempotent. */
  stop(): Promise<void>;
}

/** A port that was free a moment ago (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Starts Azurite (`--inMemoryPersistence --skipApiVersionCheck --loose --disableTelemetry`) and waits until all services accept connections. */
export async function startAzurite(timeoutMs = 30_000): Promise<AzuriteInstance> {
  const [blobPort, queuePort, tablePort] = [await freePort(), await freePort(), await freePort()];
  const location = await mkdtemp(path.join(os.tmpdir(), 'azurite-'));
  const child = spawn(
    process.execPath,
    [
      require.resolve('azurite/dist/src/azurite.js'),
      '--silent',
      '--inMemoryPersistence',
      '--skipApiVersionCheck',
      '--loose',
      '--disableTelemetry',
      '--blobPort',
      String(blobPort),
      '--queuePort',
      String(queuePort),
      '--tablePort',
      String(tablePort),
    ],
    // In-memory mode refuses --location; the temporary cwd catches anything it still writes.
    { stdio: ['ignore', 'ignore', 'pipe'], cwd: location },
  );
  live.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  let exited = child.exitCode !== null;
  const exitedPromise = new Promise<void>((resolve) =>
    child.once('exit', () => ((exited = true), live.delete(child), resolve())),
  );
  const stop = async (): Promise<void> => {
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exitedPromise;
      clearTimeout(timer);
    }
    await rm(location, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`azurite exited during startup: ${stderr.trim()}`);
    }
    const up = await Promise.all([blobPort, queuePort, tablePort].map(canConnect));
    if (up.every(Boolean)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `azurite did not listen on ${blobPort}/${queuePort}/${tablePort} within ${timeoutMs} ms: ${stderr.trim()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    blobPort,
    queuePort,
    tablePort,
    connectionString: azuriteConnectionString({ blobPort, queuePort, tablePort }),
    stop,
  };
}

/**
 * Starts Azurite in `beforeAll` and stops it in `afterAll` of the calling test file; returns a
 * getter for the instance (valid inside tests).
 */
export function useAzurite(): () => AzuriteInstance {
  let instance: AzuriteInstance | undefined;
  beforeAll(async () => {
    instance = await startAzurite();
  }, 40_000);
  afterAll(async () => {
    await instance?.stop();
  });
  return () => {
    if (instance === undefined)
      throw new Error('Azurite is not running (useAzurite() must be called at describe level)');
    return instance;
  };
}
