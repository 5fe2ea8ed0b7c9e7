/**
 * Trace record → Azure Table entity. Pure. Columns keep their types (int as Int32, long as Int64,
 * bool as Boolean, TimeGenerated as DateTime); dynamic columns are JSON strings; strings longer than
 * Table's 32K-character limit are truncated with a marker, never rejected. An entity still above
 * 1 MiB, or with too many properties, is an encode error (dead-lettered), never a silent drop.
 */
import {
  TRACE_RECORD_COLUMNS,
  TRACE_RECORD_SCHEMA_VERSION,
  type TraceRecord,
} from '../../record/traceRecord';
import type { EncodeResult } from '../sink';
import { truncateText } from '../truncate';
import { DEFAULT_PARTITION_SHARDS, partitionKeyOf, rowKeyOf } from './partitionKey';

/** Azure Table limits (learn: "Understanding the Table service data model"). */
export const TABLE_LIMITS = {
  /** UTF-16 code units per string property (64 KiB). */
  maxStringChars: 32 * 1024,
  /** Entity size, as the service counts it. */
  maxEntityBytes: 1024 * 1024,
  /** Custom properties (255 minus PartitionKey, RowKey, Timestamp). */
  maxProperties: 252,
  /** Entities per transaction. */
  maxTransactionEntities: 100,
  /** Bytes per transaction payload; the service limit is 4 MiB, we leave room for multipart framing. */
  maxTransactionBytes: 4_000_000,
} as const;

/** An entity as sent with @azure/data-tables (typed values where JS types are ambiguous). */
export interface TraceEntity {
  partitionKey: string;
  rowKey: string;
  [property: string]: unknown;
}

/** Per-operation framing of a batch request (changeset headers, URL), estimated generously. */
const BATCH_OVERHEAD_BYTES = 600;

/**
 * Encodes a record as an entity; `bytes` estimates its share of a transaction request body.
 * `shards`: partitions per configuration-hour (see partitionKey.ts).
 */
export function encodeEntity(
  record: TraceRecord,
  shards: number = DEFAULT_PARTITION_SHARDS,
): EncodeResult<TraceEntity> {
  const entity: TraceEntity = { partitionKey: partitionKeyOf(record, shards), rowKey: rowKeyOf(record) };
  let size = 4 + (entity.partitionKey.length + entity.rowKey.length) * 2;
  let properties = 0;
  const add = (name: string, value: unknown, valueBytes: number): void => {
    entity[name] = value;
    size += 8 + name.length * 2 + valueBytes;
    properties++;
  };
  add('SchemaVersion', TRACE_RECORD_SCHEMA_VERSION, 4 + TRACE_RECORD_SCHEMA_VERSION.length * 2);
  for (const [column, type] of TRACE_RECORD_COLUMNS) {
    const value = record[column];
    if (value === undefined || value === null) continue;
    switch (type) {
      case 'string': {
        const text = truncateText(
          typeof value === 'string' ? value : JSON.stringify(value),
          TABLE_LIMITS.maxStringChars,
        );
        add(column, text, 4 + text.length * 2);
        break;
      }
      case 'dynamic': {
        const text = truncateText(JSON.stringify(value), TABLE_LIMITS.maxStringChars);
        add(column, text, 4 + text.length * 2);
        break;
      }
      case 'int':
        if (typeof value === 'number' && Number.isFinite(value)) add(column, value, 4);
        break;
      case 'long':
        if (typeof value === 'number' && Number.isInteger(value))
          add(column, { value: String(value), type: 'Int64' }, 8);
        break;
      case 'bool':
        add(column, value === true, 1);
        break;
      case 'datetime': {
        const date = typeof value === 'string' ? new Date(value) : undefined;
        if (date !== undefined && !Number.isNaN(date.getTime())) add(column, date, 8);
        break;
      }
    }
  }
  if (properties > TABLE_LIMITS.maxProperties) {
    return {
      ok: false,
      code: 'ENTITY_TOO_MANY_PROPERTIES',
      reason: `entity has ${properties} properties; Azure Table allows ${TABLE_LIMITS.maxProperties}`,
    };
  }
  if (size > TABLE_LIMITS.maxEntityBytes) {
    return {
      ok: false,
      code: 'ENTITY_TOO_LARGE',
      reason: `entity is ${size} bytes after truncating strings; Azure Table allows ${TABLE_LIMITS.maxEntityBytes}`,
    };
  }
  // An upper bound without serialising the entity: JSON needs at most 3 bytes per UTF-16 byte
  // counted in `size` (a \u00XX escape is 6 bytes for one 2-byte code unit).
  const bytes = 3 * size + BATCH_OVERHEAD_BYTES;
  return { ok: true, value: { record, payload: entity, bytes, group: entity.partitionKey } };
}
