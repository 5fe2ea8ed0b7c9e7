/**
 * Which identity snapshots to publish: a complete snapshot of the whole cluster, or the delta
 * since the last publication (per node for pods, so the node is the partition key; cluster-wide
 * for services and nodes). Snapshots larger than one event are split: the first part is
 * `complete`, the rest are deltas with the same `generatedAt` on the same partition, which the
 * identity table applies in order to the same result as one snapshot.
 */
import type { Endpoint, IdentitySnapshot } from '../../enrich/identity';

/** One snapshot and the partition key it goes with. */
export interface PlannedSnapshot {
  snapshot: IdentitySnapshot;
  partitionKey: string;
}

/** What was last published, per address: the endpoint's canonical JSON. */
export type PublishedEndpoints = ReadonlyMap<string, string>;

/** Endpoints keyed by address (the last one wins, as in the identity table at equal times). */
export function endpointIndex(endpoints: readonly Endpoint[]): Map<string, string> {
  return new Map(endpoints.map((endpoint) => [endpoint.ip, JSON.stringify(endpoint)]));
}

function chunks(endpoints: readonly Endpoint[], maxBytes: number): Endpoint[][] {
  const parts: Endpoint[][] = [[]];
  let size = 200;
  for (const endpoint of endpoints) {
    const bytes = Buffer.byteLength(JSON.stringify(endpoint)) + 1;
    if (size + bytes > maxBytes && parts[parts.length - 1]!.length > 0) {
      parts.push([]);
      size = 200;
    }
    parts[parts.length - 1]!.push(endpoint);
    size += bytes;
  }
  return parts;
}

function split(
  base: Omit<IdentitySnapshot, 'endpoints' | 'complete'>,
  complete: boolean,
  endpoints: readonly Endpoint[],
  partitionKey: string,
  maxBytes: number,
): PlannedSnapshot[] {
  return chunks(endpoints, maxBytes).map((part, index) => ({
    snapshot: { ...base, complete: complete && index === 0, endpoints: part },
    partitionKey,
  }));
}

/** The complete snapshot of the cluster, split to `maxBytes` of JSON per event. */
export function planComplete(
  cluster: string,
  endpoints: readonly Endpoint[],
  generatedAt: string,
  maxBytes: number,
): PlannedSnapshot[] {
  return split({ cluster, generatedAt }, true, endpoints, cluster, maxBytes);
}

/**
 * Deltas carrying every endpoint that is new or changed since `published`. Endpoints that went
 * away cannot be expressed in a delta (docs/wire-format.md: deltas upsert); `removed` counts them, and
 * the next complete snapshot drops them.
 */
export function planDelta(
  cluster: string,
  published: PublishedEndpoints,
  endpoints: readonly Endpoint[],
  generatedAt: string,
  maxBytes: number,
): { snapshots: PlannedSnapshot[]; removed: number } {
  const current = endpointIndex(endpoints);
  let removed = 0;
  for (const ip of published.keys()) if (!current.has(ip)) removed += 1;
  const byNode = new Map<string, Endpoint[]>();
  const clusterWide: Endpoint[] = [];
  for (const endpoint of endpoints) {
    if (published.get(endpoint.ip) === current.get(endpoint.ip)) continue;
    if (endpoint.kind === 'pod' && endpoint.nodeName !== undefined) {
      const list = byNode.get(endpoint.nodeName) ?? [];
      list.push(endpoint);
      byNode.set(endpoint.nodeName, list);
    } else clusterWide.push(endpoint);
  }
  const snapshots: PlannedSnapshot[] = [];
  for (const [node, list] of [...byNode].sort(([a], [b]) => a.localeCompare(b)))
    snapshots.push(...split({ cluster, node, generatedAt }, false, list, node, maxBytes));
  if (clusterWide.length > 0)
    snapshots.push(...split({ cluster, generatedAt }, false, clusterWide, cluster, maxBytes));
  return { snapshots, removed };
}
