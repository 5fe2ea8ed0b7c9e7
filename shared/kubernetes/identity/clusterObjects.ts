/**
 * The Kubernetes objects identity snapshots are built from, reduced to the fields used, as the
 * API returns them (JSON from a watch, or client-node's typed models from a list: the same
 * field names either way).
 */

/** Metadata fields read. */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  resourceVersion?: string;
  ownerReferences?: { kind?: string; name?: string; controller?: boolean }[];
}

/** `v1` Pod. */
export interface PodObject {
  metadata?: ObjectMeta;
  spec?: {
    nodeName?: string;
    hostNetwork?: boolean;
    containers?: { ports?: { name?: string; containerPort?: number; protocol?: string }[] }[];
  };
  status?: { phase?: string; podIP?: string; podIPs?: { ip?: string }[] };
}

/** `v1` Service. */
export interface ServiceObject {
  metadata?: ObjectMeta;
  spec?: {
    type?: string;
    clusterIP?: string;
    clusterIPs?: string[];
    externalIPs?: string[];
    ports?: { name?: string; port?: number; protocol?: string }[];
  };
  status?: { loadBalancer?: { ingress?: { ip?: string }[] } };
}

/** `discovery.k8s.io/v1` EndpointSlice. */
export interface EndpointSliceObject {
  metadata?: ObjectMeta;
  endpoints?: { addresses?: string[]; targetRef?: { kind?: string; name?: string; namespace?: string } }[];
}

/** `v1` Node. */
export interface NodeObject {
  metadata?: ObjectMeta;
  status?: { addresses?: { type?: string; address?: string }[] };
}

/** `v1` Namespace, `apps/v1` ReplicaSet, `batch/v1` Job: only metadata is read. */
export interface MetadataObject {
  metadata?: ObjectMeta;
}

/** Everything known about the cluster, by `namespace/name` (`/name` for cluster-scoped kinds). */
export interface ClusterObjects {
  pods: ReadonlyMap<string, PodObject>;
  services: ReadonlyMap<string, ServiceObject>;
  endpointSlices: ReadonlyMap<string, EndpointSliceObject>;
  nodes: ReadonlyMap<string, NodeObject>;
  namespaces: ReadonlyMap<string, MetadataObject>;
  replicaSets: ReadonlyMap<string, MetadataObject>;
  jobs: ReadonlyMap<string, MetadataObject>;
}

/** The map key of an object. */
export function objectKey(object: { metadata?: ObjectMeta }): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}
