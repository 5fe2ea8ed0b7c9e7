import path from 'node:path';
import type { AzureTypeSet } from './azureTypes';
import { extractTypeSet } from './azureTypes';
import type { BicepFiles } from './checkDeployment';

/** The checked-in subset of Azure's type definitions, relative to the repository root. */
export const AZURE_TYPE_SUBSET_PATH = path.join('test', 'infra', 'data', 'azureTypes.json');

/** Where the full definitions live beside the repository (reference data, not in the repo). */
export const AZURE_TYPES_SOURCE = path.join('..', 'shared', 'azure-types');

/** Every `Type@apiVersion` the deployment declares, sorted. */
export function resourceTypeReferences(files: BicepFiles): string[] {
  const references = new Set<string>();
  for (const file of files.values()) {
    for (const declaration of file.declarations)
      if (declaration.kind === 'resource') references.add(declaration.typeReference);
  }
  return [...references].sort();
}

/** The subset for a deployment, extracted from the full definitions; rendered as the checked-in file. */
export function renderTypeSubset(sourceRoot: string, files: BicepFiles): string {
  const set: AzureTypeSet = extractTypeSet(
    sourceRoot,
    resourceTypeReferences(files),
    'Azure/bicep-types-az generated/ (commit 1f896de2db966ad91e8f7d7d981e11d32e4f5d8d, MIT); descriptions dropped. Regenerate: npx tsx tools/extractAzureTypes.ts',
  );
  // One type per line: a new resource type or API version shows as a readable diff.
  const types = set.types.map((type) => `    ${JSON.stringify(type)}`).join(',\n');
  return `{\n  "source": ${JSON.stringify(set.source)},\n  "resources": ${JSON.stringify(set.resources, null, 4).replace(/\n}/, '\n  }')},\n  "types": [\n${types}\n  ]\n}\n`;
}
