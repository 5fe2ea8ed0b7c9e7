import { TableClient } from '@azure/data-tables';
import {
  addCounts,
  bucketKey,
  bucketStart,
  sumCounters,
  TableCounterStore,
} from '../../shared/store/configurationCounters';
import { useAzurite } from '../support/azurite';

const T = Date.UTC(2026, 11, 4, 22, 7, 30); // 22:07:30 → bucket 22:05

describe('configuration counter buckets', () => {
  it('buckets by interval start, with sortable names', () => {
    expect(new Date(bucketStart(T)).toISOString()).toBe('2026-12-04T22:05:00.000Z');
    expect(bucketStart(Date.UTC(2026, 11, 4, 22, 5, 0))).toBe(bucketStart(T));
    expect(bucketKey(bucketStart(T))).toBe('202612042205');
    expect(bucketKey(bucketStart(T, 60))).toBe('202612042200');
  });

  it('adds counts per configuration, keeping the newest record time', () => {
    const total = addCounts(
      { 'a/x': { records: 2, deadLettered: 0, lastRecordTime: '2026-12-04T22:06:00Z' } },
      {
        'a/x': { records: 3, deadLettered: 1, lastRecordTime: '2026-12-04T22:05:00Z' },
        'b/y': { records: 0, deadLettered: 4 },
      },
    );
    expect(total).toEqual({
      'a/x': { records: 5, deadLettered: 1, lastRecordTime: '2026-12-04T22:06:00Z' },
      'b/y': { records: 0, deadLettered: 4 },
    });
  });

  it('sums the rows of every instance for the last complete interval only', () => {
    const previous = bucketStart(T) - 5 * 60_000;
    const counters = sumCounters(
      [
        { bucketStartMs: previous, records: 10, deadLettered: 1, lastRecordTime: '2026-12-04T22:04:00Z' },
        { bucketStartMs: previous, records: 5, deadLettered: 0 },
        // The current (incomplete) interval: only its record time counts.
        {
          bucketStartMs: bucketStart(T),
          records: 7,
          deadLettered: 7,
          lastRecordTime: '2026-12-04T22:07:00Z',
        },
        // Older than the last interval.
        { bucketStartMs: previous - 5 * 60_000, records: 100, deadLettered: 100 },
      ],
      T,
    );
    expect(counters).toEqual({
      intervalMinutes: 5,
      records: 15,
      deadLettered: 1,
      lastRecordTime: '2026-12-04T22:07:00Z',
    });
    expect(sumCounters([], T)).toEqual({ intervalMinutes: 5, records: 0, deadLettered: 0 });
  });
});

describe('TableCounterStore (Azurite)', () => {
  const azurite = useAzurite();
  const table = (name: string) =>
    TableClient.fromConnectionString(azurite().connectionString, name, { allowInsecureConnection: true });

  it('keeps running totals per instance in distinct rows that concurrent instances never overwrite', async () => {
    const one = new TableCounterStore(table('CountersA'), 'one');
    const two = new TableCounterStore(table('CountersA'), 'two');
    const at = T - 5 * 60_000; // the interval before T's
    await Promise.all([
      one.add({ 'shop/web': { records: 3, deadLettered: 0, lastRecordTime: '2026-12-04T22:01:00Z' } }, at),
      one.add({ 'shop/web': { records: 2, deadLettered: 1 } }, at + 1000),
      two.add({ 'shop/web': { records: 4, deadLettered: 0, lastRecordTime: '2026-12-04T22:02:00Z' } }, at),
      two.add({ 'shop/other': { records: 9, deadLettered: 0 } }, at),
    ]);
    expect(await one.read('shop', 'web', T)).toEqual({
      intervalMinutes: 5,
      records: 9,
      deadLettered: 1,
      lastRecordTime: '2026-12-04T22:02:00Z',
    });
    // Two intervals later the counts have aged out.
    expect(await one.read('shop', 'web', T + 10 * 60_000)).toEqual({
      intervalMinutes: 5,
      records: 0,
      deadLettered: 0,
    });
    const rows: unknown[] = [];
    for await (const row of table('CountersA').listEntities()) rows.push(row);
    expect(rows).toHaveLength(3);
  });

  it('reports a table failure as a warning instead of throwing', async () => {
    const broken = new TableCounterStore(
      TableClient.fromConnectionString(
        'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=' +
          Buffer.from('x').toString('base64') +
          ';TableEndpoint=http://127.0.0.1:1/devstoreaccount1',
        'Nowhere',
        { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } },
      ),
    );
    await expect(broken.add({ 'a/b': { records: 1, deadLettered: 0 } }, T)).resolves.toMatch(
      /configuration counters not written/,
    );
  });
});
