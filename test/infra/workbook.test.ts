import path from 'node:path';
import { TRACE_RECORD_COLUMNS } from '../../shared/record/traceRecord';
import { readQueryFiles } from '../../tools/generateWorkbook';
import { unknownKqlReferences } from '../../tools/kqlReferences';
import { WORKSPACE_PLACEHOLDER, renderWorkbook } from '../../tools/workbook';
import { ROOT, readRepoFile } from './repoFiles';

interface WorkbookItem {
  type: number;
  name: string;
  content: { query?: string; timeContextFromParameter?: string; resourceType?: string };
}

const committed = readRepoFile('infra', 'workbook', 'retina-traces.workbook.json');
const workbook = JSON.parse(committed) as {
  version: string;
  items: WorkbookItem[];
  fallbackResourceIds: string[];
};
const queries = readQueryFiles(path.join(ROOT, 'queries'));
const queryItems = workbook.items.filter((item) => item.type === 3);
const known = new Set<string>([
  'RetinaTraces_CL',
  '_BilledSize',
  ...TRACE_RECORD_COLUMNS.map(([name]) => name),
]);

describe('infra/workbook/retina-traces.workbook.json', () => {
  it('equals the output of tools/generateWorkbook.ts (run it after changing a query)', () => {
    expect(committed).toBe(renderWorkbook(queries));
  });

  it('is a Notebook/1.0 workbook bound to the workspace placeholder the Bicep replaces', () => {
    expect(workbook.version).toBe('Notebook/1.0');
    expect(workbook.fallbackResourceIds).toEqual([WORKSPACE_PLACEHOLDER]);
    expect(readRepoFile('infra', 'modules', 'workbook.bicep')).toContain(`'${WORKSPACE_PLACEHOLDER}'`);
  });

  it('has one query step per query file', () => {
    expect(queryItems).toHaveLength(queries.length);
  });

  it.each(queryItems.map((item) => [item.name, item]))(
    '%s is a query file verbatim, over valid columns',
    (_name, item) => {
      expect(queries.map((query) => query.text)).toContain(item.content.query);
      expect(unknownKqlReferences(item.content.query ?? '', known)).toEqual([]);
      expect(item.content.resourceType).toBe('microsoft.operationalinsights/workspaces');
    },
  );

  it('fits in loadTextContent (131,072 characters)', () => {
    expect(committed.length).toBeLessThan(131_072);
  });
});
