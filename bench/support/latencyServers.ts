/**
 * The destinations of `npm run bench:latency`, in a child process so their CPU is not counted as
 * the backend's: the Table `$batch` responder, Azurite, the local Logs Ingestion (HTTPS) and OTLP
 * servers, each behind a TCP proxy that adds a one-way delay. Talks to its parent over IPC:
 * sends `{ type: 'ready', ports, certificate }`, then answers `{ type: 'delay', ms }` (set every
 * proxy's delay and forget what the servers kept) with `{ type: 'ok' }`, and stops on `{ type: 'stop' }`.
 */
import { startAzurite } from '../../shared/local/azurite';
import { LogsIngestionServer } from '../../shared/local/logsIngestionServer';
import { OtlpReceiver } from '../../shared/local/otlpReceiver';
import { TableBatchResponder } from '../../shared/local/tableBatchResponder';
import { TcpFaultProxy } from '../../shared/local/tcpFaultProxy';

/** Ports the parent connects to (the proxies). */
export interface LatencyServerPorts {
  table: number;
  azurite: number;
  logs: number;
  otlp: number;
}

/** Messages from the child. */
export type LatencyServerMessage =
  | { type: 'ready'; ports: LatencyServerPorts; certificate: string }
  | { type: 'ok'; tableTransactions: number; tableRefused: number; logsRefused: number }
  | { type: 'failed'; message: string };

async function main(): Promise<void> {
  const responder = new TableBatchResponder();
  const logs = new LogsIngestionServer();
  const otlp = new OtlpReceiver();
  const [responderPort, azurite] = await Promise.all([
    responder.start(),
    startAzurite(),
    logs.start(),
    otlp.start(),
  ]);
  const targets = {
    table: responderPort,
    azurite: azurite.tablePort,
    logs: Number(new URL(logs.endpoint).port),
    otlp: Number(new URL(otlp.endpoint).port),
  };
  const proxies = Object.fromEntries(
    Object.entries(targets).map(([name, port]) => [name, new TcpFaultProxy(port)]),
  ) as Record<keyof LatencyServerPorts, TcpFaultProxy>;
  await Promise.all(Object.values(proxies).map((proxy) => proxy.start()));
  const ports = Object.fromEntries(
    Object.entries(proxies).map(([name, proxy]) => [name, proxy.port]),
  ) as unknown as LatencyServerPorts;
  const send = (message: LatencyServerMessage) => process.send?.(message);
  process.on('message', (message: { type: string; ms?: number }) => {
    if (message.type === 'delay') {
      for (const proxy of Object.values(proxies)) proxy.delayMs = message.ms ?? 0;
      logs.accepted.splice(0);
      otlp.received.splice(0);
      send({
        type: 'ok',
        tableTransactions: responder.transactions,
        tableRefused: responder.refused,
        logsRefused: logs.requests.filter((r) => r.status >= 400).length,
      });
      logs.requests.splice(0);
      otlp.statuses.splice(0);
    } else if (message.type === 'stop') {
      void Promise.all([
        ...Object.values(proxies).map((p) => p.stop()),
        responder.stop(),
        logs.stop(),
        otlp.stop(),
        azurite.stop(),
      ]).finally(() => process.exit(0));
    }
  });
  process.on('disconnect', () => void azurite.stop().finally(() => process.exit(0)));
  send({ type: 'ready', ports, certificate: logs.certificate });
}

main().catch((caught: unknown) => {
  process.send?.({ type: 'failed', message: String(caught) });
  process.exit(1);
});
