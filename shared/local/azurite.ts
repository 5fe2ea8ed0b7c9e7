/**
 * Azurite, the real storage emulator from node_modules, started as a child process on free (or
 * given) ports: in memory for tests, persisted under a folder for `npm run local`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { get as httpGet } from 'node:http';
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

/** Azurite's standard ports (blob, queue, table): what `UseDevelopmentStorage=true` and Storage Explorer use. */
export const AZURITE_STANDARD_PORTS = { blobPort: 10000, queuePort: 10001, tablePort: 10002 } as const;

/** The ports Azurite will use, and why. */
export interface AzuritePortChoice {
  blobPort: number;
  queuePort: number;
  tablePort: number;
  /** True when these are the standard ports 10000-10002. */
  standard: boolean;
  /** The standard ports found in use (empty when `standard`). */
  busy: number[];
}

/**
 * Azurite's standard ports when all three are free, else three free ports (naming the standard
 * ones in use), so `npm run local` works beside another Azurite but prefers the well-known setup.
 */
export async function chooseAzuritePorts(
  inUse: (port: number) => Promise<boolean> = canConnect,
  pickFree: () => Promise<number> = freePort,
): Promise<AzuritePortChoice> {
  const standard = [
    AZURITE_STANDARD_PORTS.blobPort,
    AZURITE_STANDARD_PORTS.queuePort,
    AZURITE_STANDARD_PORTS.tablePort,
  ];
  const busy: number[] = [];
  for (const port of standard) if (await inUse(port)) busy.push(port);
  if (busy.length === 0) return { ...AZURITE_STANDARD_PORTS, standard: true, busy };
  return {
    blobPort: await pickFree(),
    queuePort: await pickFree(),
    tablePort: await pickFree(),
    standard: false,
    busy,
  };
}

/** True when something accepts connections on the loopback port. */
export function canConnect(port: number): Promise<boolean> {
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

/** Options of {@link startAzurite}. */
export interface StartAzuriteOptions {
  /** Keep data in this folder instead of in memory (the folder is kept on stop). */
  persistLocation?: string;
  /** Ports to use; free ones are picked for those not given. */
  blobPort?: number;
  queuePort?: number;
  tablePort?: number;
  timeoutMs?: number;
}

/**
 * Starts Azurite (`--skipApiVersionCheck --loose --disableTelemetry`, in memory unless
 * `persistLocation` is given) and waits until all services accept connections.
 */
export async function startAzurite(options: StartAzuriteOptions | number = {}): Promise<AzuriteInstance> {
  const settings: StartAzuriteOptions = typeof options === 'number' ? { timeoutMs: options } : options;
  const picksPorts =
    settings.blobPort === undefined && settings.queuePort === undefined && settings.tablePort === undefined;
  // A port picked free can be taken before Azurite binds it (another process picked it too): then
  // Azurite cannot listen there, and fresh ports are tried (only when the caller gave none).
  for (let attempt = 1; ; attempt++) {
    try {
      return await startAzuriteOnce(settings);
    } catch (caught) {
      if (!(caught instanceof PortTakenError) || !picksPorts || attempt >= MAX_PORT_ATTEMPTS) throw caught;
    }
  }
}

/** Starts with free ports picked again: how often {@link startAzurite} tries. */
const MAX_PORT_ATTEMPTS = 3;

/** A port Azurite was to use is served by something else. */
class PortTakenError extends Error {}

/** The `Server` header of what answers HTTP on the loopback port, or undefined. */
function serverHeader(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const request = httpGet({ host: '127.0.0.1', port, path: '/', timeout: 5000 }, (response) => {
      response.resume();
      const server = response.headers.server;
      resolve(typeof server === 'string' ? server : undefined);
    });
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(undefined));
  });
}

async function startAzuriteOnce(settings: StartAzuriteOptions): Promise<AzuriteInstance> {
  const timeoutMs = settings.timeoutMs ?? 30_000;
  const blobPort = settings.blobPort ?? (await freePort());
  const queuePort = settings.queuePort ?? (await freePort());
  const tablePort = settings.tablePort ?? (await freePort());
  for (const port of [blobPort, queuePort, tablePort]) {
    if (await canConnect(port))
      throw new PortTakenError(`port ${port} is already in use; Azurite cannot start there`);
  }
  const persist = settings.persistLocation;
  const location = persist ?? (await mkdtemp(path.join(os.tmpdir(), 'azurite-')));
  if (persist !== undefined) await mkdir(persist, { recursive: true });
  const child = spawn(
    process.execPath,
    [
      require.resolve('azurite/dist/src/azurite.js'),
      '--silent',
      ...(persist === undefined ? ['--inMemoryPersistence'] : ['--location', persist]),
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
    if (persist === undefined) await rm(location, { recursive: true, force: true });
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
  // Something accepting connections is not proof that it is Azurite: each service names itself.
  const servers = await Promise.all([blobPort, queuePort, tablePort].map(serverHeader));
  const foreign = servers.findIndex((server) => server?.startsWith('Azurite-') !== true);
  if (foreign >= 0 || exited) {
    await stop();
    throw new PortTakenError(
      `port ${[blobPort, queuePort, tablePort][Math.max(foreign, 0)]} is served by ${servers[Math.max(foreign, 0)] ?? 'something other than Azurite'}; Azurite could not listen there`,
    );
  }
  return {
    blobPort,
    queuePort,
    tablePort,
    connectionString: azuriteConnectionString({ blobPort, queuePort, tablePort }),
    stop,
  };
}
