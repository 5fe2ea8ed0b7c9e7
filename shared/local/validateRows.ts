/**
 * Validates a Logs Ingestion request body against a stream declaration, as the service does:
 * a JSON array of objects whose properties are declared columns with values of the column's type.
 */
import type { ColumnType } from '../record/traceRecord';

/** A stream declaration: column name → type. */
export type StreamColumns = ReadonlyArray<readonly [string, ColumnType]>;

/** Result of validating a body. */
export type RowsResult = { ok: true; rows: Array<Record<string, unknown>> } | { ok: false; message: string };

function matches(type: ColumnType, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'int':
      return (
        typeof value === 'number' && Number.isInteger(value) && value >= -2147483648 && value <= 2147483647
      );
    case 'long':
      return (
        (typeof value === 'number' && Number.isInteger(value)) ||
        (typeof value === 'string' && /^-?\d{1,19}$/.test(value))
      );
    case 'bool':
      return typeof value === 'boolean';
    case 'datetime':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value));
    case 'dynamic':
      return true;
  }
}

/** Parses and checks `text`; the message names the row index and column of the first problem. */
export function validateRows(text: string, columns: StreamColumns): RowsResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, message: 'body is not valid JSON' };
  }
  if (!Array.isArray(parsed)) return { ok: false, message: 'body must be a JSON array of objects' };
  const types = new Map<string, ColumnType>(columns.map(([name, type]) => [name, type]));
  const rows = parsed as unknown[];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (typeof row !== 'object' || row === null || Array.isArray(row))
      return { ok: false, message: `[${i}]: must be an object` };
    for (const [name, value] of Object.entries(row)) {
      const type = types.get(name);
      if (type === undefined)
        return { ok: false, message: `[${i}].${name}: column is not declared in the stream` };
      if (value !== null && !matches(type, value))
        return {
          ok: false,
          message: `[${i}].${name}: expected ${type}, got ${JSON.stringify(value)?.slice(0, 40)}`,
        };
    }
  }
  return { ok: true, rows: rows as Array<Record<string, unknown>> };
}
