/**
 * Writes `infra/modules/traceColumns.json` from `TRACE_RECORD_COLUMNS`.
 * Run after changing the record schema: `npx tsx tools/generateTraceColumns.ts`.
 * `test/infra/traceColumns.test.ts` fails while the committed file is stale.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderTraceColumns } from './traceColumns';

/** Path of the generated file, relative to the repository root. */
export const TRACE_COLUMNS_PATH = path.join('infra', 'modules', 'traceColumns.json');

if (require.main === module) {
  const target = path.resolve(__dirname, '..', TRACE_COLUMNS_PATH);
  writeFileSync(target, renderTraceColumns());
  process.stdout.write(`wrote ${target}\n`);
}
