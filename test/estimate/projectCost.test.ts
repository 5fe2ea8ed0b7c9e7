import { BYTES_PER_GB, packetsPerDay, projectCost } from '../../shared/estimate/projectCost';
import { LOG_ANALYTICS_PRICES, TABLE_STORAGE_PRICES } from '../../shared/estimate/prices';
import { billedRowBytes, tableEntityBytes } from '../../shared/estimate/billedBytes';
import { makeRecord } from '../support/traceRecords';

describe('packetsPerDay', () => {
  it.each([
    ['1,000 packets/s', 10, { packetsPerSecond: 1000 }, 86_400_000],
    ['0.5 packets/s', 10, { packetsPerSecond: 0.5 }, 43_200],
    ['a 10 s sample of 500 packets', 500, { durationSeconds: 10 }, 4_320_000],
    ['a one-day sample', 86_400, { durationSeconds: 86_400 }, 86_400],
    ['a sample spanning no time', 5, { durationSeconds: 0 }, 0],
    ['an empty sample', 0, { durationSeconds: 10 }, 0],
  ])('%s', (_name, packets, rate, expected) => {
    expect(packetsPerDay(packets, rate)).toBeCloseTo(expected, 6);
  });
});

describe('projectCost', () => {
  it('scales records per packet and bytes per record to a day and prices every plan of RetinaTraces_CL', () => {
    // 1,000 packets gave 250 records of 400 billed bytes each (100,000 bytes).
    const p = projectCost({ packets: 1000, records: 250, bytes: 100_000 }, 86_400_000, {
      kind: 'loganalytics',
      table: 'RetinaTraces_CL',
    });
    expect(p.recordsPerPacket).toBe(0.25);
    expect(p.bytesPerRecord).toBe(400);
    expect(p.recordsPerDay).toBe(21_600_000);
    expect(p.gbPerDay).toBeCloseTo(8.64, 10); // 21.6M × 400 B = 8.64e9 B
    expect(p.logCostPerDay?.Analytics).toBeCloseTo(8.64 * LOG_ANALYTICS_PRICES.Analytics.usd, 10);
    expect(p.logCostPerDay?.Basic).toBeCloseTo(8.64 * LOG_ANALYTICS_PRICES.Basic.usd, 10);
    expect(p.logCostPerDay?.Auxiliary).toBeCloseTo(8.64 * LOG_ANALYTICS_PRICES.Auxiliary.usd, 10);
    expect(p.tableStorageCostPerMonthPerDay).toBeUndefined();
  });

  it('prices only the plans a table supports (ASimDnsActivityLogs: Analytics only)', () => {
    const p = projectCost({ packets: 10, records: 10, bytes: 3000 }, 1e6, {
      kind: 'loganalytics',
      table: 'ASimDnsActivityLogs',
    });
    expect(Object.keys(p.logCostPerDay ?? {})).toEqual(['Analytics']);
    expect(p.gbPerDay).toBeCloseTo((1e6 * 300) / BYTES_PER_GB, 12);
  });

  it('Azure Table: a day of entities stored for a month, and one transaction per entity', () => {
    const p = projectCost({ packets: 100, records: 50, bytes: 50 * 1000 }, 20_000_000, {
      kind: 'azuretable',
    });
    expect(p.recordsPerDay).toBe(10_000_000);
    expect(p.gbPerDay).toBeCloseTo(10, 10);
    expect(p.tableStorageCostPerMonthPerDay).toBeCloseTo(10 * TABLE_STORAGE_PRICES.storage.usd, 10);
    expect(p.tableTransactionCostPerDay).toBeCloseTo(1000 * TABLE_STORAGE_PRICES.transactions.usd, 10);
    expect(p.logCostPerDay).toBeUndefined();
  });

  it.each([
    ['no packets', { packets: 0, records: 0, bytes: 0 }],
    ['no records', { packets: 100, records: 0, bytes: 0 }],
  ])('%s: zeros, never NaN', (_name, sample) => {
    const p = projectCost(sample, 1e9, { kind: 'loganalytics', table: 'RetinaTraces_CL' });
    expect([
      p.recordsPerPacket,
      p.bytesPerRecord,
      p.recordsPerDay,
      p.gbPerDay,
      p.logCostPerDay?.Analytics,
    ]).toEqual([0, 0, 0, 0, 0]);
  });

  it('unknown targets cost nothing but still project volume (stdout, OTLP)', () => {
    const p = projectCost({ packets: 2, records: 1, bytes: 800 }, 2e6, { kind: 'other' });
    expect(p.gbPerDay).toBeCloseTo(0.8, 10);
    expect([p.logCostPerDay, p.tableStorageCostPerMonthPerDay]).toEqual([undefined, undefined]);
  });
});

describe('billed sizes', () => {
  it.each([
    ['an empty row', {}, 0],
    ['text and numbers as text', { A: 'abc', B: 12345, C: true }, 3 + 5 + 4],
    ['objects as JSON', { D: { k: 'v' } }, 9],
    ['UTF-8 bytes, not characters', { E: 'é' }, 2],
    ['standard _ columns and nulls excluded', { _BilledSize: 10, F: null, G: undefined, H: 'x' }, 1],
  ])('billedRowBytes of %s', (_name, row, bytes) => {
    expect(billedRowBytes(row)).toBe(bytes);
  });

  it('tableEntityBytes follows the documented entity size formula', () => {
    const minimal = { TimeGenerated: '2026-01-01T00:00:00Z', TimestampNs: '1', RecordId: 'r' };
    const base = tableEntityBytes(minimal);
    // Adding an int column adds 8 + 2 per name character + 4.
    expect(tableEntityBytes({ ...minimal, SourcePort: 80 })).toBe(base + 8 + 2 * 'SourcePort'.length + 4);
    // A string adds 8 + 2 per name character + 4 + 2 per value character.
    expect(tableEntityBytes({ ...minimal, NodeName: 'n1' })).toBe(base + 8 + 2 * 'NodeName'.length + 4 + 4);
    expect(tableEntityBytes(makeRecord(1))).toBeGreaterThan(base);
  });
});
