/**
 * Derives the Log Analytics declarations of the trace record from `TRACE_RECORD_COLUMNS`, the
 * single source of truth: the Data Collection Rule stream columns and the `RetinaTraces_CL` table
 * columns. `infra/modules/traceColumns.json` is this module's output (written by
 * `tools/generateTraceColumns.ts`, loaded by Bicep with `loadJsonContent`).
 */
import { TRACE_RECORD_COLUMNS, type ColumnType } from '../shared/record/traceRecord';

/** Column types a DCR `streamDeclarations` entry accepts. */
export type DcrColumnType = 'string' | 'int' | 'long' | 'real' | 'boolean' | 'datetime' | 'dynamic';

/** Column types a Log Analytics table schema accepts (`Microsoft.OperationalInsights/workspaces/tables`). */
export type TableColumnType =
  'string' | 'int' | 'long' | 'real' | 'boolean' | 'dateTime' | 'dynamic' | 'guid';

/** One column declaration as Bicep expects it. */
export interface ColumnDeclaration<T extends string> {
  /** Column name, e.g. `SourceIp`. */
  name: string;
  /** Column type in the vocabulary of the target resource. */
  type: T;
}

/** The content of `infra/modules/traceColumns.json`. */
export interface TraceColumnsDocument {
  /** Why the file exists and how to regenerate it (JSON has no comments). */
  $comment: string;
  /** Columns of the DCR input stream `Custom-RetinaTraces_CL`. */
  streamColumns: ColumnDeclaration<DcrColumnType>[];
  /** Columns of the custom table `RetinaTraces_CL`. */
  tableColumns: ColumnDeclaration<TableColumnType>[];
}

const DCR_TYPES: Record<ColumnType, DcrColumnType> = {
  datetime: 'datetime',
  string: 'string',
  int: 'int',
  long: 'long',
  bool: 'boolean',
  dynamic: 'dynamic',
};

const TABLE_TYPES: Record<ColumnType, TableColumnType> = {
  datetime: 'dateTime',
  string: 'string',
  int: 'int',
  long: 'long',
  bool: 'boolean',
  dynamic: 'dynamic',
};

/** The DCR stream type of a record column type (`bool` → `boolean`). */
export function dcrColumnType(type: ColumnType): DcrColumnType {
  return DCR_TYPES[type];
}

/** The table column type of a record column type (`datetime` → `dateTime`, `bool` → `boolean`). */
export function tableColumnType(type: ColumnType): TableColumnType {
  return TABLE_TYPES[type];
}

/**
 * Builds the declarations for the given columns (default: the trace record's), in the record's
 * stable order.
 */
export function buildTraceColumns(
  columns: ReadonlyArray<readonly [string, ColumnType]> = TRACE_RECORD_COLUMNS,
): TraceColumnsDocument {
  return {
    $comment:
      'Generated from TRACE_RECORD_COLUMNS (shared/record/traceRecord.ts) by `npx tsx tools/generateTraceColumns.ts`. Do not edit.',
    streamColumns: columns.map(([name, type]) => ({ name, type: dcrColumnType(type) })),
    tableColumns: columns.map(([name, type]) => ({ name, type: tableColumnType(type) })),
  };
}

/** The file text: pretty JSON with a trailing newline, so the committed file diffs cleanly. */
export function renderTraceColumns(document: TraceColumnsDocument = buildTraceColumns()): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
