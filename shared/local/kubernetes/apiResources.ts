/**
 * The resource kinds the fake Kubernetes API server serves, and their discovery documents
 * (`/api/v1`, `/apis/<group>/<version>`), which `KubernetesObjectApi` reads to build paths.
 */

/** One served resource. */
export interface ApiResource {
  /** `''` for the core group. */
  group: string;
  version: string;
  kind: string;
  /** URL segment, e.g. `pods`. */
  plural: string;
  namespaced: boolean;
  /** True when `status` is a subresource: the main resource ignores status writes. */
  statusSubresource: boolean;
}

/** `apiVersion` text of a resource (`v1`, `apps/v1`). */
export function apiVersionOf(resource: Pick<ApiResource, 'group' | 'version'>): string {
  return resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
}

/** The kinds the controller, identity publisher and agent use, plus namespaces. */
export const DEFAULT_API_RESOURCES: readonly ApiResource[] = [
  { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true, statusSubresource: true },
  {
    group: '',
    version: 'v1',
    kind: 'Service',
    plural: 'services',
    namespaced: true,
    statusSubresource: true,
  },
  { group: '', version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false, statusSubresource: true },
  {
    group: '',
    version: 'v1',
    kind: 'Namespace',
    plural: 'namespaces',
    namespaced: false,
    statusSubresource: true,
  },
  {
    group: 'discovery.k8s.io',
    version: 'v1',
    kind: 'EndpointSlice',
    plural: 'endpointslices',
    namespaced: true,
    statusSubresource: false,
  },
  {
    group: 'apps',
    version: 'v1',
    kind: 'ReplicaSet',
    plural: 'replicasets',
    namespaced: true,
    statusSubresource: true,
  },
  { group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', namespaced: true, statusSubresource: true },
  {
    group: 'coordination.k8s.io',
    version: 'v1',
    kind: 'Lease',
    plural: 'leases',
    namespaced: true,
    statusSubresource: false,
  },
  {
    group: 'retina.sh',
    version: 'v1alpha1',
    kind: 'TraceConfiguration',
    plural: 'traceconfigurations',
    namespaced: true,
    statusSubresource: true,
  },
  {
    group: 'retina.sh',
    version: 'v1alpha1',
    kind: 'TracesConfiguration',
    plural: 'tracesconfigurations',
    namespaced: true,
    statusSubresource: true,
  },
];

/** The `APIResourceList` of one group version, as discovery returns it. */
export function discoveryDocument(
  resources: readonly ApiResource[],
  group: string,
  version: string,
): Record<string, unknown> | undefined {
  const served = resources.filter((r) => r.group === group && r.version === version);
  if (served.length === 0) return undefined;
  const verbs = ['create', 'delete', 'get', 'list', 'update', 'watch'];
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: apiVersionOf({ group, version }),
    resources: served.flatMap((r) => [
      { name: r.plural, singularName: r.kind.toLowerCase(), namespaced: r.namespaced, kind: r.kind, verbs },
      ...(r.statusSubresource
        ? [
            {
              name: `${r.plural}/status`,
              singularName: '',
              namespaced: r.namespaced,
              kind: r.kind,
              verbs: ['get', 'update'],
            },
          ]
        : []),
    ]),
  };
}
