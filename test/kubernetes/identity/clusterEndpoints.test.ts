import { clusterEndpoints } from '../../../shared/kubernetes/identity/clusterEndpoints';
import { objectKey, type ClusterObjects } from '../../../shared/kubernetes/identity/clusterObjects';
import { workloadOwner } from '../../../shared/kubernetes/identity/workloadOwner';
import { demoIdentities } from '../../../shared/local/demo/demoCluster';
import { demoKubernetesObjects } from '../../../shared/local/demo/demoKubernetesObjects';
import { parseIdentitySnapshot } from '../../../shared/enrich/identitySchema';
import { pod } from '../support';

type Obj = Record<string, unknown> & {
  kind?: string;
  metadata?: { namespace?: string; name?: string; labels?: Record<string, string> };
};

/** Sorts objects into the maps the publisher keeps. */
export function toClusterObjects(objects: readonly Obj[]): ClusterObjects {
  const maps = {
    pods: new Map(),
    services: new Map(),
    endpointSlices: new Map(),
    nodes: new Map(),
    namespaces: new Map(),
    replicaSets: new Map(),
    jobs: new Map(),
  };
  const byKind: Record<string, Map<string, unknown>> = {
    Pod: maps.pods,
    Service: maps.services,
    EndpointSlice: maps.endpointSlices,
    Node: maps.nodes,
    Namespace: maps.namespaces,
    ReplicaSet: maps.replicaSets,
    Job: maps.jobs,
  };
  for (const object of objects) byKind[String(object.kind)]?.set(objectKey(object), object);
  return maps;
}

const owned = (kind: string, name: string) => [
  { apiVersion: 'apps/v1', kind, name, uid: `uid-${name}`, controller: true },
];

describe('clusterEndpoints', () => {
  it('turns the demo cluster objects into exactly the demo identity snapshot', () => {
    const endpoints = clusterEndpoints(toClusterObjects(demoKubernetesObjects()));
    const byIp = (a: { ip: string }, b: { ip: string }) => a.ip.localeCompare(b.ip);
    expect([...endpoints].sort(byIp)).toEqual(
      [...demoIdentities('2026-01-01T00:00:00Z').endpoints].sort(byIp),
    );
    expect(
      parseIdentitySnapshot({ cluster: 'c', generatedAt: '2026-01-01T00:00:00Z', complete: true, endpoints })
        .ok,
    ).toBe(true);
  });

  it('publishes every address of dual-stack pods and services, load-balancer and external IPs, and node IPs', () => {
    const endpoints = clusterEndpoints(
      toClusterObjects([
        pod('web', 'dual', {
          ips: ['10.244.1.7', 'fd00:10:244:1::7'],
          ports: [
            { name: 'http', containerPort: 8080 },
            { name: '', containerPort: 9 },
          ],
        }),
        {
          kind: 'Service',
          metadata: { namespace: 'web', name: 'front', labels: { app: 'front' } },
          spec: {
            type: 'LoadBalancer',
            clusterIP: '10.0.0.20',
            clusterIPs: ['10.0.0.20', 'fd00:10:96::20'],
            externalIPs: ['192.0.2.10'],
            ports: [{ name: 'https', port: 443, protocol: 'TCP' }],
          },
          status: { loadBalancer: { ingress: [{ ip: '20.1.2.3' }, { hostname: 'lb.example' }] } },
        },
        {
          kind: 'Node',
          metadata: { name: 'n1' },
          status: {
            addresses: [
              { type: 'InternalIP', address: '10.224.0.9' },
              { type: 'InternalIP', address: 'fd00::9' },
              { type: 'ExternalIP', address: '20.9.9.9' },
              { type: 'Hostname', address: 'n1' },
            ],
          },
        },
      ]),
    );
    expect(endpoints.map((e) => `${e.kind} ${e.ip}`)).toEqual([
      'pod 10.244.1.7',
      'pod fd00:10:244:1::7',
      'service 10.0.0.20',
      'service fd00:10:96::20',
      'service 192.0.2.10',
      'service 20.1.2.3',
      'node 10.224.0.9',
      'node fd00::9',
      'node 20.9.9.9',
    ]);
    expect(endpoints[0]?.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    expect(endpoints[2]).toMatchObject({
      serviceNames: ['front'],
      ports: [{ name: 'https', port: 443, protocol: 'TCP' }],
    });
  });

  it.each([
    [
      'host-network pod (its address is the node)',
      pod('kube-system', 'kube-proxy-x', { ip: '10.224.0.4', hostNetwork: true }),
    ],
    ['completed pod', pod('batch', 'done', { ip: '10.244.1.8', phase: 'Succeeded' })],
    ['failed pod', pod('batch', 'broken', { ip: '10.244.1.9', phase: 'Failed' })],
    ['pending pod without an address', pod('web', 'pending', { phase: 'Pending' })],
    ['pod with a malformed address', pod('web', 'odd', { ip: '10.244.300.1' })],
    [
      'headless service',
      {
        kind: 'Service',
        metadata: { namespace: 'web', name: 'h' },
        spec: { clusterIP: 'None', clusterIPs: ['None'] },
      },
    ],
    [
      'ExternalName service',
      { kind: 'Service', metadata: { namespace: 'web', name: 'x' }, spec: { type: 'ExternalName' } },
    ],
    ['node without addresses', { kind: 'Node', metadata: { name: 'bare' } }],
  ])('publishes nothing for a %s', (_what, object) => {
    expect(clusterEndpoints(toClusterObjects([object as Obj]))).toEqual([]);
  });

  it.each([
    [
      'a ReplicaSet of a Deployment',
      { kind: 'ReplicaSet', name: 'web-5d4f' },
      [
        {
          kind: 'ReplicaSet',
          metadata: { namespace: 'ns', name: 'web-5d4f', ownerReferences: owned('Deployment', 'web') },
        },
      ],
      { kind: 'Deployment', name: 'web' },
    ],
    [
      'a ReplicaSet not seen yet',
      { kind: 'ReplicaSet', name: 'web-5d4f' },
      [],
      { kind: 'ReplicaSet', name: 'web-5d4f' },
    ],
    [
      'a bare ReplicaSet',
      { kind: 'ReplicaSet', name: 'rs' },
      [{ kind: 'ReplicaSet', metadata: { namespace: 'ns', name: 'rs' } }],
      { kind: 'ReplicaSet', name: 'rs' },
    ],
    ['a StatefulSet', { kind: 'StatefulSet', name: 'db' }, [], { kind: 'StatefulSet', name: 'db' }],
    ['a DaemonSet', { kind: 'DaemonSet', name: 'agent' }, [], { kind: 'DaemonSet', name: 'agent' }],
    [
      'a Job of a CronJob',
      { kind: 'Job', name: 'backup-28911' },
      [
        {
          kind: 'Job',
          metadata: { namespace: 'ns', name: 'backup-28911', ownerReferences: owned('CronJob', 'backup') },
        },
      ],
      { kind: 'CronJob', name: 'backup' },
    ],
    [
      'a Job on its own',
      { kind: 'Job', name: 'migrate' },
      [{ kind: 'Job', metadata: { namespace: 'ns', name: 'migrate' } }],
      { kind: 'Job', name: 'migrate' },
    ],
    ['no owner', undefined, [], undefined],
  ])('names the workload of a pod owned by %s', (_what, owner, parents, expected) => {
    const p = pod('ns', 'p', { ip: '10.244.0.1', ...(owner === undefined ? {} : { owner }) });
    expect(workloadOwner(p as never, toClusterObjects(parents as Obj[]))).toEqual(expected);
  });
});
