/** Listening and closing for the local HTTP(S) endpoints, done one way everywhere. */
import type { Server } from 'node:net';

/** Listens on 127.0.0.1:`port` (0 picks a free one); rejects with the server's error, e.g. EADDRINUSE. */
export function listenLocal(server: Server, port: number, host = '127.0.0.1'): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
}

/** Closes a server and its open connections (keep-alive included). */
export function closeServer(server: Server & { closeAllConnections?: () => void }): Promise<void> {
  server.closeAllConnections?.();
  return new Promise<void>((resolve) => server.close(() => resolve()));
}
