import {
  configurationPrefix,
  hourBucket,
  partitionKeyOf,
  rowKeyOf,
  sanitizeKey,
  shardOf,
} from '../../../shared/sinks/azureTable/partitionKey';
import { makeRecord } from '../../support/traceRecords';

describe('Azure Table keys', () => {
  it.each([
    ['', ''],
    ['plain', 'plain'],
    ['a/b\\c#d?e', 'a_b_c_d_e'],
    ['tab\there\u0085', 'tab_here_'],
  ])('sanitizeKey(%j) → %j', (text, expected) => {
    expect(sanitizeKey(text)).toBe(expected);
  });

  it.each([
    ['2026-11-25T09:59:59.999999999Z', '2026112509'],
    ['2026-01-01T00:00:00Z', '2026010100'],
    ['', '0000000000'],
    ['yesterday', '0000000000'],
  ])('hourBucket(%j) → %s', (time, expected) => {
    expect(hourBucket(time)).toBe(expected);
  });

  it('gives each timestamp its own hour in any call order (the last hour is remembered)', () => {
    const times = [
      '2026-11-25T09:00:00Z',
      '2026-11-25T09:59:59Z',
      '2026-11-25T10:00:00Z',
      '2026-11-25T09:30:00Z',
      '2026-11-25T09',
      'garbage',
      '2026-11-25T0',
      '2027-11-25T09:00:00Z',
    ];
    expect(times.map(hourBucket)).toEqual([
      '2026112509',
      '2026112509',
      '2026112510',
      '2026112509',
      '2026112509',
      '0000000000',
      '0000000000',
      '2027112509',
    ]);
  });

  it('gives each cluster and configuration its own prefix after many distinct ones', () => {
    for (let i = 0; i < 5000; i++) expect(configurationPrefix(`c${i}`, `ns/n${i}`)).toBe(`c${i}|ns.n${i}|`);
    expect(configurationPrefix('c1', 'ns/n1')).toBe('c1|ns.n1|');
  });

  it.each([
    ['aks', 'default/web', 'aks|default.web|'],
    [undefined, undefined, '_|_|'],
    ['c#1', 'ns/a.b', 'c_1|ns.a.b|'],
  ])('configurationPrefix(%j, %j) → %j', (cluster, config, expected) => {
    expect(configurationPrefix(cluster, config)).toBe(expected);
  });

  const hour = (i: number, node: string, time = '2026-11-25T09:10:00Z') =>
    makeRecord(i, { TimeGenerated: time, NodeName: node });

  it('is <cluster>|<namespace>.<name>|<yyyyMMddHH>|<shard>: one partition per node, nodes spread over the shards', () => {
    const nodes = Array.from({ length: 40 }, (_, n) => `aks-nodepool1-123456-vmss0000${n.toString(36)}`);
    const records = nodes.flatMap((node, n) =>
      Array.from({ length: 50 }, (_, i) => hour(n * 1000 + i, node)),
    );
    const keys = records.map((r) => partitionKeyOf(r, 4));
    expect(keys.every((k) => /^aks-test\|default\.web-trace\|2026112509\|0[0-3]$/.test(k))).toBe(true);
    expect(new Set(keys).size).toBe(4);
    for (const node of nodes) {
      const ofNode = records.filter((r) => r.NodeName === node).map((r) => partitionKeyOf(r, 4));
      expect(new Set(ofNode).size).toBe(1);
    }
    expect(partitionKeyOf(records[0]!, 1)).toBe('aks-test|default.web-trace|2026112509|00');
  });

  it('is a pure function of the record and the layout (redelivery writes the same entity)', () => {
    const record = hour(7, 'node-a');
    const layout = { shards: 16, shardsPerNode: 4 };
    const first = partitionKeyOf(record, layout);
    for (let i = 0; i < 50; i++) partitionKeyOf(hour(i, `other-${i}`), layout);
    expect(partitionKeyOf(structuredClone(record), layout)).toBe(first);
    expect(partitionKeyOf(record, 16)).toBe(partitionKeyOf(record, { shards: 16, shardsPerNode: 1 }));
  });

  it.each([
    [{ shards: 8, shardsPerNode: 1 }, 1],
    [{ shards: 8, shardsPerNode: 3 }, 3],
    [{ shards: 8, shardsPerNode: 8 }, 8],
    [{ shards: 4, shardsPerNode: 9 }, 4],
    [{ shards: 1, shardsPerNode: 4 }, 1],
    [{ shards: 0, shardsPerNode: 0 }, 1],
  ])('spreads one busy node over consecutive shards by RecordId: %j → %i partitions', (layout, expected) => {
    const records = Array.from({ length: 400 }, (_, i) => hour(i, 'hot-node'));
    const shards = [...new Set(records.map((r) => shardOf(r, layout)))].sort((a, b) => a - b);
    expect(shards).toHaveLength(expected);
    const total = Math.max(1, layout.shards);
    const first = shardOf({ ...records[0]!, RecordId: 'x' }, { ...layout, shardsPerNode: 1 });
    expect(shards.every((s) => (s - first + total) % total < expected)).toBe(true);
  });

  it('keeps records without a node together, and hours apart', () => {
    const { NodeName: _n, ...noNode } = makeRecord(1, { TimeGenerated: '2026-11-25T09:10:00Z' });
    const keys = [0, 1, 2].map((i) => partitionKeyOf({ ...noNode, RecordId: `r${i}` }, 8));
    expect(new Set(keys).size).toBe(1);
    expect(partitionKeyOf(hour(1, 'n', '2026-11-25T10:00:00Z'), 8)).toMatch(/\|2026112510\|\d\d$/);
  });

  it('writes the shard with two digits, and in full beyond 99 shards', () => {
    const records = Array.from({ length: 2000 }, (_, i) => hour(i, `node-${i}`));
    const shardsOf = (count: number) => new Set(records.map((r) => partitionKeyOf(r, count).split('|')[3]));
    expect([...shardsOf(12)].sort()).toEqual(
      Array.from({ length: 12 }, (_, i) => String(i).padStart(2, '0')),
    );
    const wide = [...shardsOf(150)];
    expect(wide.length).toBeGreaterThan(120);
    expect(wide.every((shard) => /^\d{2,3}$/.test(shard!) && Number(shard) < 150)).toBe(true);
    expect(wide.some((shard) => shard!.length === 3)).toBe(true);
  });

  it('uses the RecordId as RowKey', () => {
    expect(rowKeyOf(makeRecord(1, { RecordId: 'ab/c' }))).toBe('ab_c');
  });
});
