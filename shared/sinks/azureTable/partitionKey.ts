/**
 * Azure Table key design. PartitionKey = `<cluster>|<namespace>.<name>|<yyyyMMddHH>|<shard>`,
 * RowKey = RecordId.
 *
 * - Queries are "records of configuration X in cluster C between t1 and t2": the key prefix makes
 *   that one PartitionKey range scan (`PartitionKey ge 'C|ns.name|2026112509' and PartitionKey lt
 *   'C|ns.name|2026112512'`), covering every shard of every hour in the range.
 * - The hour bucket bounds a partition's size; the shard spreads one busy configuration-hour over
 *   several partitions, because one partition serves at most 2,000 entities/s.
 * - The shard follows the **node** that captured the record (FNV-1a of NodeName mod
 *   `partitionShards`): an agent publishes a node's records together (one Event Hubs event), so an
 *   event's records of one configuration share a PartitionKey and fill 100-entity transactions,
 *   while the configuration's nodes still spread over `partitionShards` partitions. A node too busy
 *   for one partition (over ~1,500 records/s for one configuration) is spread over `shardsPerNode`
 *   consecutive shards by RecordId. (Until this layout, the shard was FNV-1a of RecordId mod 4,
 *   which cut every event into at least 4 small transactions per configuration.)
 * - The key is a pure function of the record and the layout, and RowKey = RecordId, so writes are
 *   idempotent: a redelivered or replayed batch upserts the same entities instead of duplicating
 *   them — as long as the layout settings are unchanged (a record redelivered after a change of
 *   `partitionShards` lands in its new partition too).
 * Characters Table forbids in keys (`/ \ # ?` and control characters) are replaced by `_`.
 */
import type { TraceRecord } from '../../record/traceRecord';

/** Default shard count per configuration-hour. */
export const DEFAULT_PARTITION_SHARDS = 4;
/** Most shards per configuration-hour (and per node). */
export const MAX_PARTITION_SHARDS = 100;

/** How one configuration-hour is split into partitions. */
export interface PartitionLayout {
  /** Partitions per configuration-hour; nodes are hashed over them. Default 4. */
  shards: number;
  /** Partitions one node's records spread over (by RecordId), at most `shards`. Default 1. */
  shardsPerNode: number;
}

/** The layout of `shards` partitions, one per node. */
export const DEFAULT_PARTITION_LAYOUT: PartitionLayout = {
  shards: DEFAULT_PARTITION_SHARDS,
  shardsPerNode: 1,
};

// Control characters are exactly what Table forbids, so the regex must name them.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[/\\#?\u0000-\u001f\u007f-\u009f]/g;

/** Replaces characters Azure Table forbids in PartitionKey/RowKey. */
export function sanitizeKey(text: string): string {
  return text.replace(FORBIDDEN, '_');
}

/** 32-bit FNV-1a of a string (shard choice only; not security relevant). */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

const HOUR_PREFIX = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})/;
let lastHourPrefix = '';
let lastHourBucket = '0000000000';

/** `yyyyMMddHH` (UTC) of an ISO timestamp; `0000000000` when unparsable. */
export function hourBucket(timeGenerated: string): string {
  // Records arrive in time order, so consecutive calls share the hour: remember the last one.
  if (timeGenerated.length >= 13 && timeGenerated.startsWith(lastHourPrefix) && lastHourPrefix !== '')
    return lastHourBucket;
  const match = HOUR_PREFIX.exec(timeGenerated);
  if (match === null) return '0000000000';
  lastHourPrefix = match[0];
  lastHourBucket = `${match[1]}${match[2]}${match[3]}${match[4]}`;
  return lastHourBucket;
}

/** Prefixes by cluster, then configuration (two lookups, no key string built per record). */
const prefixes = new Map<string | undefined, Map<string | undefined, string>>();
const MAX_CACHED_PREFIXES = 4096;
let cachedPrefixes = 0;

/** The PartitionKey prefix of one configuration (for range queries): `<cluster>|<namespace>.<name>|`. */
export function configurationPrefix(cluster: string | undefined, configuration: string | undefined): string {
  let byConfiguration = prefixes.get(cluster);
  let prefix = byConfiguration?.get(configuration);
  if (prefix === undefined) {
    const config = (configuration ?? '_').replace('/', '.');
    prefix = sanitizeKey(`${cluster ?? '_'}|${config}|`);
    if (cachedPrefixes >= MAX_CACHED_PREFIXES) {
      prefixes.clear();
      cachedPrefixes = 0;
      byConfiguration = undefined;
    }
    if (byConfiguration === undefined)
      prefixes.set(cluster, (byConfiguration = new Map<string | undefined, string>()));
    byConfiguration.set(configuration, prefix);
    cachedPrefixes += 1;
  }
  return prefix;
}

/** `00`, `01`, … for the usual shard counts. */
const SHARD_TEXT = Array.from({ length: 100 }, (_, shard) => shard.toString().padStart(2, '0'));

/** Node hashes, remembered (a few hundred nodes at most per instance). */
const nodeHashes = new Map<string, number>();

function nodeHash(node: string | undefined): number {
  const name = node ?? '';
  let hash = nodeHashes.get(name);
  if (hash === undefined) {
    hash = fnv1a(name);
    if (nodeHashes.size >= MAX_CACHED_PREFIXES) nodeHashes.clear();
    nodeHashes.set(name, hash);
  }
  return hash;
}

/** The shard of a record under `layout`: its node's shard, plus a RecordId offset for busy nodes. */
export function shardOf(record: TraceRecord, layout: PartitionLayout): number {
  const shards = Math.max(1, Math.floor(layout.shards));
  if (shards === 1) return 0;
  const perNode = Math.min(shards, Math.max(1, Math.floor(layout.shardsPerNode)));
  const offset = perNode === 1 ? 0 : fnv1a(record.RecordId) % perNode;
  return (nodeHash(record.NodeName) + offset) % shards;
}

/**
 * PartitionKey of a record. `layout` may be a shard count (one shard per node). Every layout gives
 * keys of the same form, so readers never need to know it.
 */
export function partitionKeyOf(
  record: TraceRecord,
  layout: PartitionLayout | number = DEFAULT_PARTITION_LAYOUT,
): string {
  const shard = shardOf(record, typeof layout === 'number' ? { shards: layout, shardsPerNode: 1 } : layout);
  const prefix = configurationPrefix(record.ClusterName, record.TraceConfiguration);
  return `${prefix}${hourBucket(record.TimeGenerated)}|${SHARD_TEXT[shard] ?? shard.toString()}`;
}

/** RowKey of a record. */
export function rowKeyOf(record: TraceRecord): string {
  return sanitizeKey(record.RecordId);
}
