/**
 * `npm run local -- --in-cluster`: the cluster side against a fake Kubernetes API server holding
 * the demo cluster. The configurations are created as `kubectl apply` would (through the real
 * Kubernetes client), the controller syncs them to the local backend and writes their status,
 * the identity publisher publishes the demo cluster's identities to the local Event Hubs, and the
 * status comes back in `kubectl get tracecfg` shape.
 */
import { readLocalConfigurations } from './localConfigurations';
import { EventHubProducerClient } from '@azure/event-hubs';
import { k8s } from '../kubernetes/clientNode';
import { kubeConfigFor } from '../kubernetes/kubeConfig';
import { TraceConfigurationController } from '../kubernetes/controller/traceConfigurationController';
import { IdentityPublisher } from '../kubernetes/identity/identityPublisher';
import { eventHubSnapshotSink } from '../kubernetes/identity/snapshotSink';
import { FakeKubernetesApiServer } from './kubernetes/fakeApiServer';
import { demoKubernetesObjects } from './demo/demoKubernetesObjects';
import { errorMessage } from '../errors';

/** What the in-cluster mode needs of the local system. */
export interface InClusterTarget {
  httpUrl: string;
  eventHubsConnectionString: string;
  hubName: string;
}

/** A running in-cluster mode. */
export interface InCluster {
  apiServer: FakeKubernetesApiServer;
  controller: TraceConfigurationController;
  publisher: IdentityPublisher;
  /** Identity events published so far. */
  readonly identityEvents: number;
  /** `kubectl get tracecfg -A` as text, from the fake API server. */
  table(): string;
  stop(): Promise<void>;
}

type TraceObject = {
  metadata: { namespace: string; name: string; creationTimestamp?: string };
  spec?: {
    outputConfiguration?: { destination?: string };
    traceConfigurations?: { captureLevel?: string }[];
  };
  status?: { state?: string; reason?: string; observedGeneration?: number };
};

function age(created: string | undefined): string {
  const seconds =
    created === undefined ? 0 : Math.max(0, Math.round((Date.now() - Date.parse(created)) / 1000));
  return seconds < 120 ? `${seconds}s` : `${Math.round(seconds / 60)}m`;
}

/** Renders objects as `kubectl get tracecfg -A` does with the CRD's printer columns. */
export function traceConfigurationTable(objects: readonly TraceObject[]): string {
  const rows = [['NAMESPACE', 'NAME', 'STATE', 'DESTINATION', 'CAPTURE LEVEL', 'AGE']];
  for (const o of objects) {
    rows.push([
      o.metadata.namespace,
      o.metadata.name,
      o.status?.state ?? '',
      o.spec?.outputConfiguration?.destination ?? '',
      o.spec?.traceConfigurations?.[0]?.captureLevel ?? '',
      age(o.metadata.creationTimestamp),
    ]);
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]! + 3))
        .join('')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * Starts the fake API server with the demo cluster, the identity publisher and the controller,
 * creates every TraceConfiguration of `configsDir` through the Kubernetes API, and resolves once
 * each has a status for its generation (or after `timeoutInMs`).
 */
export async function startInCluster(
  target: InClusterTarget,
  configsDir: string,
  options: { cluster: string; log: (line: string) => void; timeoutInMs?: number },
): Promise<InCluster> {
  const apiServer = new FakeKubernetesApiServer();
  await apiServer.start();
  for (const object of demoKubernetesObjects()) apiServer.apply(object);
  const config = kubeConfigFor({ server: apiServer.url });
  const producer = new EventHubProducerClient(target.eventHubsConnectionString, target.hubName);
  const publisher = new IdentityPublisher(config, {
    cluster: options.cluster,
    sink: eventHubSnapshotSink(producer),
    tickInMs: 200,
  });
  const controller = new TraceConfigurationController(config, {
    backend: { server: target.httpUrl },
    cluster: options.cluster,
    identity: 'local-controller',
    leaseNamespace: 'retina-system',
    retryPeriodInMs: 200,
    log: (line) => options.log(`controller: ${line}`),
  });
  await publisher.start();
  controller.start();

  const objects = k8s.KubernetesObjectApi.makeApiClient(config);
  const names: { namespace: string; name: string }[] = [];
  for (const read of await readLocalConfigurations(configsDir)) {
    if (!read.ok) {
      options.log(`${read.file}: skipped: ${read.problem}`);
      continue;
    }
    for (const { where, manifest } of read.manifests) {
      const object = manifest as { metadata?: { namespace?: unknown; name?: unknown } };
      const name = object.metadata?.name;
      if (typeof name !== 'string') continue;
      const namespace =
        typeof object.metadata?.namespace === 'string' ? object.metadata.namespace : 'default';
      try {
        await objects.create({ ...object, metadata: { ...object.metadata, namespace } } as never);
        names.push({ namespace, name });
        options.log(`traceconfiguration.retina.sh/${name} created (${read.file})`);
      } catch (caught) {
        options.log(`${where}: ${errorMessage(caught)}`);
      }
    }
  }
  const read = () =>
    names
      .map(
        ({ namespace, name }) =>
          apiServer.get('TraceConfiguration', namespace, name) as unknown as TraceObject | undefined,
      )
      .filter((o): o is TraceObject => o !== undefined);
  const deadline = Date.now() + (options.timeoutInMs ?? 30_000);
  while (
    Date.now() < deadline &&
    (read().some((o) => o.status?.observedGeneration === undefined) ||
      publisher.stats.completeSnapshots === 0)
  ) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    apiServer,
    controller,
    publisher,
    get identityEvents() {
      return publisher.stats.events;
    },
    table: () => traceConfigurationTable(read()),
    stop: async () => {
      await controller.stop();
      await publisher.stop();
      await producer.close();
      await apiServer.stop();
    },
  };
}
