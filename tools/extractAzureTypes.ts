/**
 * Writes `test/infra/data/azureTypes.json`: the Azure type definitions (bicep-types-az) of every
 * resource type and API version `infra/` declares, and the types they reach. Run after adding a
 * resource type or changing an API version: `npx tsx tools/extractAzureTypes.ts` (reads
 * ../shared/azure-types). `test/infra/bicepTypes.test.ts` fails while the checked-in file misses a type.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { AZURE_TYPES_SOURCE, AZURE_TYPE_SUBSET_PATH, renderTypeSubset } from './bicep/azureTypeSubset';
import { loadDeployment } from './bicep/checkDeployment';

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..');
  const files = await loadDeployment(root, path.join('infra', 'main.bicep'));
  const target = path.join(root, AZURE_TYPE_SUBSET_PATH);
  writeFileSync(target, renderTypeSubset(path.join(root, AZURE_TYPES_SOURCE), files));
  process.stdout.write(`wrote ${target}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exitCode = 1;
  });
}
