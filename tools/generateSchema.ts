/**
 * Writes docs/schema/traceconfiguration.schema.json from the zod schemas, formatted with the
 * repository's Prettier settings. Run `npx tsx tools/generateSchema.ts` after changing
 * shared/config/schema.ts; a test fails when the committed file and the schemas disagree.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { JSON_SCHEMA_PATH, traceConfigurationJsonSchema } from '../shared/config/jsonSchema';

async function main(): Promise<void> {
  const target = join(__dirname, '..', JSON_SCHEMA_PATH);
  const options = (await resolveConfig(target)) ?? {};
  const text = await format(JSON.stringify(traceConfigurationJsonSchema()), { ...options, filepath: target });
  writeFileSync(target, text);
  process.stdout.write(`wrote ${JSON_SCHEMA_PATH}\n`);
}

void main();
