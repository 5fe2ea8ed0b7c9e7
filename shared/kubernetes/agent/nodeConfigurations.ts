/**
 * Which configurations a node's agent captures for: those with a target that can match traffic
 * of a pod on the node. A peer by namespace/pod selector counts only when it selects a pod on
 * the node; a peer by address, node or service, or a side with no peers, can match anything.
 * Exact matching still happens in the backend; this only keeps a node from capturing for
 * configurations that cannot concern it.
 */
import type { Peer, TraceConfigurationSpec } from '../../config/model';
import { compileLabelSelector } from '../../match/labelSelector';

/** A pod on this node: its namespace, labels and its namespace's labels. */
export interface NodePod {
  namespace: string;
  labels: Record<string, string>;
  namespaceLabels: Record<string, string>;
}

function peerCanMatch(peer: Peer, pods: readonly NodePod[]): boolean {
  if (peer.namespaceSelector === undefined && peer.podSelector === undefined) return true;
  const namespaces =
    peer.namespaceSelector === undefined ? undefined : compileLabelSelector(peer.namespaceSelector);
  const podSelector = peer.podSelector === undefined ? undefined : compileLabelSelector(peer.podSelector);
  return pods.some(
    (pod) =>
      (namespaces === undefined || namespaces(pod.namespaceLabels, pod.namespace)) &&
      (podSelector === undefined || podSelector(pod.labels)),
  );
}

function sideCanMatch(peers: readonly Peer[], pods: readonly NodePod[]): boolean {
  return peers.length === 0 || peers.some((peer) => peerCanMatch(peer, pods));
}

/**
 * True when some target of `spec` can match traffic on a node running `pods`: either side
 * selects a pod here, or anything (no peers, an address, a node, a service). A target whose
 * both sides name only pods elsewhere is traffic this node never sees.
 */
export function canMatchOnNode(spec: TraceConfigurationSpec, pods: readonly NodePod[]): boolean {
  return spec.rules.some((rule) =>
    rule.targets.some((target) => {
      const fromHere = sideCanMatch(target.from, pods);
      const toHere = sideCanMatch(target.to, pods);
      return fromHere || toHere;
    }),
  );
}
