/**
 * An HTTP forwarding proxy with fault injection, put in front of a real service (Azurite) so
 * tests can make it throttle, fail or hang without mocking the SDK.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultPlan } from '../../shared/local/faults';

/** A running proxy to `127.0.0.1:<targetPort>`. */
export class FaultProxy {
  readonly faults = new FaultPlan();
  /** Requests seen (forwarded or faulted). */
  requests = 0;
  private server: Server | undefined;

  constructor(private readonly targetPort: number) {}

  get port(): number {
    return (this.server?.address() as AddressInfo).port;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.requests++;
      const fault = this.faults.take();
      if (fault?.kind === 'status') {
        req.resume();
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
        res.writeHead(fault.status, headers).end(
          JSON.stringify({
            'odata.error': { code: 'InjectedFault', message: { value: `injected ${fault.status}` } },
          }),
        );
        return;
      }
      const forward = (): void => {
        const upstream = request(
          {
            host: '127.0.0.1',
            port: this.targetPort,
            method: req.method,
            path: req.url,
            headers: req.headers,
          },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        upstream.on('error', () => res.destroy());
        req.pipe(upstream);
      };
      if (fault?.kind === 'hang') setTimeout(() => (res.destroyed ? undefined : forward()), fault.ms).unref();
      else forward();
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
