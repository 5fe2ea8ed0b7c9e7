/**
 * Kubernetes identity of an IP address, as published by agents in identity snapshots
 * (docs/wire-format.md, `retina.sh/identities/v1`).
 */

/** What kind of Kubernetes object owns an address. */
export type EndpointKind = 'pod' | 'service' | 'node';

/** One endpoint of an identity snapshot. */
export interface Endpoint {
  /** Address in canonical text form. */
  ip: string;
  kind: EndpointKind;
  /** Namespace of a pod or service; absent for nodes. */
  namespace?: string;
  /** Pod, service or node name. */
  name: string;
  labels?: Record<string, string>;
  /** Labels of the endpoint's namespace (for namespaceSelector matching). */
  namespaceLabels?: Record<string, string>;
  /** Node a pod runs on. */
  nodeName?: string;
  /** Owning workload, e.g. `{kind: 'Deployment', name: 'web'}`. */
  workload?: { kind: string; name: string };
  /** Services selecting this pod (or the service's own name). */
  serviceNames?: string[];
  /**
   * Named container ports of a pod (or a service's named ports), used to resolve named ports in
   * port rules. Absent: named ports resolve by well-known service name instead.
   */
  ports?: EndpointPort[];
}

/** A named port of an endpoint, e.g. `{name: 'metrics', port: 9090, protocol: 'TCP'}`. */
export interface EndpointPort {
  name: string;
  port: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
}

/** An identity snapshot body. */
export interface IdentitySnapshot {
  cluster: string;
  node?: string;
  /** ISO 8601 time the agent generated the snapshot. */
  generatedAt: string;
  /** True: replaces the cluster's whole table. False: a delta merged into it. */
  complete: boolean;
  endpoints: Endpoint[];
}

/** Looks an address up. Implementations are built once per batch and must be fast and total. */
export interface IdentityLookup {
  /** The endpoint owning `ip` (4 or 16 address bytes), or undefined. */
  lookup(ip: Uint8Array): Endpoint | undefined;
}
