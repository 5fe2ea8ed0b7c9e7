import { TRACE_RECORD_COLUMNS } from '../../shared/record/traceRecord';
import { renderTraceColumns, type TraceColumnsDocument } from '../../tools/traceColumns';
import { readRepoFile } from './repoFiles';

const committed = readRepoFile('infra', 'modules', 'traceColumns.json');
const document = JSON.parse(committed) as TraceColumnsDocument;
const monitoring = readRepoFile('infra', 'modules', 'monitoring.bicep');

const DCR_TYPES = new Set(['string', 'int', 'long', 'real', 'boolean', 'datetime', 'dynamic']);
const TABLE_TYPES = new Set(['string', 'int', 'long', 'real', 'boolean', 'dateTime', 'dynamic', 'guid']);

describe('infra/modules/traceColumns.json', () => {
  it('equals the output of tools/generateTraceColumns.ts (run it after changing TRACE_RECORD_COLUMNS)', () => {
    expect(committed).toBe(renderTraceColumns());
  });

  it.each(TRACE_RECORD_COLUMNS.map(([name, type], index) => [name, type, index] as const))(
    'declares %s (%s) in the stream and the table at position %i',
    (name, _type, index) => {
      expect(document.streamColumns[index]?.name).toBe(name);
      expect(document.tableColumns[index]?.name).toBe(name);
      expect(DCR_TYPES.has(document.streamColumns[index]?.type ?? '')).toBe(true);
      expect(TABLE_TYPES.has(document.tableColumns[index]?.type ?? '')).toBe(true);
    },
  );

  it('declares nothing beyond the record (CaptureFrame is inspect-only)', () => {
    expect(document.streamColumns).toHaveLength(TRACE_RECORD_COLUMNS.length);
    expect(document.tableColumns).toHaveLength(TRACE_RECORD_COLUMNS.length);
    expect(document.tableColumns.map((column) => column.name)).not.toContain('CaptureFrame');
  });

  it('has TimeGenerated as a datetime column, as every Log Analytics table must', () => {
    expect(document.streamColumns.find((column) => column.name === 'TimeGenerated')?.type).toBe('datetime');
    expect(document.tableColumns.find((column) => column.name === 'TimeGenerated')?.type).toBe('dateTime');
  });

  it.each(document.tableColumns.map((column) => [column.name]))(
    '%s is a valid Log Analytics column name',
    (name) => {
      expect(name).toMatch(/^[A-Za-z][A-Za-z0-9_]{0,44}$/);
      expect(['_ResourceId', 'id', '_SubscriptionId', 'TenantId', 'Type', 'UniqueId', 'Title']).not.toContain(
        name,
      );
    },
  );
});

describe('infra/modules/monitoring.bicep uses the generated columns', () => {
  it.each([
    ['loads the JSON', /loadJsonContent\('traceColumns\.json'\)/],
    ['declares the table columns from it', /columns:\s*traceColumns\.tableColumns/],
    ['declares the stream columns from it', /columns:\s*traceColumns\.streamColumns/],
    ['names the table RetinaTraces_CL', /var tableName = 'RetinaTraces_CL'/],
    ['names the stream Custom-RetinaTraces_CL', /var streamName = 'Custom-RetinaTraces_CL'/],
    ['creates a Direct DCR (own logs ingestion endpoint)', /kind:\s*'Direct'/],
    ['passes records through unchanged', /transformKql:\s*'source'/],
    ['outputs the logs ingestion endpoint', /properties\.endpoints\.logsIngestion/],
    ['outputs the immutable id', /properties\.immutableId/],
  ])('%s', (_what, pattern) => {
    expect(monitoring).toMatch(pattern);
  });

  it('declares no column inline (the JSON is the single source)', () => {
    expect(monitoring).not.toMatch(/type:\s*'(?:dateTime|datetime)'/);
  });
});
