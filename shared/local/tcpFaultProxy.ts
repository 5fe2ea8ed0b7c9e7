/**
 * A TCP proxy with fault modes, put in front of a local service (Azurite, the HTTPS Logs Ingestion
 * server, the OTLP receiver) so the fault-injection suite can take a destination or the dead-letter
 * store away at the transport level, whatever protocol runs on top (TLS passes through untouched):
 * - `pass`: forward both ways;
 * - `refuse`: stop listening, so connects fail with ECONNREFUSED (existing connections are cut);
 * - `blackhole`: accept and read, never answer, never close (a service that hangs);
 * - `reset`: accept and reset at once (ECONNRESET).
 *
 * In `pass` mode it can also add a one-way delay (`delayMs`, changeable at any time): every chunk,
 * and the end of the stream, reaches the other side `delayMs` later, in order, in both directions,
 * so a request/response exchange takes two delays more (a destination `delayMs` away, as the
 * latency bench uses it). Connection set-up is not delayed.
 */
import { createServer, type Server, type Socket, connect } from 'node:net';
import type { AddressInfo } from 'node:net';

/** How the proxy treats connections. */
export type TcpFaultMode = 'pass' | 'refuse' | 'blackhole' | 'reset';

/** A running proxy to `127.0.0.1:<targetPort>`. */
export class TcpFaultProxy {
  /** Connections accepted so far. */
  connections = 0;
  /** One-way delay added to every chunk in `pass` mode, in ms (0: none). */
  delayMs = 0;
  private server: Server | undefined;
  private listenPort = 0;
  private currentMode: TcpFaultMode = 'pass';
  private readonly sockets = new Set<Socket>();

  constructor(private readonly targetPort: number) {}

  /** The port clients connect to (stable across `refuse` periods). */
  get port(): number {
    return this.listenPort;
  }

  /** The current mode. */
  get mode(): TcpFaultMode {
    return this.currentMode;
  }

  /** Starts listening on a free port (or `port`). */
  async start(port = 0): Promise<void> {
    this.listenPort = port;
    await this.listen();
  }

  /** Switches mode; connections opened before keep the treatment they got, except under `refuse`. */
  async setMode(mode: TcpFaultMode): Promise<void> {
    const previous = this.currentMode;
    this.currentMode = mode;
    if (mode === 'refuse' && previous !== 'refuse') await this.unlisten();
    else if (mode !== 'refuse' && previous === 'refuse') await this.listen();
    if (mode === 'refuse' || mode === 'reset') for (const socket of this.sockets) socket.destroy();
  }

  /** Stops listening and cuts every connection. */
  async stop(): Promise<void> {
    await this.unlisten();
  }

  private async listen(): Promise<void> {
    if (this.server !== undefined) return;
    const server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.listenPort, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.listenPort = (server.address() as AddressInfo).port;
    this.server = server;
  }

  private async unlisten(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  }

  private accept(client: Socket): void {
    this.connections += 1;
    this.track(client);
    switch (this.currentMode) {
      case 'refuse':
      case 'reset':
        client.resetAndDestroy();
        return;
      case 'blackhole':
        client.resume();
        return;
      case 'pass': {
        const upstream = connect(this.targetPort, '127.0.0.1');
        upstream.setNoDelay(true);
        client.setNoDelay(true);
        this.track(upstream);
        this.forward(client, upstream);
        this.forward(upstream, client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
        return;
      }
    }
  }

  /** Copies `from` to `to`, each chunk (and the end) `delayMs` later when a delay is set. */
  private forward(from: Socket, to: Socket): void {
    // Timers of equal duration fire in the order they were set, so chunks stay in order.
    from.on('data', (chunk: Buffer) => {
      if (this.delayMs <= 0) to.write(chunk);
      else setTimeout(() => to.writable && to.write(chunk), this.delayMs);
    });
    from.on('end', () => {
      if (this.delayMs <= 0) to.end();
      else setTimeout(() => to.end(), this.delayMs);
    });
  }
}
