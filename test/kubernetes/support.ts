/** Helpers for tests that drive the fake Kubernetes API server with the real client. */
import type { ConfigurationCounters } from '../../shared/store/configurationCounters';
import {
  FakeKubernetesApiServer,
  type FakeApiServerOptions,
} from '../../shared/local/kubernetes/fakeApiServer';
import { kubeConfigFor } from '../../shared/kubernetes/kubeConfig';
import type { K8s } from '../../shared/kubernetes/clientNode';
import { MemoryConfigurationStore } from '../../shared/store/memoryConfigurationStore';
import { traceConfigurationValidator } from '../../shared/app/traceConfigurationValidator';
import { createTraceConfigurationsHandler } from '../../functions/traceConfigurations';
import { startHttpFunctionHost } from '../../shared/local/httpFunctionHost';

/** A fake API server per test (started in beforeEach, stopped in afterEach) and a KubeConfig for it. */
export function useFakeApiServer(options: FakeApiServerOptions = {}): {
  server: () => FakeKubernetesApiServer;
  config: () => K8s.KubeConfig;
} {
  let server: FakeKubernetesApiServer | undefined;
  let config: K8s.KubeConfig | undefined;
  beforeEach(async () => {
    server = new FakeKubernetesApiServer({ bookmarkIntervalInMs: 100, ...options });
    await server.start();
    config = kubeConfigFor({ server: server.url });
  });
  afterEach(async () => {
    await server?.stop();
  });
  return { server: () => server!, config: () => config! };
}

/** Polls `check` until it returns true; fails with `what` after `timeoutMs`. */
export async function eventually(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A pod as the API returns it. */
export function pod(
  namespace: string,
  name: string,
  fields: {
    ip?: string;
    ips?: string[];
    node?: string;
    labels?: Record<string, string>;
    hostNetwork?: boolean;
    owner?: { kind: string; name: string };
    phase?: string;
    ports?: { name: string; containerPort: number; protocol?: string }[];
  } = {},
): Record<string, unknown> {
  const ips = fields.ips ?? (fields.ip === undefined ? [] : [fields.ip]);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      namespace,
      name,
      labels: fields.labels ?? {},
      ...(fields.owner === undefined
        ? {}
        : {
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: fields.owner.kind,
                name: fields.owner.name,
                uid: `uid-${fields.owner.name}`,
                controller: true,
              },
            ],
          }),
    },
    spec: {
      nodeName: fields.node ?? 'node-1',
      hostNetwork: fields.hostNetwork ?? false,
      containers: [{ name: 'main', image: 'example', ports: fields.ports ?? [] }],
    },
    status: {
      phase: fields.phase ?? 'Running',
      ...(ips.length > 0 ? { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) } : {}),
      hostIP: '10.224.0.4',
    },
  };
}

/** A backend HTTP API (the real handler over an in-memory store) that tests can make fail. */
export interface TestBackend {
  url: string;
  store: MemoryConfigurationStore;
  /** Requests answered, as `METHOD /path`. */
  requests: string[];
  /** While set, every request answers 503. */
  failing: boolean;
  /** The counters the backend shows per `namespace/name` (none set: zeros). */
  counters: Map<string, ConfigurationCounters>;
  close(): Promise<void>;
}

/** Starts a {@link TestBackend}. */
export async function startTestBackend(): Promise<TestBackend> {
  const store = new MemoryConfigurationStore();
  const handler = createTraceConfigurationsHandler(() => ({
    store,
    validator: traceConfigurationValidator,
    maxRequestBodyBytes: 1 << 20,
    counters: {
      read: async (namespace: string, name: string) =>
        counters.get(`${namespace}/${name}`) ?? { intervalMinutes: 5, records: 0, deadLettered: 0 },
    },
  }));
  const counters = new Map<string, ConfigurationCounters>();
  const backend: Omit<TestBackend, 'url' | 'close'> = { store, requests: [], failing: false, counters };
  const host = await startHttpFunctionHost({
    port: 0,
    functions: [
      {
        name: 'traceConfigurations',
        methods: ['GET', 'PUT', 'DELETE'],
        route: 'traceconfigurations/{namespace?}/{name?}/{subresource?}',
        authLevel: 'anonymous',
        handler: async (request, context) => {
          backend.requests.push(`${request.method} ${new URL(request.url).pathname}`);
          if (backend.failing)
            return {
              status: 503,
              jsonBody: {
                title: 'Service Unavailable',
                status: 503,
                detail: 'the test made the backend fail',
              },
            };
          return handler(request, context);
        },
      },
    ],
  });
  return Object.assign(backend, { url: host.url, close: () => host.close() });
}
