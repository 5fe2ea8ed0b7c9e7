import {
  configurationPrefix,
  hourBucket,
  partitionKeyOf,
  rowKeyOf,
  sanitizeKey,
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

  it('is <cluster>|<namespace>.<name>|<yyyyMMddHH>|<shard>, stable per RecordId, spread over shards', () => {
    const records = Array.from({ length: 200 }, (_, i) =>
      makeRecord(i, { TimeGenerated: '2026-11-25T09:10:00Z' }),
    );
    const keys = records.map((r) => partitionKeyOf(r, 4));
    expect(keys.every((k) => /^aks-test\|default\.web-trace\|2026112509\|0[0-3]$/.test(k))).toBe(true);
    expect(new Set(keys).size).toBe(4);
    expect(records.map((r) => partitionKeyOf(r, 4))).toEqual(keys);
    expect(partitionKeyOf(records[0]!, 1)).toBe('aks-test|default.web-trace|2026112509|00');
  });

  it('keeps one configuration apart across clusters and a cluster apart across configurations', () => {
    expect(configurationPrefix('east', 'ns/a')).toBe('east|ns.a|');
    expect(configurationPrefix('west', 'ns/a')).toBe('west|ns.a|');
    expect(configurationPrefix('east', 'ns/b')).toBe('east|ns.b|');
    expect(configurationPrefix(undefined, 'ns/a')).toBe('_|ns.a|');
    expect(configurationPrefix('east', undefined)).toBe('east|_|');
  });

  it('writes the shard with two digits, and in full beyond 99 shards', () => {
    const records = Array.from({ length: 2000 }, (_, i) =>
      makeRecord(i, { TimeGenerated: '2026-11-25T09:10:00Z' }),
    );
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
