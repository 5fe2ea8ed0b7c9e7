/**
 * Writes `infra/workbook/retina-traces.workbook.json` from `queries/*.kql`.
 * Run after changing a query: `npx tsx tools/generateWorkbook.ts`.
 * `test/infra/workbook.test.ts` fails while the committed file is stale.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderWorkbook, type QueryFile } from './workbook';

/** Reads every `.kql` file of a directory. */
export function readQueryFiles(directory: string): QueryFile[] {
  return readdirSync(directory)
    .filter((fileName) => fileName.endsWith('.kql'))
    .map((fileName) => ({ fileName, text: readFileSync(path.join(directory, fileName), 'utf8') }));
}

if (require.main === module) {
  const root = path.resolve(__dirname, '..');
  const target = path.join(root, 'infra', 'workbook', 'retina-traces.workbook.json');
  writeFileSync(target, renderWorkbook(readQueryFiles(path.join(root, 'queries'))));
  process.stdout.write(`wrote ${target}\n`);
}
