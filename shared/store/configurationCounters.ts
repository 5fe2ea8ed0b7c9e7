/**
 * Per-configuration counters the backend knows (records, dead-lettered records, last record time),
 * kept in a sibling table of the configuration store: one row per configuration, time bucket and
 * process. Each process Merge-upserts only its own rows with its own running totals, so concurrent
 * instances never overwrite each other and nobody reads before writing. Best effort throughout.
 */
import { odata, type TableClient } from '@azure/data-tables';
import { randomUUID } from 'node:crypto';

/** Length of one counter bucket (and of the interval the API reports). */
export const COUNTER_INTERVAL_MINUTES = 5;

/** Longest one invocation's counter writes may take before they are given up (a warning). */
const WRITE_TIMEOUT_MS = 5_000;

/** What one invocation (or one bucket) counted for one configuration. */
export interface ConfigurationCount {
  records: number;
  deadLettered: number;
  /** Newest `TimeGenerated` of the records (ISO); absent when there were none. */
  lastRecordTime?: string;
}

/** Counters shown on a configuration's status (`status.counters`). */
export interface ConfigurationCounters {
  intervalMinutes: number;
  /** Records of the last complete interval. */
  records: number;
  /** Records dead-lettered in the last complete interval. */
  deadLettered: number;
  /** Newest record time seen in the last two intervals; absent when none. */
  lastRecordTime?: string;
}

/** Start (epoch ms) of the bucket holding `ms`. */
export function bucketStart(ms: number, intervalMinutes = COUNTER_INTERVAL_MINUTES): number {
  const size = intervalMinutes * 60_000;
  return Math.floor(ms / size) * size;
}

/** Sortable bucket name: `yyyyMMddHHmm` (UTC) of the bucket's start. */
export function bucketKey(startMs: number): string {
  return new Date(startMs).toISOString().slice(0, 16).replace(/[-T:]/g, '');
}

