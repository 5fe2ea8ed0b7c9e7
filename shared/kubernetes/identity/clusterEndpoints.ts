/**
 * Identity endpoints (`retina.sh/identities/v1`) of everything with an address in the cluster:
 * running pods (every IP of a dual-stack pod), services (cluster IPs of both families,
 * external IPs and load-balancer IPs), and nodes (internal and external IPs). Pods on the host
 * network share their node's address and are left to the node, which is what the address is.
 */
import type { Endpoint, EndpointPort } from '../../enrich/identity';
import { parseIp } from '../../net/ipAddress';
import type { ClusterObjects, PodObject, ServiceObject } from './clusterObjects';
import { workloadOwner } from './workloadOwner';

const PROTOCOLS = new Set(['TCP', 'UDP', 'SCTP']);

function namedPorts(ports: readonly { name?: string; port?: number; protocol?: string }[]): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const p of ports) {
    const protocol = p.protocol ?? 'TCP';
    if (
      p.name === undefined ||
      p.name === '' ||
      p.port === undefined ||
      p.port < 1 ||
      p.port > 65535 ||
      !PROTOCOLS.has(protocol)
    )
      continue;
    out.push({ name: p.name, port: p.port, protocol: protocol as EndpointPort['protocol'] });
  }
  return out;
}

function validIps(ips: readonly (string | undefined)[]): string[] {
  return [
    ...new Set(
      ips.filter(
        (ip): ip is string => ip !== undefined && ip !== '' && ip !== 'None' && parseIp(ip) !== undefined,
      ),
    ),
  ];
}

function podIps(pod: PodObject): string[] {
  return validIps([pod.status?.podIP, ...(pod.status?.podIPs ?? []).map((p) => p.ip)]);
}

function serviceIps(service: ServiceObject): string[] {
  return validIps([
    service.spec?.clusterIP,
    ...(service.spec?.clusterIPs ?? []),
    ...(service.spec?.externalIPs ?? []),
    ...(service.status?.loadBalancer?.ingress ?? []).map((i) => i.ip),
  ]);
}

/** Service names per pod (`namespace/name`), from EndpointSlices. */
function servicesByPod(objects: ClusterObjects): Map<string, Set<string>> {
  const byPod = new Map<string, Set<string>>();
  for (const slice of objects.endpointSlices.values()) {
    const service = slice.metadata?.labels?.['kubernetes.io/service-name'];
    if (service === undefined || service === '') continue;
    for (const endpoint of slice.endpoints ?? []) {
      const target = endpoint.targetRef;
      if (target?.kind !== 'Pod' || target.name === undefined) continue;
      const key = `${target.namespace ?? slice.metadata?.namespace ?? ''}/${target.name}`;
      const names = byPod.get(key) ?? new Set<string>();
      names.add(service);
      byPod.set(key, names);
    }
  }
  return byPod;
}

function withOptional<T extends object>(base: T, fields: Record<string, unknown>): T {
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    if (
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value) &&
      Object.keys(value).length === 0
    )
      continue;
    (base as Record<string, unknown>)[key] = value;
  }
  return base;
}

/** Every endpoint of the cluster, in a stable order (pods, services, nodes; then by name). */
export function clusterEndpoints(objects: ClusterObjects): Endpoint[] {
  const endpoints: Endpoint[] = [];
  const podServices = servicesByPod(objects);
  const namespaceLabels = (namespace: string | undefined) =>
    objects.namespaces.get(`/${namespace ?? ''}`)?.metadata?.labels;
  for (const [key, pod] of [...objects.pods].sort(([a], [b]) => a.localeCompare(b))) {
    if (pod.spec?.hostNetwork === true) continue;
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
    const namespace = pod.metadata?.namespace ?? 'default';
    for (const ip of podIps(pod)) {
      endpoints.push(
        withOptional<Endpoint>(
          { ip, kind: 'pod', namespace, name: pod.metadata?.name ?? '' },
          {
            labels: pod.metadata?.labels,
            namespaceLabels: namespaceLabels(namespace),
            nodeName: pod.spec?.nodeName,
            workload: workloadOwner(pod, objects),
            serviceNames: [...(podServices.get(key) ?? [])].sort(),
            ports: namedPorts(
              (pod.spec?.containers ?? []).flatMap((c) =>
                (c.ports ?? []).map((p) => ({ name: p.name, port: p.containerPort, protocol: p.protocol })),
              ),
            ),
          },
        ),
      );
    }
  }
  for (const [, service] of [...objects.services].sort(([a], [b]) => a.localeCompare(b))) {
    const namespace = service.metadata?.namespace ?? 'default';
    const name = service.metadata?.name ?? '';
    for (const ip of serviceIps(service)) {
      endpoints.push(
        withOptional<Endpoint>(
          { ip, kind: 'service', namespace, name },
          {
            labels: service.metadata?.labels,
            namespaceLabels: namespaceLabels(namespace),
            serviceNames: [name],
            ports: namedPorts(service.spec?.ports ?? []),
          },
        ),
      );
    }
  }
  for (const [, node] of [...objects.nodes].sort(([a], [b]) => a.localeCompare(b))) {
    const ips = validIps(
      (node.status?.addresses ?? [])
        .filter((a) => a.type === 'InternalIP' || a.type === 'ExternalIP')
        .map((a) => a.address),
    );
    for (const ip of ips)
      endpoints.push(
        withOptional<Endpoint>(
          { ip, kind: 'node', name: node.metadata?.name ?? '' },
          { labels: node.metadata?.labels },
        ),
      );
  }
  return endpoints;
}
