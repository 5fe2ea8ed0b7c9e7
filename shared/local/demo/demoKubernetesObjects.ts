/**
 * The demo cluster of `npm run local` as the Kubernetes API would hold it: namespaces, nodes,
 * ReplicaSets owned by Deployments, pods, services and EndpointSlices. The identity publisher
 * turns these into exactly the endpoints of `demoIdentities` (demoCluster.ts); a test holds the two together.
 */
type Labels = Record<string, string>;

function namespace(name: string, labels: Labels): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } },
  };
}

function node(name: string, ip: string, zone: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': zone } },
    status: {
      addresses: [
        { type: 'InternalIP', address: ip },
        { type: 'Hostname', address: name },
      ],
    },
  };
}

function replicaSet(ns: string, deployment: string, hash: string): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      namespace: ns,
      name: `${deployment}-${hash}`,
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: deployment,
          uid: `uid-deployment-${deployment}`,
          controller: true,
        },
      ],
    },
    spec: {},
  };
}

function pod(
  ns: string,
  name: string,
  owner: string,
  ip: string,
  nodeName: string,
  labels: Labels,
): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      namespace: ns,
      name,
      labels,
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: `uid-rs-${owner}`, controller: true },
      ],
    },
    spec: { nodeName, containers: [{ name: 'main', image: 'example' }] },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
  };
}

function service(
  ns: string,
  name: string,
  clusterIP: string,
  labels: Labels,
  port: number,
): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: ns, name, labels },
    spec: {
      type: 'ClusterIP',
      clusterIP,
      clusterIPs: [clusterIP],
      selector: labels,
      ports: [{ port, protocol: port === 53 ? 'UDP' : 'TCP' }],
    },
  };
}

function endpointSlice(
  ns: string,
  serviceName: string,
  pods: { name: string; ip: string }[],
): Record<string, unknown> {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      namespace: ns,
      name: `${serviceName}-abc12`,
      labels: { 'kubernetes.io/service-name': serviceName },
    },
    addressType: 'IPv4',
    endpoints: pods.map((p) => ({
      addresses: [p.ip],
      conditions: { ready: true },
      targetRef: { kind: 'Pod', namespace: ns, name: p.name },
    })),
  };
}

/** Every object of the demo cluster, in an order `kubectl apply` would accept. */
export function demoKubernetesObjects(): Record<string, unknown>[] {
  const shop = { team: 'shop' };
  return [
    namespace('shop', shop),
    namespace('kube-system', {}),
    node('aks-node-1', '10.224.0.4', 'westeurope-1'),
    node('aks-node-2', '10.224.0.5', 'westeurope-2'),
    replicaSet('shop', 'frontend', '7d9f8b6c5'),
    replicaSet('shop', 'checkout', '5c8b7f9d4'),
    replicaSet('kube-system', 'coredns', '6b9d7c8f5'),
    pod('shop', 'frontend-7d9f8b6c5-x2x4q', 'frontend-7d9f8b6c5', '10.244.1.10', 'aks-node-1', {
      app: 'frontend',
      tier: 'web',
    }),
    pod('shop', 'checkout-5c8b7f9d4-k8m2n', 'checkout-5c8b7f9d4', '10.244.2.20', 'aks-node-2', {
      app: 'checkout',
      tier: 'api',
    }),
    pod('kube-system', 'coredns-6b9d7c8f5-abcde', 'coredns-6b9d7c8f5', '10.244.0.5', 'aks-node-1', {
      'k8s-app': 'kube-dns',
    }),
    // The frontend's service is headless: it names the pod but has no address of its own.
    {
      ...service('shop', 'frontend', 'None', { app: 'frontend' }, 80),
      spec: {
        clusterIP: 'None',
        clusterIPs: ['None'],
        selector: { app: 'frontend' },
        ports: [{ port: 80, protocol: 'TCP' }],
      },
    },
    service('shop', 'checkout', '10.0.12.34', { app: 'checkout' }, 8080),
    service('kube-system', 'kube-dns', '10.0.0.10', { 'k8s-app': 'kube-dns' }, 53),
    endpointSlice('shop', 'frontend', [{ name: 'frontend-7d9f8b6c5-x2x4q', ip: '10.244.1.10' }]),
    endpointSlice('shop', 'checkout', [{ name: 'checkout-5c8b7f9d4-k8m2n', ip: '10.244.2.20' }]),
    endpointSlice('kube-system', 'kube-dns', [{ name: 'coredns-6b9d7c8f5-abcde', ip: '10.244.0.5' }]),
  ];
}
