import { createServer, connect, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { TcpFaultProxy, type TcpFaultMode } from '../../shared/local/tcpFaultProxy';

/** Sends `text` through the proxy; resolves to the echo, or the error code, or 'timeout'. */
function exchange(port: number, text: string, timeoutMs = 300): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('timeout');
    }, timeoutMs);
    socket.on('connect', () => socket.write(text));
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      if (answer.length >= text.length) {
        clearTimeout(timer);
        socket.end();
        resolve(answer);
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(error.code ?? 'error');
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer === '' ? 'closed' : answer);
    });
  });
}

describe('TcpFaultProxy', () => {
  let echo: Server;
  let proxy: TcpFaultProxy;
  beforeAll(async () => {
    echo = createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    proxy = new TcpFaultProxy((echo.address() as AddressInfo).port);
    await proxy.start();
  });
  afterAll(async () => {
    await proxy.stop();
    await new Promise<void>((resolve) => echo.close(() => resolve()));
  });

  it.each<[TcpFaultMode, string[]]>([
    ['pass', ['hello']],
    ['refuse', ['ECONNREFUSED']],
    ['blackhole', ['timeout']],
    ['reset', ['ECONNRESET', 'closed']],
  ])('%s', async (mode, outcomes) => {
    await proxy.setMode(mode);
    expect(outcomes).toContain(await exchange(proxy.port, 'hello'));
    await proxy.setMode('pass');
    // Back to normal on the same port.
    expect(await exchange(proxy.port, 'again')).toBe('again');
  });

  it.each([60])(
    'with a one-way delay of %i ms, an echo takes two delays and keeps its order',
    async (delayMs) => {
      proxy.delayMs = delayMs;
      try {
        const text = Array.from({ length: 200 }, (_, i) => `chunk ${i};`).join('');
        const started = Date.now();
        expect(await exchange(proxy.port, text, 2000)).toBe(text);
        const elapsed = Date.now() - started;
        expect(elapsed).toBeGreaterThanOrEqual(2 * delayMs - 5);
      } finally {
        proxy.delayMs = 0;
      }
    },
  );
});
