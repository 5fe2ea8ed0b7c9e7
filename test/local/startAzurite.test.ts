import { createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startAzurite } from '../../shared/local/azurite';

function serverOf(port: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/' }, (response) => {
      response.resume();
      const server = response.headers.server;
      resolve(typeof server === 'string' ? server : undefined);
    }).once('error', reject);
  });
}

describe('startAzurite', () => {
  it('answers as Azurite on every port it returns', async () => {
    const azurite = await startAzurite();
    try {
      const servers = await Promise.all(
        [azurite.blobPort, azurite.queuePort, azurite.tablePort].map(serverOf),
      );
      expect(servers.map((s) => s?.replace(/\/.*/, ''))).toEqual([
        'Azurite-Blob',
        'Azurite-Queue',
        'Azurite-Table',
      ]);
    } finally {
      await azurite.stop();
    }
  });

  it('refuses a given port that another server holds, naming the port (it does not pick another)', async () => {
    const other = createServer((_request, response) =>
      response.writeHead(200, { server: 'not-azurite' }).end(),
    );
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const port = (other.address() as AddressInfo).port;
    try {
      await expect(startAzurite({ blobPort: port })).rejects.toThrow(
        `port ${port} is already in use; Azurite cannot start there`,
      );
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });
});
