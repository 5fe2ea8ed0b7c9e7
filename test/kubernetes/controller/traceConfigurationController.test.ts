import {
  BACKEND_FINALIZER,
  TraceConfigurationController,
  type TraceConfigurationControllerOptions,
} from '../../../shared/kubernetes/controller/traceConfigurationController';
import { eventually, startTestBackend, useFakeApiServer, type TestBackend } from '../support';

function trace(
  name: string,
  fields: { port?: number; connection?: string; destination?: string } = {},
): Record<string, unknown> {
  return {
    apiVersion: 'retina.sh/v1alpha1',
    kind: 'TraceConfiguration',
    metadata: { namespace: 'shop', name },
    spec: {
      traceConfigurations: [
        {
          captureLevel: 'FirstPacket',
          includeLayer7Data: true,
          from: [{ namespaceSelector: { matchLabels: { team: 'shop' } } }],
          ports: [{ port: fields.port ?? 8080, protocol: 'TCP' }],
        },
      ],
      outputConfiguration: {
        destination: fields.destination ?? 'azuretable',
        ...(fields.connection === undefined ? {} : { connectionConfiguration: fields.connection }),
      },
    },
  };
}

const SECRET =
  'DefaultEndpointsProtocol=https;AccountName=x;AccountKey=c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0;EndpointSuffix=core.windows.net';

