/**
 * Sizes the services bill by. Log Analytics: the string representation of each stored column's
 * value (learn: "Azure Monitor Logs cost calculations", data size calculation; column names and
 * the standard `_`-columns are not counted). Azure Table: the documented entity size, 4 bytes +
 * 2 per key character + per property 8 bytes, 2 per name character and the value's size.
 */
import { TRACE_RECORD_COLUMNS, type ColumnType, type TraceRecord } from '../record/traceRecord';
import { partitionKeyOf, rowKeyOf } from '../sinks/azureTable/partitionKey';
import { TRACE_RECORD_SCHEMA_VERSION } from '../record/traceRecord';

/** Billed bytes of one Log Analytics row (any table): UTF-8 text of every value, JSON for objects. */
export function billedRowBytes(row: Readonly<Record<string, unknown>>): number {
  let total = 0;
  for (const key in row) {
    if (key.startsWith('_')) continue;
    const value = row[key];
    if (value === undefined || value === null) continue;
    total += Buffer.byteLength(typeof value === 'string' ? value : JSON.stringify(value));
  }
  return total;
}

const COLUMN_TYPES: ReadonlyMap<string, ColumnType> = new Map(TRACE_RECORD_COLUMNS);

function valueBytes(type: ColumnType, value: unknown): number {
  switch (type) {
    case 'string':
      return 4 + String(value).length * 2;
    case 'dynamic':
      return 4 + JSON.stringify(value).length * 2;
    case 'int':
      return 4;
    case 'long':
    case 'datetime':
      return 8;
    case 'bool':
      return 1;
  }
}

/** Stored bytes of the Azure Table entity of `record` (before truncation of 32K strings). */
export function tableEntityBytes(record: TraceRecord): number {
  const keys = partitionKeyOf(record).length + rowKeyOf(record).length;
  let size = 4 + keys * 2 + 8 + 'SchemaVersion'.length * 2 + 4 + TRACE_RECORD_SCHEMA_VERSION.length * 2;
  for (const column in record) {
    const type = COLUMN_TYPES.get(column);
    const value = (record as unknown as Record<string, unknown>)[column];
    if (type === undefined || value === undefined || value === null) continue;
    size += 8 + column.length * 2 + valueBytes(type, value);
  }
  return size;
}
