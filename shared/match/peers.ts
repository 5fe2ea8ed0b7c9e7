/**
 * One side (`from` or `to`) of a target: its entries OR-ed. IP blocks are merged into one
 * {@link IpRangeSet}; selectors are evaluated against the side's enrichment.
 */
import type { Peer } from '../config/model';
import type { Endpoint } from '../enrich/identity';
import { compileIpBlocks } from './ipRangeSet';
import { compileLabelSelector } from './labelSelector';

/** A compiled side: true when the address or its identity is selected. */
export type SidePredicate = (ip: Uint8Array | undefined, endpoint: Endpoint | undefined) => boolean;

type EndpointPredicate = (endpoint: Endpoint) => boolean;

/**
 * Compiles a side's entries; undefined when there are none (the side matches anything).
 *
 * - `ipBlock`: the address lies in `cidr` and in none of `except` (works without enrichment).
 * - `namespaceSelector`: a pod or service whose namespace's labels match (the namespace name is
 *   also visible as `kubernetes.io/metadata.name`); with `podSelector`, only pods of those
 *   namespaces whose labels match.
 * - `nodeSelector`: a node whose labels match. `serviceSelector`: a service whose labels match.
 * - Unknown addresses (no enrichment) match IP blocks only.
 */
export function compilePeers(peers: readonly Peer[]): SidePredicate | undefined {
  if (peers.length === 0) return undefined;
  const blocks = peers.flatMap((peer) => (peer.ipBlock ? [peer.ipBlock] : []));
  const ipSet = blocks.length > 0 ? compileIpBlocks(blocks) : undefined;
  const selectors: EndpointPredicate[] = [];
  for (const peer of peers) {
    if (peer.ipBlock) continue;
    const predicate = compileSelectorPeer(peer);
    if (predicate) selectors.push(predicate);
  }
  if (!ipSet) {
    return (_ip, endpoint) => {
      if (!endpoint) return false;
      for (const selector of selectors) if (selector(endpoint)) return true;
      return false;
    };
  }
  return (ip, endpoint) => {
    if (ip && ipSet.has(ip)) return true;
    if (!endpoint) return false;
    for (const selector of selectors) if (selector(endpoint)) return true;
    return false;
  };
}

function compileSelectorPeer(peer: Peer): EndpointPredicate | undefined {
  if (peer.namespaceSelector) {
    const namespaces = compileLabelSelector(peer.namespaceSelector);
    if (peer.podSelector) {
      const pods = compileLabelSelector(peer.podSelector);
      return (e) =>
        e.kind === 'pod' &&
        e.namespace !== undefined &&
        namespaces(e.namespaceLabels, e.namespace) &&
        pods(e.labels);
    }
    return (e) =>
      e.kind !== 'node' && e.namespace !== undefined && namespaces(e.namespaceLabels, e.namespace);
  }
  if (peer.podSelector) {
    // Validation requires a namespaceSelector; without one, any namespace.
    const pods = compileLabelSelector(peer.podSelector);
    return (e) => e.kind === 'pod' && pods(e.labels);
  }
  if (peer.nodeSelector) {
    const nodes = compileLabelSelector(peer.nodeSelector);
    return (e) => e.kind === 'node' && nodes(e.labels);
  }
  if (peer.serviceSelector) {
    const services = compileLabelSelector(peer.serviceSelector);
    return (e) => e.kind === 'service' && services(e.labels);
  }
  return undefined;
}
