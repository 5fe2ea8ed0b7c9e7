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
import type { SerializedEntity } from './transactionBody';

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

/** The refusal of an entity with `properties` properties of `size` bytes, as the service counts them; undefined when it fits. */
function entityLimitsBroken(
  properties: number,
  size: number,
): Extract<EncodeResult<never>, { ok: false }> | undefined {
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
  return undefined;
}

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
  const refused = entityLimitsBroken(properties, size);
  if (refused !== undefined) return refused;
  // An upper bound without serialising the entity: JSON needs at most 3 bytes per UTF-16 byte
  // counted in `size` (a \u00XX escape is 6 bytes for one 2-byte code unit).
  const bytes = 3 * size + BATCH_OVERHEAD_BYTES;
  return { ok: true, value: { record, payload: entity as TraceEntity, bytes, group: partitionKey } };
}

/** How one column is written by {@link entityJson}: its type and JSON name prefixes. */
interface ColumnPlan {
  type: ColumnType;
  /** `,"Name":` */
  prefix: string;
  /** `,"Name@odata.type":"Edm.Int64","Name":` (long) or `…"Edm.DateTime"…` (datetime). */
  annotatedPrefix: string;
}

const COLUMN_PLANS: ReadonlyMap<string, ColumnPlan> = new Map(
  TRACE_RECORD_COLUMNS.map(([column, type]) => [
    column,
    {
      type,
      prefix: `,${JSON.stringify(column)}:`,
      annotatedPrefix: `,${JSON.stringify(`${column}@odata.type`)}:"Edm.${type === 'long' ? 'Int64' : 'DateTime'}",${JSON.stringify(column)}:`,
    },
  ]),
);
const SCHEMA_VERSION_JSON = `,"SchemaVersion":${JSON.stringify(TRACE_RECORD_SCHEMA_VERSION)}}`;

/** The text a string or dynamic column is stored as (before truncation). */
function columnText(value: unknown, type: ColumnType): string {
  return typeof value === 'string' && type === 'string' ? value : JSON.stringify(value);
}

/**
 * What the Table sink encodes with: {@link encodeEntity}'s keys, checks and size, without building
 * the entity. Its JSON is written when the transaction is sent ({@link entityJson}), from the record
 * the encoded item carries: an entity object (or its JSON) kept while a transaction fills was
 * about half the CPU and garbage of Table delivery in the ingest ceiling.
 */
export function encodeEntityOperation(
  record: TraceRecord,
  layout: PartitionLayout | number = DEFAULT_PARTITION_LAYOUT,
): EncodeResult<SerializedEntity> {
  const partitionKey = partitionKeyOf(record, layout);
  const rowKey = rowKeyOf(record);
  const source = record as unknown as Record<string, unknown>;
  let size = 4 + (partitionKey.length + rowKey.length) * 2 + SCHEMA_VERSION_BYTES;
  let properties = 1;
  for (const column in source) {
    const plan = COLUMN_PLANS.get(column);
    const value = source[column];
    if (plan === undefined || value === undefined || value === null || column === 'SchemaVersion') continue;
    let valueBytes: number;
    switch (plan.type) {
      case 'string':
      case 'dynamic': {
        const text = columnText(value, plan.type);
        const length =
          text.length <= TABLE_LIMITS.maxStringChars
            ? text.length
            : truncateText(text, TABLE_LIMITS.maxStringChars).length;
        valueBytes = 4 + length * 2;
        break;
      }
      case 'int':
        if (typeof value !== 'number' || !Number.isFinite(value)) continue;
        valueBytes = 4;
        break;
      case 'long':
        if (typeof value !== 'number' || !Number.isInteger(value)) continue;
        valueBytes = 8;
        break;
      case 'bool':
        valueBytes = 1;
        break;
      case 'datetime':
        if (typeof value !== 'string' || Number.isNaN(new Date(value).getTime())) continue;
        valueBytes = 8;
        break;
    }
    size += 8 + column.length * 2 + valueBytes;
    properties++;
  }
  const refused = entityLimitsBroken(properties, size);
  if (refused !== undefined) return refused;
  return {
    ok: true,
    value: {
      record,
      payload: { partitionKey, rowKey },
      bytes: 3 * size + BATCH_OVERHEAD_BYTES,
      group: partitionKey,
    },
  };
}

/**
 * The JSON body of `record`'s operation: the same text as `serializeEntity` (transactionBody.ts)
 * writes for {@link encodeEntity}'s entity, in one pass over the record. Pure.
 */
export function entityJson(record: TraceRecord, partitionKey: string, rowKey: string): string {
  let json = `{"PartitionKey":${JSON.stringify(partitionKey)},"RowKey":${JSON.stringify(rowKey)}`;
  const source = record as unknown as Record<string, unknown>;
  for (const column in source) {
    const plan = COLUMN_PLANS.get(column);
    const value = source[column];
    if (plan === undefined || value === undefined || value === null || column === 'SchemaVersion') continue;
    switch (plan.type) {
      case 'string':
      case 'dynamic':
        json +=
          plan.prefix +
          JSON.stringify(truncateText(columnText(value, plan.type), TABLE_LIMITS.maxStringChars));
        break;
      case 'int':
        if (typeof value === 'number' && Number.isFinite(value)) json += plan.prefix + String(value);
        break;
      case 'long':
        if (typeof value === 'number' && Number.isInteger(value))
          json += `${plan.annotatedPrefix}"${String(value)}"`;
        break;
      case 'bool':
        json += plan.prefix + (value === true ? 'true' : 'false');
        break;
      case 'datetime': {
        const date = typeof value === 'string' ? new Date(value) : undefined;
        if (date !== undefined && !Number.isNaN(date.getTime()))
          json += `${plan.annotatedPrefix}"${date.toISOString()}"`;
        break;
      }
    }
  }
  return json + SCHEMA_VERSION_JSON;
}