describe('TraceConfiguration controller', () => {
  const { server, config } = useFakeApiServer();
  let backend: TestBackend;
  const controllers: TraceConfigurationController[] = [];

  beforeEach(async () => {
    backend = await startTestBackend();
  });
  afterEach(async () => {
    await Promise.all(controllers.splice(0).map((c) => c.stop()));
    await backend.close();
  });

  function controller(
    identity = 'controller-a',
    extra: Partial<TraceConfigurationControllerOptions> = {},
  ): TraceConfigurationController {
    const created = new TraceConfigurationController(config(), {
      backend: { server: backend.url },
      cluster: 'aks-prod',
      identity,
      leaseNamespace: 'retina-system',
      leaseDurationSeconds: 2,
      retryPeriodInMs: 100,
      renewDeadlineInMs: 1000,
      initialRetryInMs: 50,
      ...extra,
    });
    controllers.push(created);
    created.start();
    return created;
  }

  const status = (name: string) =>
    server().get('TraceConfiguration', 'shop', name)?.status as Record<string, unknown> | undefined;

  it('copies the backend counters into status, at most once per interval per object', async () => {
    backend.counters.set('shop/web', {
      intervalMinutes: 5,
      records: 42,
      deadLettered: 3,
      lastRecordTime: '2026-12-04T22:04:59Z',
    });
    server().apply(trace('web'));
    const c = controller('controller-a', { countersIntervalInMs: 60_000, resyncIntervalInMs: 100 });
    await eventually('the counters', () => (status('web')?.counters as { records?: number })?.records === 42);
    expect(status('web')?.counters).toEqual({
      intervalMinutes: 5,
      records: 42,
      deadLettered: 3,
      lastRecordTime: '2026-12-04T22:04:59Z',
    });
    await c.idle();
    const writes = c.stats.statusWrites;
    // New counters within the interval: resyncs run, but the status is not rewritten.
    backend.counters.set('shop/web', { intervalMinutes: 5, records: 50, deadLettered: 3 });
    const reconciles = c.stats.reconciles;
    await eventually('a few resyncs', () => c.stats.reconciles >= reconciles + 3);
    await c.idle();
    expect(c.stats.statusWrites).toBe(writes);
    expect((status('web')?.counters as { records: number }).records).toBe(42);
    expect(backend.requests.filter((r) => r.endsWith('/status'))).toHaveLength(1);
  });

  it('refreshes the counters once the interval has passed', async () => {
    backend.counters.set('shop/web', { intervalMinutes: 5, records: 1, deadLettered: 0 });
    server().apply(trace('web'));
    controller('controller-a', { countersIntervalInMs: 200, resyncIntervalInMs: 100 });
    await eventually(
      'the first counters',
      () => (status('web')?.counters as { records?: number })?.records === 1,
    );
    backend.counters.set('shop/web', { intervalMinutes: 5, records: 7, deadLettered: 2 });
    await eventually(
      'the new counters',
      () => (status('web')?.counters as { records?: number })?.records === 7,
    );
    expect(status('web')?.counters).toEqual({ intervalMinutes: 5, records: 7, deadLettered: 2 });
  });

  it('adds its finalizer, syncs an accepted object to the backend with the cluster label, and writes the status', async () => {
    server().apply(trace('web'));
    const c = controller();
    await eventually('the status', () => status('web')?.state === 'Accepted');
    expect(status('web')).toMatchObject({
      state: 'Accepted',
      reason: '',
      observedGeneration: 1,
      backendGeneration: 1,
    });
    expect((status('web')?.lastKnownSpec as { output: unknown }).output).toEqual({
      destination: 'azuretable',
      connection: 'TRACES_AZURETABLE',
    });
    expect(server().get('TraceConfiguration', 'shop', 'web')?.metadata.finalizers).toEqual([
      BACKEND_FINALIZER,
    ]);
    const stored = await backend.store.get('shop', 'web');
    expect(stored?.cluster).toBe('aks-prod');
    expect(stored?.status.state).toBe('Accepted');
    await c.idle();
    const writes = c.stats.statusWrites;
    // The status write itself comes back as a watch event; reconciling it again writes nothing.
    server().closeWatches();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await c.idle();
    expect(c.stats.statusWrites).toBe(writes);
  });

  it('refuses a manifest holding a secret before anything leaves the cluster', async () => {
    server().apply(trace('leaky', { connection: SECRET }));
    const c = controller();
    await eventually('the Errored status', () => status('leaky')?.state === 'Errored');
    expect(String(status('leaky')?.reason)).toContain('outputConfiguration');
    expect(String(status('leaky')?.reason)).not.toContain('c2VjcmV0');
    expect(backend.requests).toEqual([]);
    expect(c.stats.refused).toBeGreaterThan(0);
  });

  it('follows spec changes by generation, and keeps the last accepted spec when an update is refused', async () => {
    server().apply(trace('web'));
    controller();
    await eventually('generation 1 synced', () => status('web')?.backendGeneration === 1);
    server().apply(trace('web', { port: 9090 }));
    await eventually(
      'generation 2 synced',
      () => status('web')?.observedGeneration === 2 && status('web')?.backendGeneration === 2,
    );
    expect((await backend.store.get('shop', 'web'))?.spec?.rules[0]?.targets[0]?.ports).toEqual([
      { protocol: 'TCP', port: 9090 },
    ]);
    server().apply(trace('web', { destination: 'carrier-pigeon' }));
    await eventually('generation 3 refused', () => status('web')?.observedGeneration === 3);
    expect(status('web')).toMatchObject({ state: 'Errored', backendGeneration: 2 });
    expect(
      (status('web')?.lastKnownSpec as { rules: { targets: { ports: unknown }[] }[] }).rules[0]?.targets[0]
        ?.ports,
    ).toEqual([{ protocol: 'TCP', port: 9090 }]);
    expect((await backend.store.get('shop', 'web'))?.generation).toBe(2);
  });

  it('propagates deletes through its finalizer', async () => {
    server().apply(trace('web'));
    const c = controller();
    await eventually('synced', () => status('web')?.state === 'Accepted');
    server().remove('TraceConfiguration', 'shop', 'web');
    await eventually(
      'the object to go',
      () => server().get('TraceConfiguration', 'shop', 'web') === undefined,
    );
    expect(await backend.store.get('shop', 'web')).toBeUndefined();
    expect(c.stats.backendDeletes).toBe(1);
  });

  it('keeps a deleted object until the backend is reachable again', async () => {
    server().apply(trace('web'));
    controller();
    await eventually('synced', () => status('web')?.state === 'Accepted');
    backend.failing = true;
    server().remove('TraceConfiguration', 'shop', 'web');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server().get('TraceConfiguration', 'shop', 'web')?.metadata.deletionTimestamp).toBeDefined();
    backend.failing = false;
    await eventually(
      'the object to go',
      () => server().get('TraceConfiguration', 'shop', 'web') === undefined,
    );
    expect(await backend.store.get('shop', 'web')).toBeUndefined();
  });

  it('reports a backend outage in status and retries until it syncs', async () => {
    backend.failing = true;
    server().apply(trace('web'));
    controller();
    await eventually('the sync error', () => typeof status('web')?.syncError === 'string');
    expect(String(status('web')?.syncError)).toContain('HTTP 503');
    backend.failing = false;
    await eventually(
      'synced',
      () => status('web')?.backendGeneration === 1 && status('web')?.syncError === undefined,
    );
  });

  it('retries status writes that lose a race (409) against another writer', async () => {
    server().apply(trace('web'));
    let interfere = 3;
    server().store.beforeWrite = (intent) => {
      if (intent.verb !== 'updateStatus' || interfere === 0) return;
      interfere -= 1;
      const current = server().get('TraceConfiguration', 'shop', 'web')!;
      server().store.update(server().resource('TraceConfiguration'), 'shop', 'web', {
        ...current,
        metadata: { ...current.metadata, annotations: { other: String(interfere) } },
      });
    };
    const c = controller();
    await eventually('the status', () => status('web')?.state === 'Accepted');
    expect(c.stats.conflicts).toBe(3);
    expect(server().get('TraceConfiguration', 'shop', 'web')?.metadata.annotations).toEqual({ other: '0' });
  });

  it('converges after a restart: what changed while it was down is synced, deleted objects leave the backend', async () => {
    for (const name of ['a', 'b', 'c']) server().apply(trace(name));
    const first = controller('controller-a');
    await eventually('all synced', () => ['a', 'b', 'c'].every((n) => status(n)?.state === 'Accepted'));
    await first.stop();
    server().apply(trace('a', { port: 9443 }));
    server().remove('TraceConfiguration', 'shop', 'b');
    server().apply(trace('d'));
    server().store.compact();
    const second = controller('controller-b');
    await eventually(
      'converged',
      async () =>
        server().get('TraceConfiguration', 'shop', 'b') === undefined &&
        status('a')?.backendGeneration === 2 &&
        status('d')?.state === 'Accepted',
    );
    await second.idle();
    expect((await backend.store.list()).map((c) => `${c.name}@${c.generation}`)).toEqual([
      'a@2',
      'c@1',
      'd@1',
    ]);
    expect(second.stats.statusWrites).toBe(2);
  });

  it('works only while it leads, and hands over to the next candidate when it stops', async () => {
    const a = controller('controller-a');
    await eventually('a leads', () => a.isLeader);
    const b = controller('controller-b');
    server().apply(trace('one'));
    await eventually('a syncs it', () => status('one')?.state === 'Accepted');
    expect(b.isLeader).toBe(false);
    expect(b.stats.reconciles).toBe(0);
    await a.stop();
    await eventually('b leads', () => b.isLeader, 3000);
    const lease = server().get('Lease', 'retina-system', 'retina-trace-controller')!;
    expect(lease.spec as { holderIdentity: string; leaseTransitions: number }).toMatchObject({
      holderIdentity: 'controller-b',
      leaseTransitions: 1,
    });
    server().apply(trace('two'));
    await eventually('b syncs it', () => status('two')?.state === 'Accepted');
    expect(b.stats.reconciles).toBeGreaterThan(0);
  });

  it('takes over from a leader that vanished without releasing, after the lease expires', async () => {
    server().apply({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { namespace: 'retina-system', name: 'retina-trace-controller' },
      spec: { holderIdentity: 'crashed-pod', leaseDurationSeconds: 1, renewTime: new Date().toISOString() },
    });
    const b = controller('controller-b');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(b.isLeader).toBe(false);
    await eventually('b leads after expiry', () => b.isLeader, 5000);
  });
});
