/**
 * The documented ASIM queries (queries/asim/): they cannot run here (the ASIM parsers live in
 * Microsoft Sentinel), so they are checked to read only what our ASIM rows carry: columns we emit,
 * the parsers' aliases of them, and the fields the native parsers add.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ASIM_STREAMS } from '../../shared/sinks/logAnalytics/asim/asimStreams';
import { readQueryFiles } from '../../tools/generateWorkbook';
import { unknownKqlReferences } from '../../tools/kqlReferences';
import { parseQueryHeader } from '../../tools/workbook';
import { ROOT } from './repoFiles';

const published = JSON.parse(
  readFileSync(path.join(ROOT, 'test', 'sinks', 'logAnalytics', 'asim', 'publishedAsimSchemas.json'), 'utf8'),
) as { tables: Record<string, { aliases: Record<string, string> }> };
const emitted = new Set(ASIM_STREAMS.flatMap((stream) => stream.columns.map(([name]) => name)));
const aliases = Object.values(published.tables).flatMap((table) =>
  Object.entries(table.aliases)
    .filter(([, target]) => emitted.has(target))
    .map(([alias]) => alias),
);
/** What the native parsers add (Parsers/*\/vim*Native.yaml): schema name, Src/Dst, the response code name. */
const PARSER_FIELDS = ['EventSchema', 'Src', 'Dst', 'IpAddr', 'DnsResponseCodeName', 'EventUid'];
const PARSERS = ['_Im_NetworkSession', '_Im_Dns', '_Im_WebSession'];
const PARSER_PARAMETERS = ['starttime', 'endtime', 'responsecodename', 'eventresult'];
const TABLES = ASIM_STREAMS.map((stream) => stream.table);
const KNOWN = new Set([
  ...emitted,
  ...aliases,
  ...PARSER_FIELDS,
  ...PARSERS,
  ...PARSER_PARAMETERS,
  ...TABLES,
  '_BilledSize',
  'Type',
]);
const queries = readQueryFiles(path.join(ROOT, 'queries', 'asim'));

describe('queries/asim/*.kql', () => {
  it('has one query per ASIM parser and a cost query', () => {
    const text = queries.map((q) => q.text).join('\n');
    for (const parser of PARSERS) expect(text).toContain(`${parser}(`);
    expect(queries.map((q) => q.fileName)).toContain('cost-per-configuration.kql');
  });

  it.each(queries.map((q) => [q.fileName, q]))('%s has a header and selects our rows', (_file, query) => {
    const header = parseQueryHeader(query);
    expect(header.question).toMatch(/\?$/);
    expect(query.text).toContain('EventVendor == "Retina"');
  });

  it.each(queries.map((q) => [q.fileName, q.text]))(
    '%s reads only columns our ASIM rows carry (or their aliases, or what the parsers add)',
    (_file, text) => {
      expect(unknownKqlReferences(text, KNOWN)).toEqual([]);
    },
  );

  it('the check catches a column we never write', () => {
    expect(unknownKqlReferences('_Im_Dns | where DnsFlagsZ == true', KNOWN).map((r) => r.name)).toEqual([
      'DnsFlagsZ',
    ]);
  });
});
