/**
 * The arithmetic of `tracectl estimate`. Pure: sample counts in, daily projections out. A sample
 * is what the pipeline produced for one configuration, capture level and destination over a
 * capture; the projection scales it to a day of traffic at a given packet rate.
 */
import { LOG_ANALYTICS_PRICES, PLANS_BY_TABLE, TABLE_STORAGE_PRICES, type LogPlan } from './prices';

/** Bytes in a GB as Azure bills (10^9). */
export const BYTES_PER_GB = 1e9;
/** Seconds in a day. */
export const SECONDS_PER_DAY = 86_400;

/** What one configuration produced for one destination at one capture level, over the sample. */
export interface EstimateSample {
  /** Packets in the sample capture (the denominator of records per packet). */
  packets: number;
  /** Records written. */
  records: number;
  /** Sum of billed (Log Analytics) or stored (Azure Table) bytes over those records. */
  bytes: number;
}

/** Where the records go, for pricing. */
export type EstimateTarget =
  { kind: 'loganalytics'; table: string } | { kind: 'azuretable' } | { kind: 'other' };

/** A projection to one day of traffic. */
export interface CostProjection {
  recordsPerPacket: number;
  /** Billed or stored bytes per record (0 without records). */
  bytesPerRecord: number;
  recordsPerDay: number;
  gbPerDay: number;
  /** Log Analytics: cost per day by plan; undefined where the table does not support the plan. */
  logCostPerDay?: Partial<Record<LogPlan, number>>;
  /** Azure Table: storage cost of one day's records per month kept, and transactions per day. */
  tableStorageCostPerMonthPerDay?: number;
  tableTransactionCostPerDay?: number;
}

/**
 * Packets per day from the options: `--packets-per-second N`, or the sample spanning
 * `durationSeconds` of traffic (`--duration`, default the capture's own span).
 */
export function packetsPerDay(
  samplePackets: number,
  rate: { packetsPerSecond: number } | { durationSeconds: number },
): number {
  if ('packetsPerSecond' in rate) return rate.packetsPerSecond * SECONDS_PER_DAY;
  if (!(rate.durationSeconds > 0)) return 0;
  return (samplePackets / rate.durationSeconds) * SECONDS_PER_DAY;
}

/** Projects `sample` to `dailyPackets` packets a day and prices it for `target`. */
export function projectCost(
  sample: EstimateSample,
  dailyPackets: number,
  target: EstimateTarget,
): CostProjection {
  const recordsPerPacket = sample.packets > 0 ? sample.records / sample.packets : 0;
  const bytesPerRecord = sample.records > 0 ? sample.bytes / sample.records : 0;
  const recordsPerDay = recordsPerPacket * dailyPackets;
  const gbPerDay = (recordsPerDay * bytesPerRecord) / BYTES_PER_GB;
  const projection: CostProjection = { recordsPerPacket, bytesPerRecord, recordsPerDay, gbPerDay };
  if (target.kind === 'loganalytics') {
    const plans = PLANS_BY_TABLE[target.table] ?? ['Analytics'];
    projection.logCostPerDay = Object.fromEntries(
      plans.map((plan) => [plan, gbPerDay * LOG_ANALYTICS_PRICES[plan].usd]),
    );
  } else if (target.kind === 'azuretable') {
    projection.tableStorageCostPerMonthPerDay = gbPerDay * TABLE_STORAGE_PRICES.storage.usd;
    projection.tableTransactionCostPerDay = (recordsPerDay / 10_000) * TABLE_STORAGE_PRICES.transactions.usd;
  }
  return projection;
}
