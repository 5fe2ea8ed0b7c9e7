/**
 * The scope in which a packet's connection state (layer-7 reassembly, request/response pairing)
 * lives: the node and the device it was observed on. One device sees both directions of its
 * connections (a pod's veth carries its `PodToNode` requests and its `NodeToPod` responses), while
 * the two veths of a same-node pod-to-pod connection each see their own copy of it.
 */

/**
 * The scope of packets captured on interface `interfaceName` (`<TracePoint>/<device>` as agents
 * name them, or a plain interface name) on `node`. Two scopes are equal exactly when node and device are.
 */
export function observationScope(node: string, interfaceName: string): string {
  const slash = interfaceName.indexOf('/');
  const device = slash < 0 ? interfaceName : interfaceName.slice(slash + 1);
  // NUL separators: neither a node name nor an interface name can contain one, so no two
  // different pairs give the same scope, and the scope cannot run into the flow key after it.
  return `${node}\u0000${device}\u0000`;
}
