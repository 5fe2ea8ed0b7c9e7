/** Helpers for tests that drive the fake Kubernetes API server with the real client. */
import {
  FakeKubernetesApiServer,
  type FakeApiServerOptions,
} from '../../shared/local/kubernetes/fakeApiServer';
import { kubeConfigFor } from '../../shared/kubernetes/kubeConfig';
import type { K8s } from '../../shared/kubernetes/clientNode';

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