function laterTime(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

/** Adds `more` into `into` (per configuration key). */
export function addCounts(
  into: Record<string, ConfigurationCount>,
  more: Readonly<Record<string, ConfigurationCount>>,
): Record<string, ConfigurationCount> {
  for (const [key, count] of Object.entries(more)) {
    const total = (into[key] ??= { records: 0, deadLettered: 0 });
    total.records += count.records;
    total.deadLettered += count.deadLettered;
    const last = laterTime(total.lastRecordTime, count.lastRecordTime);
    if (last !== undefined) total.lastRecordTime = last;
  }
  return into;
}

/** A stored counter row: its bucket's start and what it counted. */
export interface CounterRow extends ConfigurationCount {
  bucketStartMs: number;
}

/**
 * Sums rows (of any number of processes) into the counters of the last complete interval before
 * `nowMs`; `lastRecordTime` is the newest of every row given.
 */
export function sumCounters(
  rows: readonly CounterRow[],
  nowMs: number,
  intervalMinutes = COUNTER_INTERVAL_MINUTES,
): ConfigurationCounters {
  const previous = bucketStart(nowMs, intervalMinutes) - intervalMinutes * 60_000;
  const result: ConfigurationCounters = { intervalMinutes, records: 0, deadLettered: 0 };
  for (const row of rows) {
    if (row.bucketStartMs === previous) {
      result.records += row.records;
      result.deadLettered += row.deadLettered;
    }
    const last = laterTime(result.lastRecordTime, row.lastRecordTime);
    if (last !== undefined) result.lastRecordTime = last;
  }
  return result;
}

/** PartitionKey of a configuration's counter rows (namespace and name are DNS labels: no `~`). */
export function counterPartition(configurationKey: string): string {
  return configurationKey.replace('/', '~');
}

/** Reads and writes counter rows. */
export interface CounterStore {
  /** Adds an invocation's counts (keyed `namespace/name`); never throws. Resolves to a warning on failure. */
  add(counts: Readonly<Record<string, ConfigurationCount>>, nowMs?: number): Promise<string | undefined>;
  /** The counters of one configuration at `nowMs`. */
  read(namespace: string, name: string, nowMs?: number): Promise<ConfigurationCounters>;
}

/** {@link CounterStore} on an Azure table (a sibling of the configuration table). */
export class TableCounterStore implements CounterStore {
  private tableReady: Promise<unknown> | undefined;
  /** This process's running totals per `configuration\nbucket`. */
  private readonly totals = new Map<string, ConfigurationCount>();
  private writing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly client: TableClient,
    /** Unique per process, so that processes write distinct rows. */
    private readonly instance: string = randomUUID(),
    private readonly intervalMinutes = COUNTER_INTERVAL_MINUTES,
  ) {}

  private async ensureTable(abortSignal?: AbortSignal): Promise<void> {
    this.tableReady ??= this.client.createTable({ abortSignal }).catch((caught: unknown) => {
      this.tableReady = undefined;
      throw caught;
    });
    await this.tableReady;
  }

  add(counts: Readonly<Record<string, ConfigurationCount>>, nowMs = Date.now()): Promise<string | undefined> {
    const bucket = bucketStart(nowMs, this.intervalMinutes);
    const touched: string[] = [];
    for (const [key, count] of Object.entries(counts)) {
      if (count.records === 0 && count.deadLettered === 0) continue;
      const totalKey = `${key}\n${bucket}`;
      const merged = addCounts(
        { [totalKey]: this.totals.get(totalKey) ?? { records: 0, deadLettered: 0 } },
        {
          [totalKey]: count,
        },
      );
      this.totals.set(totalKey, merged[totalKey]!);
      touched.push(totalKey);
    }
    // Forget totals of buckets this process will never write again.
    for (const totalKey of this.totals.keys())
      if (Number(totalKey.split('\n')[1]) < bucket) this.totals.delete(totalKey);
    // Writes run one after another, so a row's running total never goes back in time.
    const run = this.writing.then(async () => {
      // Bounded: a hanging table must not hold the invocation (or the next ones) up.
      const abortSignal = AbortSignal.timeout(WRITE_TIMEOUT_MS);
      try {
        await this.ensureTable(abortSignal);
        for (const totalKey of touched) {
          const [key, start] = totalKey.split('\n') as [string, string];
          const total = this.totals.get(totalKey);
          if (total === undefined) continue;
          await this.client.upsertEntity(
            {
              partitionKey: counterPartition(key),
              rowKey: `${bucketKey(Number(start))}~${this.instance}`,
              bucketStartMs: Number(start),
              records: total.records,
              deadLettered: total.deadLettered,
              ...(total.lastRecordTime !== undefined ? { lastRecordTime: total.lastRecordTime } : {}),
            },
            'Merge',
            { abortSignal },
          );
        }
        return undefined;
      } catch (caught) {
        return `configuration counters not written: ${caught instanceof Error ? caught.message : String(caught)}`;
      }
    });
    this.writing = run;
    return run;
  }

  async read(namespace: string, name: string, nowMs = Date.now()): Promise<ConfigurationCounters> {
    await this.ensureTable();
    const current = bucketStart(nowMs, this.intervalMinutes);
    const from = bucketKey(current - this.intervalMinutes * 60_000);
    const rows: CounterRow[] = [];
    for await (const entity of this.client.listEntities<Record<string, unknown>>({
      queryOptions: {
        filter: odata`PartitionKey eq ${counterPartition(`${namespace}/${name}`)} and RowKey ge ${from}`,
      },
    })) {
      rows.push({
        bucketStartMs: Number(entity.bucketStartMs),
        records: Number(entity.records ?? 0),
        deadLettered: Number(entity.deadLettered ?? 0),
        ...(typeof entity.lastRecordTime === 'string' ? { lastRecordTime: entity.lastRecordTime } : {}),
      });
    }
    return sumCounters(rows, nowMs, this.intervalMinutes);
  }
}
