import { once } from 'node:events';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { TraceError, errorMessage } from '../../errors';
import { AmqpEndpoint } from './amqpEndpoint';
import { resolveLocalEventHubsSettings } from './settings';
import type { LocalEventHubsOptions } from './settings';

/** A running local Event Hubs endpoint. */
export interface LocalEventHubs {
  /** The TCP port it listens on. */
  readonly port: number;
  /** Names of the served hubs. */
  readonly hubNames: readonly string[];
  /**
   * The emulator-style connection string, with `EntityPath=<hub>` when `hub` is given:
   * `Endpoint=sb://localhost:PORT;SharedAccessKeyName=...;SharedAccessKey=...;UseDevelopmentEmulator=true`.
   */
  connectionString(hub?: string): string;
  /** Closes every client connection and stops listening. Safe to call more than once. */
  close(): Promise<void>;
}

async function listen(server: Server, port: number, host: string): Promise<void> {
  server.listen({ port, host });
  // once() rejects when 'error' (EADDRINUSE, EADDRNOTAVAIL) comes first.
  await once(server, 'listening');
}

function listenError(caught: unknown, host: string, port: number): TraceError {
  const inUse = (caught as { code?: string }).code === 'EADDRINUSE';
  return new TraceError(
    inUse ? 'LOCAL_EVENTHUBS_PORT_IN_USE' : 'LOCAL_EVENTHUBS_LISTEN_FAILED',
    inUse
      ? `Port ${port} on ${host} is already in use; choose another port for the local Event Hubs endpoint`
      : `The local Event Hubs endpoint could not listen on ${host}:${port}: ${errorMessage(caught)}`,
    { cause: caught },
  );
}

/**
 * Starts an in-memory Event Hubs endpoint (AMQP 1.0 over plain TCP) that the unchanged
 * `@azure/event-hubs` clients use through the emulator's connection-string form; see
 * docs/local-event-hubs.md. Throws `TraceError` `LOCAL_EVENTHUBS_PORT_IN_USE` naming a taken port,
 * `LOCAL_EVENTHUBS_OPTIONS_INVALID` for bad options.
 *
 * @example
 * const hubs = await startLocalEventHubs({ hubs: [{ name: 'retina-traces', partitionCount: 4 }] });
 * const producer = new EventHubProducerClient(hubs.connectionString('retina-traces'));
 */
export async function startLocalEventHubs(options: LocalEventHubsOptions = {}): Promise<LocalEventHubs> {
  const settings = resolveLocalEventHubsSettings(options);
  const endpoint = new AmqpEndpoint(settings);
  const sockets = new Set<Socket>();
  const servers: Server[] = [];
  const newServer = (): Server => {
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      endpoint.accept(socket);
    });
    servers.push(server);
    return server;
  };
  await listen(newServer(), settings.port, settings.host).catch((caught: unknown) => {
    throw listenError(caught, settings.host, settings.port);
  });
  const address = servers[0]?.address();
  const port = typeof address === 'object' && address ? address.port : settings.port;
  if (settings.host === '127.0.0.1') {
    // "localhost" may resolve to ::1 first; serve it too where IPv6 loopback exists.
    await listen(newServer(), port, '::1').catch(() => servers.pop());
  }
  settings.onLog?.({ level: 'info', message: `local Event Hubs listening on ${settings.host}:${port}` });
  const host = ['127.0.0.1', '::1', 'localhost'].includes(settings.host) ? 'localhost' : settings.host;
  const endpointHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    port,
    hubNames: endpoint.hubNames,
    connectionString(hub?: string): string {
      return (
        `Endpoint=sb://${endpointHost}:${port};SharedAccessKeyName=${settings.sasKeyName};` +
        `SharedAccessKey=${settings.sasKey};UseDevelopmentEmulator=true` +
        (hub === undefined ? '' : `;EntityPath=${hub}`)
      );
    },
    close(): Promise<void> {
      closing ??= (async () => {
        endpoint.closeConnections();
        const closed = servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
        // Give clients a moment to read the AMQP close, then drop whatever is left.
        await new Promise((resolve) => setTimeout(resolve, sockets.size > 0 ? 50 : 0));
        for (const socket of sockets) socket.destroy();
        await Promise.all(closed);
        settings.onLog?.({ level: 'info', message: 'local Event Hubs stopped' });
      })();
      return closing;
    },
  };
}
