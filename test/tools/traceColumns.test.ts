import type { ColumnType } from '../../shared/record/traceRecord';
import {
  buildTraceColumns,
  dcrColumnType,
  renderTraceColumns,
  tableColumnType,
} from '../../tools/traceColumns';

describe('column type mapping', () => {
  it.each<[ColumnType, string, string]>([
    ['datetime', 'datetime', 'dateTime'],
    ['string', 'string', 'string'],
    ['int', 'int', 'int'],
    ['long', 'long', 'long'],
    ['bool', 'boolean', 'boolean'],
    ['dynamic', 'dynamic', 'dynamic'],
  ])('%s → stream %s, table %s', (type, dcr, table) => {
    expect(dcrColumnType(type)).toBe(dcr);
    expect(tableColumnType(type)).toBe(table);
  });
});

describe('buildTraceColumns', () => {
  it.each<[string, ReadonlyArray<readonly [string, ColumnType]>, number]>([
    ['no columns', [], 0],
    ['one column', [['TimeGenerated', 'datetime']], 1],
    [
      'mixed',
      [
        ['A', 'bool'],
        ['B', 'long'],
        ['C', 'dynamic'],
      ],
      3,
    ],
  ])('%s', (_name, columns, count) => {
    const document = buildTraceColumns(columns);
    expect(document.streamColumns).toHaveLength(count);
    expect(document.tableColumns.map((column) => column.name)).toEqual(columns.map(([name]) => name));
  });

  it('renders stable JSON with a trailing newline', () => {
    const text = renderTraceColumns(buildTraceColumns([['A', 'bool']]));
    expect(text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(text)).toEqual(buildTraceColumns([['A', 'bool']]));
  });
});
