import path from 'node:path';
import { TRACE_RECORD_COLUMNS } from '../../shared/record/traceRecord';
import { readQueryFiles } from '../../tools/generateWorkbook';
import { sourceTable, unknownKqlReferences } from '../../tools/kqlReferences';
import { parseQueryHeader } from '../../tools/workbook';
import { ROOT } from './repoFiles';

/** Standard columns every Log Analytics table has, beside the record's. */
const STANDARD_COLUMNS = ['_BilledSize', '_IsBillable', 'Type', 'TenantId'];
const KNOWN = new Set<string>([
  'RetinaTraces_CL',
  ...STANDARD_COLUMNS,
  ...TRACE_RECORD_COLUMNS.map(([name]) => name),
]);
const queries = readQueryFiles(path.join(ROOT, 'queries'));

describe('queries/*.kql', () => {
  it('has the query pack', () => {
    expect(queries.length).toBeGreaterThanOrEqual(12);
  });

  it.each(queries.map((query) => [query.fileName, query.text]))('%s reads RetinaTraces_CL', (_file, text) => {
    expect(sourceTable(text)).toBe('RetinaTraces_CL');
  });

  it.each(queries.map((query) => [query.fileName, query.text]))(
    '%s references only columns of the record schema (or names it defines)',
    (_file, text) => {
      expect(unknownKqlReferences(text, KNOWN)).toEqual([]);
    },
  );

  it.each(queries.map((query) => [query.fileName, query]))(
    '%s has a header saying what it answers',
    (_file, query) => {
      const header = parseQueryHeader(query);
      expect(header.title.length).toBeGreaterThan(3);
      expect(header.question).toMatch(/\?$/);
    },
  );
});

describe('the column check catches mistakes', () => {
  it.each<[string, string, string[]]>([
    ['a misspelled column', 'RetinaTraces_CL | where SourcPodName == "x"', ['SourcPodName']],
    ['a column from another table', 'RetinaTraces_CL | project Computer', ['Computer']],
    ['an unknown column inside a function', 'RetinaTraces_CL | summarize dcount(DestPort)', ['DestPort']],
    ['an unknown function', 'RetinaTraces_CL | extend X = frobnicate(SourceIp)', ['frobnicate']],
    ['a defined name is fine', 'RetinaTraces_CL | extend Pod = SourcePodName | where Pod != ""', []],
    [
      'strings, comments and member access are ignored',
      '// Bogus\nRetinaTraces_CL | extend B = bag_pack("Bogus", 1) | where B.Bogus == 1',
      [],
    ],
    [
      'timespans and numbers are not identifiers',
      'RetinaTraces_CL | where TimeGenerated > ago(1d) and PacketBytes > 1e3',
      [],
    ],
    ['empty query', '', []],
  ])('%s', (_name, text, expected) => {
    expect(unknownKqlReferences(text, KNOWN).map((reference) => reference.name)).toEqual(expected);
  });
});
