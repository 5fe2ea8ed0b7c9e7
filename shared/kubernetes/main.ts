/**
 * Entry point of the cluster image: `node dist/shared/kubernetes/main.js controller|agent`.
 *
 * - `controller` (Deployment): the TraceConfiguration controller (leader-elected) and, while it
 *   leads, the identity publisher, so one replica publishes identities.
 * - `agent` (DaemonSet): the node agent.
 *
 * Azure access uses workload identity (`DefaultAzureCredential` reads the federated token the
 * AKS webhook mounts); nothing secret is needed in the cluster. Liveness and readiness are
 * served on `HEALTH_PORT` (default 8080) at `/healthz` and `/readyz`.
 */
import { createServer } from 'node:http';
import { lookup } from 'node:dns/promises';
import { EventHubProducerClient } from '@azure/event-hubs';
import { DefaultAzureCredential } from '@azure/identity';
import { kubeConfigFor } from './kubeConfig';
import { TraceConfigurationController } from './controller/traceConfigurationController';
import { IdentityPublisher } from './identity/identityPublisher';
import { eventHubSnapshotSink } from './identity/snapshotSink';
import { NodeAgent } from './agent/nodeAgent';
import type { OwnEndpoint } from './agent/captureFilter';
import { agentSettingsSchema, controllerSettingsSchema, parseClusterSettings } from './clusterSettings';
import { publishEvents } from '../agent/publishEvents';
import { errorMessage } from '../errors';

/** Where the roles log (one line per call); tests replace `write`. */
export const roleLog = {
  write(line: string): void {
    process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  },
};

function log(line: string): void {
  roleLog.write(line);
}

function producerFor(settings: {
  EVENTHUB_NAMESPACE?: string;
  EVENTHUB_CONNECTION_STRING?: string;
  EVENTHUB_NAME: string;
}): EventHubProducerClient {
  return settings.EVENTHUB_CONNECTION_STRING !== undefined
    ? new EventHubProducerClient(settings.EVENTHUB_CONNECTION_STRING, settings.EVENTHUB_NAME)
    : new EventHubProducerClient(
        settings.EVENTHUB_NAMESPACE!,
        settings.EVENTHUB_NAME,
        new DefaultAzureCredential(),
      );
}

async function serveHealth(port: number, ready: () => boolean): Promise<() => Promise<void>> {
  const server = createServer((request, response) => {
    const ok = request.url === '/healthz' || (request.url === '/readyz' && ready());
    response.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok' : 'not ready');
  });
  // All interfaces: the kubelet probes the pod IP (the agent's probes use 127.0.0.1 on the host network).
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve());
  });
  return () => new Promise((resolve) => server.close(() => resolve()));
}

async function resolveAll(host: string): Promise<string[]> {
  try {
    return (await lookup(host, { all: true })).map((a) => a.address);
  } catch (caught) {
    log(`cannot resolve ${host} (${errorMessage(caught)}); its traffic is not excluded from the capture`);
    return [];
  }
}

async function runController(env: NodeJS.ProcessEnv): Promise<() => Promise<void>> {
  const settings = parseClusterSettings(controllerSettingsSchema, env);
  const config = kubeConfigFor(
    settings.KUBERNETES_SERVER === undefined ? {} : { server: settings.KUBERNETES_SERVER },
  );
  const producer = producerFor(settings);
  const publisher = new IdentityPublisher(config, {
    cluster: settings.CLUSTER_NAME,
    sink: eventHubSnapshotSink(producer),
    completeIntervalInMs: settings.IDENTITY_COMPLETE_INTERVAL_SECONDS * 1000,
    log,
  });
  let publishing = false;
  const controller = new TraceConfigurationController(config, {
    backend: {
      server: settings.BACKEND_URL.replace(/\/+$/, ''),
      ...(settings.BACKEND_FUNCTION_KEY === undefined ? {} : { functionKey: settings.BACKEND_FUNCTION_KEY }),
    },
    cluster: settings.CLUSTER_NAME,
    identity: settings.POD_NAME,
    leaseNamespace: settings.POD_NAMESPACE,
    log,
  });
  controller.start();
  // The identity publisher runs beside the leader only; checked rather than hooked so a lost lease stops it too.
  const follow = setInterval(() => {
    if (controller.isLeader && !publishing) {
      publishing = true;
      void publisher.start();
    } else if (!controller.isLeader && publishing) {
      publishing = false;
      void publisher.stop();
    }
  }, 1000);
  const stopHealth = await serveHealth(Number(env.HEALTH_PORT ?? 8080), () => true);
  return async () => {
    clearInterval(follow);
    await controller.stop();
    if (publishing) await publisher.stop();
    await producer.close();
    await stopHealth();
  };
}

async function runAgent(env: NodeJS.ProcessEnv): Promise<() => Promise<void>> {
  const settings = parseClusterSettings(agentSettingsSchema, env);
  const config = kubeConfigFor(
    settings.KUBERNETES_SERVER === undefined ? {} : { server: settings.KUBERNETES_SERVER },
  );
  const producer = producerFor(settings);
  const own: OwnEndpoint[] = [];
  if (settings.EVENTHUB_NAMESPACE !== undefined)
    for (const host of await resolveAll(settings.EVENTHUB_NAMESPACE))
      own.push({ host, port: 5671 }, { host, port: 443 });
  const apiHost = env.KUBERNETES_SERVICE_HOST;
  if (apiHost !== undefined && apiHost !== '')
    own.push({ host: apiHost, port: Number(env.KUBERNETES_SERVICE_PORT ?? 443) });
  const agent = new NodeAgent(config, {
    cluster: settings.CLUSTER_NAME,
    node: settings.NODE_NAME,
    interfaces: settings.AGENT_INTERFACES,
    publish: (events) => publishEvents(producer, events, { partitionKey: settings.NODE_NAME }),
    ownEndpoints: own,
    tcpdump: settings.TCPDUMP_PATH,
    maxQueuedEvents: settings.AGENT_MAX_QUEUED_EVENTS,
    log,
  });
  await agent.start();
  const stopHealth = await serveHealth(Number(env.HEALTH_PORT ?? 8080), () => true);
  return async () => {
    await agent.stop();
    await producer.close();
    await stopHealth();
  };
}

/**
 * Starts one role with settings from `env`; resolves to its stop function. Rejects naming every
 * settings problem when the environment is incomplete.
 */
export function startRole(
  role: 'controller' | 'agent',
  env: NodeJS.ProcessEnv,
): Promise<() => Promise<void>> {
  return role === 'controller' ? runController(env) : runAgent(env);
}

async function main(): Promise<void> {
  const role = process.argv[2];
  if (role !== 'controller' && role !== 'agent') {
    process.stderr.write(
      'usage: main.js controller|agent (settings from the environment; see docs/kubernetes.md)\n',
    );
    process.exit(2);
  }
  const stop = await startRole(role, process.env);
  log(`${role} started`);
  const shutdown = () => {
    log(`${role} stopping`);
    void stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

if (require.main === module) {
  main().catch((caught: unknown) => {
    process.stderr.write(`${errorMessage(caught)}\n`);
    process.exit(1);
  });
}
