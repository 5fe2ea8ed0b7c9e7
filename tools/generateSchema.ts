/**
 * Writes docs/schema/traceconfiguration.schema.json from the zod schemas.
 * Run `npx tsx tools/generateSchema.ts` after changing shared/config/schema.ts; a test fails when
 * the committed file and the schemas disagree.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JSON_SCHEMA_PATH, traceConfigurationJsonSchema } from '../shared/config/jsonSchema';

const target = join(__dirname, '..', JSON_SCHEMA_PATH);
writeFileSync(target, `${JSON.stringify(traceConfigurationJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${JSON_SCHEMA_PATH}\n`);
