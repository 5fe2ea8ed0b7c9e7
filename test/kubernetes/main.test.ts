import { createServer, type AddressInfo } from 'node:net';
import { roleLog, startRole } from '../../shared/kubernetes/main';
import { startLocalEventHubs, type LocalEventHubs } from '../../shared/local/eventHubs/localEventHubs';
import { eventually, startTestBackend, useFakeApiServer, type TestBackend } from './support';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// The image's entry point with settings from an environment, as the container runs it, outside a container.
describe('cluster entry point (main.ts)', () => {
  const { server } = useFakeApiServer();
  let hubs: LocalEventHubs;
  let backend: TestBackend;

  beforeAll(async () => {
    hubs = await startLocalEventHubs({ hubs: [{ name: 'retina-traces', partitionCount: 2 }] });
  });
  afterAll(async () => {
    await hubs.close();
  });
  beforeEach(async () => {
    backend = await startTestBackend();
  });
  afterEach(async () => {
    await backend.close();
  });

  it('controller: becomes ready, syncs a TraceConfiguration, publishes identities, and stops cleanly', async () => {
    const port = await freePort();
    server().apply({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1' },
      status: { addresses: [{ type: 'InternalIP', address: '10.224.0.4' }] },
    });
    server().apply({
      apiVersion: 'retina.sh/v1alpha1',
      kind: 'TraceConfiguration',
      metadata: { namespace: 'shop', name: 'web' },
      spec: {
        traceConfigurations: [{ captureLevel: 'FirstPacket', ports: [{ port: 53, protocol: 'UDP' }] }],
        outputConfiguration: { destination: 'stdout' },
      },
    });
    const lines: string[] = [];
    roleLog.write = (line) => lines.push(line);
    const stop = await startRole('controller', {
      CLUSTER_NAME: 'aks-prod',
      KUBERNETES_SERVER: server().url,
      BACKEND_URL: backend.url,
      EVENTHUB_CONNECTION_STRING: hubs.connectionString('retina-traces'),
      POD_NAME: 'controller-0',
      POD_NAMESPACE: 'retina-system',
      HEALTH_PORT: String(port),
    });
    try {
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      await eventually(
        'the status',
        () =>
          (
            server().get('TraceConfiguration', 'shop', 'web')?.status as
              { observedGeneration?: number } | undefined
          )?.observedGeneration === 1,
        20_000,
      );
      expect(server().get('TraceConfiguration', 'shop', 'web')?.status).toMatchObject({
        state: 'Accepted',
        backendGeneration: 1,
      });
      expect((await backend.store.get('shop', 'web'))?.cluster).toBe('aks-prod');
      await eventually(
        'identities published',
        () => lines.some((l) => l.includes('identities of aks-prod: complete snapshot of 1 endpoints')),
        20_000,
      );
    } catch (caught) {
      throw new Error(`${String(caught)}; the controller logged:\n${lines.join('\n')}`);
    } finally {
      await stop();
    }
    expect(lines.some((l) => l.includes('released by controller-0'))).toBe(true);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it.each([
    ['controller', { CLUSTER_NAME: 'c', EVENTHUB_NAMESPACE: 'x.servicebus.windows.net' }, 'BACKEND_URL'],
    ['agent', { CLUSTER_NAME: 'c', EVENTHUB_NAMESPACE: 'x.servicebus.windows.net' }, 'NODE_NAME'],
  ] as const)('%s: refuses to start with settings missing, naming them', async (role, env, missing) => {
    await expect(startRole(role, env)).rejects.toThrow(missing);
  });
});
