/**
 * The inverse of `encodeEntity`: an Azure Table entity read back (as @azure/data-tables returns it)
 * to a v1 trace record, for `tracectl query`. Pure; unknown properties are ignored.
 */
import { TRACE_RECORD_COLUMNS, type TraceRecord } from '../../record/traceRecord';

/** Decodes an entity; `undefined` when it has no RecordId/TimestampNs (not a trace record). */
export function decodeEntity(entity: Readonly<Record<string, unknown>>): TraceRecord | undefined {
  const record: Record<string, unknown> = {};
  const text = (value: unknown): string =>
    typeof value === 'string' ? value : value instanceof Date ? value.toISOString() : JSON.stringify(value);
  for (const [column, type] of TRACE_RECORD_COLUMNS) {
    const value = entity[column];
    if (value === undefined || value === null) continue;
    switch (type) {
      case 'string':
        record[column] = text(value);
        break;
      case 'dynamic':
        try {
          record[column] = JSON.parse(text(value)) as unknown;
        } catch {
          record[column] = text(value);
        }
        break;
      case 'int':
      case 'long': {
        const raw = typeof value === 'object' && value !== null && 'value' in value ? value.value : value;
        const number = Number(raw);
        if (Number.isFinite(number)) record[column] = number;
        break;
      }
      case 'bool':
        record[column] = value === true || value === 'true';
        break;
      case 'datetime':
        record[column] = text(value);
        break;
    }
  }
  if (typeof record.RecordId !== 'string' || typeof record.TimestampNs !== 'string') return undefined;
  // Table keeps DateTime to 100 ns but the SDK returns ms; TimestampNs has the exact time.
  const ns = BigInt(record.TimestampNs);
  const seconds = ns / 1_000_000_000n;
  const fraction = (ns % 1_000_000_000n).toString().padStart(9, '0').slice(0, 6);
  record.TimeGenerated = `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${fraction}Z`;
  return record as unknown as TraceRecord;
}
