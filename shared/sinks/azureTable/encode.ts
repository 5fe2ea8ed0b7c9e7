/**
 * Trace record → Azure Table entity. Pure. Columns keep their types (int as Int32, long as Int64,
 * bool as Boolean, TimeGenerated as DateTime); dynamic columns are JSON strings; strings longer than
 * Table's 32K-character limit are truncated with a marker, never rejected. An entity still above
 * 1 MiB, or with too many properties, is an encode error (dead-lettered), never a silent drop.
 */
import {
  TRACE_RECORD_COLUMNS,
  TRACE_RECORD_SCHEMA_VERSION,
  type ColumnType,
  type TraceRecord,
} from '../../record/traceRecord';
import type { EncodeResult } from '../sink';
import { truncateText } from '../truncate';
import { DEFAULT_PARTITION_LAYOUT, partitionKeyOf, rowKeyOf, type PartitionLayout } from './partitionKey';

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

/**
 * An entity, typed as @azure/data-tables types entities (`{ value, type: 'Int64' }`, `Date`) and
 * serialized for transactions by transactionBody.ts.
 */
export interface TraceEntity {
  partitionKey: string;
  rowKey: string;
  [property: string]: unknown;
}

/** Per-operation framing of a batch request (changeset headers, URL), estimated generously. */
const BATCH_OVERHEAD_BYTES = 600;

const COLUMN_TYPES: ReadonlyMap<string, ColumnType> = new Map(TRACE_RECORD_COLUMNS);
const SCHEMA_VERSION_BYTES = 8 + 'SchemaVersion'.length * 2 + 4 + TRACE_RECORD_SCHEMA_VERSION.length * 2;

/**
 * Encodes a record as an entity; `bytes` estimates its share of a transaction request body.
 * `layout`: how a configuration-hour is split into partitions (see partitionKey.ts; a number is a
 * shard count). Undeclared record fields
 * (`CaptureFrame`) are not stored.
 */
export function encodeEntity(
  record: TraceRecord,
  layout: PartitionLayout | number = DEFAULT_PARTITION_LAYOUT,
): EncodeResult<TraceEntity> {
  const partitionKey = partitionKeyOf(record, layout);
  const rowKey = rowKeyOf(record);
  // A fresh object filled in the record's key order: records share that order, so entities share
  // their hidden classes. (Cloning the record and patching it in place made V8 give every clone its
  // own dictionary, which cost several times more CPU and garbage.)
  const entity: Record<string, unknown> = { partitionKey, rowKey };
  const source = record as unknown as Record<string, unknown>;
  // Sizes as the service counts them: 8 bytes per property plus 2 per name character, and values
  // at 2 bytes per string character.
  let size = 4 + (partitionKey.length + rowKey.length) * 2 + SCHEMA_VERSION_BYTES;
  let properties = 1;
  for (const column in source) {
    const type = COLUMN_TYPES.get(column);
    const value = source[column];
    if (type === undefined || value === undefined || value === null || column === 'SchemaVersion') continue;
    let valueBytes: number;
    switch (type) {
      case 'string':
      case 'dynamic': {
        const text = truncateText(
          typeof value === 'string' && type === 'string' ? value : JSON.stringify(value),
          TABLE_LIMITS.maxStringChars,
        );
        entity[column] = text;
        valueBytes = 4 + text.length * 2;
        break;
      }
      case 'int':
        if (typeof value !== 'number' || !Number.isFinite(value)) continue;
        entity[column] = value;
        valueBytes = 4;
        break;
      case 'long':
        if (typeof value !== 'number' || !Number.isInteger(value)) continue;
        entity[column] = { value: String(value), type: 'Int64' };
        valueBytes = 8;
        break;
      case 'bool':
        entity[column] = value === true;
        valueBytes = 1;
        break;
      case 'datetime': {
        const date = typeof value === 'string' ? new Date(value) : undefined;
        if (date === undefined || Number.isNaN(date.getTime())) continue;
        entity[column] = date;
        valueBytes = 8;
        break;
      }
    }
    size += 8 + column.length * 2 + valueBytes;
    properties++;
  }
  entity.SchemaVersion = TRACE_RECORD_SCHEMA_VERSION;
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
  return { ok: true, value: { record, payload: entity as TraceEntity, bytes, group: partitionKey } };
}
