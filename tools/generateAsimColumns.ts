/**
 * Writes `infra/modules/asimColumns.json` from `ASIM_STREAMS`.
 * Run after changing the ASIM columns: `npx tsx tools/generateAsimColumns.ts`.
 * `test/infra/asimColumns.test.ts` fails while the committed file is stale.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderAsimColumns } from './asimColumns';

/** Path of the generated file, relative to the repository root. */
export const ASIM_COLUMNS_PATH = path.join('infra', 'modules', 'asimColumns.json');

if (require.main === module) {
  const target = path.resolve(__dirname, '..', ASIM_COLUMNS_PATH);
  writeFileSync(target, renderAsimColumns());
  process.stdout.write(`wrote ${target}\n`);
}
