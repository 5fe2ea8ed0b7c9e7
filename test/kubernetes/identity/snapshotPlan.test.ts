import type { Endpoint } from '../../../shared/enrich/identity';
import { IdentityTable } from '../../../shared/enrich/identityTable';
import { endpointIndex, planComplete, planDelta } from '../../../shared/kubernetes/identity/snapshotPlan';

const podAt = (i: number, node = 'n1', label = 'a'): Endpoint => ({
  ip: `10.244.${Math.floor(i / 250)}.${(i % 250) + 1}`,
  kind: 'pod',
  namespace: 'ns',
  name: `p${i}`,
  nodeName: node,
  labels: { v: label },
});
const service: Endpoint = {
  ip: '10.0.0.10',
  kind: 'service',
  namespace: 'ns',
  name: 's',
  serviceNames: ['s'],
};

describe('snapshot plans', () => {
  it('splits a large complete snapshot into a complete part and deltas that the identity table applies to the same result', () => {
    const endpoints = Array.from({ length: 600 }, (_, i) => podAt(i));
    const plan = planComplete('c1', endpoints, '2026-01-01T00:00:00.000Z', 10_000);
    expect(plan.length).toBeGreaterThan(3);
    expect(plan.map((p) => p.snapshot.complete)).toEqual([true, ...plan.slice(1).map(() => false)]);
    expect(new Set(plan.map((p) => p.partitionKey))).toEqual(new Set(['c1']));
    for (const p of plan) expect(Buffer.byteLength(JSON.stringify(p.snapshot))).toBeLessThanOrEqual(10_000);
    const table = new IdentityTable();
    table.apply({
      cluster: 'c1',
      generatedAt: '2025-12-31T00:00:00.000Z',
      complete: true,
      endpoints: [podAt(9999)],
    });
    for (const p of plan) table.apply(p.snapshot);
    expect(table.size).toBe(600);
    expect(table.lookupText(podAt(9999).ip)).toBeUndefined();
  });

  it('plans nothing for an empty cluster delta and one empty complete snapshot for an empty cluster', () => {
    expect(planDelta('c1', new Map(), [], 't', 1000)).toEqual({ snapshots: [], removed: 0 });
    expect(planComplete('c1', [], 't', 1000).map((p) => p.snapshot.endpoints)).toEqual([[]]);
  });

  it('sends only what changed, pods per node with the node as partition key, the rest cluster-wide, and counts removals', () => {
    const published = endpointIndex([podAt(1, 'n1'), podAt(2, 'n2'), podAt(3, 'n2'), service]);
    const now = [
      podAt(1, 'n1'),
      podAt(2, 'n2', 'changed'),
      podAt(4, 'n3'),
      { ...service, labels: { new: 'x' } },
    ];
    const { snapshots, removed } = planDelta('c1', published, now, 't', 100_000);
    expect(removed).toBe(1);
    expect(
      snapshots.map((s) => ({
        key: s.partitionKey,
        node: s.snapshot.node,
        complete: s.snapshot.complete,
        names: s.snapshot.endpoints.map((e) => e.name),
      })),
    ).toEqual([
      { key: 'n2', node: 'n2', complete: false, names: ['p2'] },
      { key: 'n3', node: 'n3', complete: false, names: ['p4'] },
      { key: 'c1', node: undefined, complete: false, names: ['s'] },
    ]);
  });
});
