/**
 * Where the Kubernetes API is: an explicit server URL (the fake API server of tests and
 * `npm run local -- --in-cluster`), the pod's service account when running in a cluster, or the
 * user's kubeconfig otherwise.
 */
import { k8s, type K8s } from './clientNode';

/** Options of {@link kubeConfigFor}. */
export interface KubeConfigOptions {
  /** API server URL, e.g. `http://127.0.0.1:6443`; no credentials are sent. */
  server?: string;
  /** Environment; `KUBERNETES_SERVICE_HOST` means "in a pod". Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** A `KubeConfig` for the options (see the module comment for the order). */
export function kubeConfigFor(options: KubeConfigOptions = {}): K8s.KubeConfig {
  const config = new k8s.KubeConfig();
  const env = options.env ?? process.env;
  if (options.server !== undefined) {
    config.loadFromOptions({
      // client-node refuses plain HTTP unless TLS verification is off; over HTTPS it stays on.
      clusters: [
        { name: 'target', server: options.server, skipTLSVerify: options.server.startsWith('http:') },
      ],
      users: [{ name: 'anonymous' }],
      contexts: [{ name: 'target', cluster: 'target', user: 'anonymous' }],
      currentContext: 'target',
    });
  } else if (env.KUBERNETES_SERVICE_HOST !== undefined && env.KUBERNETES_SERVICE_HOST !== '') {
    config.loadFromCluster();
  } else {
    config.loadFromDefault();
  }
  return config;
}

/** The HTTP status of a client error (`ApiException.code`, a watch's `statusCode`), or undefined. */
export function statusCodeOf(caught: unknown): number | undefined {
  if (typeof caught !== 'object' || caught === null) return undefined;
  const { code, statusCode } = caught as { code?: unknown; statusCode?: unknown };
  if (typeof code === 'number') return code;
  if (typeof statusCode === 'number') return statusCode;
  return undefined;
}
