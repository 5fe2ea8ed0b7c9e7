import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AZURE_TYPE_SUBSET_PATH, renderTypeSubset } from '../../tools/bicep/azureTypeSubset';
import type { AzureTypeSet } from '../../tools/bicep/azureTypes';
import { AzureTypeIndex } from '../../tools/bicep/azureTypes';
import type { BicepIssue } from '../../tools/bicep/bicepValue';
import { BUILT_IN_ROLES } from '../../tools/bicep/builtInRoles';
import { checkDeployment, loadDeployment } from '../../tools/bicep/checkDeployment';
import { checkRoleIds } from '../../tools/bicep/checkRoleIds';
import { describeWithSharedData, sharedPath } from '../support/sharedData';
import { ROOT, readRepoFile } from './repoFiles';

const ENTRY = path.join('infra', 'main.bicep');
const index = new AzureTypeIndex(JSON.parse(readRepoFile(AZURE_TYPE_SUBSET_PATH)) as AzureTypeSet);

/** Every issue the checks find in the infra/ tree under `root`. */
async function infraIssues(root: string): Promise<string[]> {
  const files = await loadDeployment(root, ENTRY);
  const issues: BicepIssue[] = [
    ...checkDeployment(root, ENTRY, files, index),
    ...[...files].flatMap(([file, parsed]) => checkRoleIds(file, parsed, BUILT_IN_ROLES)),
  ];
  return issues.map((issue) => `${issue.file}:${issue.line}: ${issue.message}`);
}

describe('infra/ checked against Azure type definitions (test/infra/data/azureTypes.json)', () => {
  it('finds nothing wrong in the committed templates', async () => {
    expect(await infraIssues(ROOT)).toEqual([]);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A change to one file of a copy of infra/: `from` must occur in it (so a stale row fails loudly). */
interface Injection {
  file: string;
  from: string;
  to: string;
}

describe('an injected mistake is reported', () => {
  let scratch: string;
  beforeEach(() => {
    scratch = mkdtempSync(path.join(tmpdir(), 'bicep-'));
    cpSync(path.join(ROOT, 'infra'), path.join(scratch, 'infra'), { recursive: true });
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  const functionApp = 'infra/modules/functionApp.bicep';
  const roles = 'infra/modules/roles.bicep';
  const monitoring = 'infra/modules/monitoring.bicep';
  const main = 'infra/main.bicep';

  it.each<[string, Injection, RegExp]>([
    [
      'property typo (instanceMemoryMb)',
      {
        file: functionApp,
        from: 'instanceMemoryMB: instanceMemoryMB',
        to: 'instanceMemoryMb: instanceMemoryMB',
      },
      /functionApp\.bicep:\d+: resource site .*scaleAndConcurrency\.instanceMemoryMb: unknown property \(did you mean 'instanceMemoryMB'\?\)/,
    ],
    [
      'undefined module output',
      { file: main, from: 'monitoring.outputs.streamName', to: 'monitoring.outputs.streamNames' },
      /main\.bicep:\d+: module 'monitoring' has no output 'streamNames'/,
    ],
    [
      'role GUID of another role (Storage Blob Data Contributor where the comment says Receiver)',
      {
        file: roles,
        from: "'a638d3c7-ab3a-418d-83e6-5f17a39d4fde'",
        to: "'ba92f5b4-2d11-453d-a403-e96b0029c9fe'",
      },
      /roles\.bicep:\d+: role id 'ba92f5b4-.*' is 'Storage Blob Data Contributor', but its comment says 'Azure Event Hubs Data Receiver'/,
    ],
    [
      'role GUID that is no built-in role',
      {
        file: roles,
        from: "'3913510d-42f4-4e42-8a64-420c390055eb'",
        to: "'3913510d-42f4-4e42-8a64-420c390055ec'",
      },
      /roles\.bicep:\d+: '3913510d-.*' is not a known built-in role id/,
    ],
    [
      'unknown property in a data flow reached through concat() and a ternary',
      {
        file: monitoring,
        from: "transformKql: 'source'\n    outputStream: asimColumns.networkSession.outputStream",
        to: "transformKql: 'source'\n    transformQuery: 'source'\n    outputStream: asimColumns.networkSession.outputStream",
      },
      /monitoring\.bicep:\d+: resource dataCollectionRule .*transformQuery: unknown property/,
    ],
    [
      'unknown Data Collection Rule property',
      {
        file: monitoring,
        from: "transformKql: 'source'\n        outputStream: streamName",
        to: "transformKql: 'source'\n        transformQuery: 'source'\n        outputStream: streamName",
      },
      /monitoring\.bicep:\d+: resource dataCollectionRule .*dataFlows\[0\]\.transformQuery: unknown property/,
    ],
    [
      'write to a read-only property',
      {
        file: 'infra/modules/eventHubs.bicep',
        from: 'kafkaEnabled: false',
        to: "kafkaEnabled: false\n    serviceBusEndpoint: 'https://x'",
      },
      /eventHubs\.bicep:\d+: .*properties\.serviceBusEndpoint: read-only property/,
    ],
    [
      'missing required property',
      { file: 'infra/modules/storage.bicep', from: "  kind: 'StorageV2'\n", to: '' },
      /storage\.bicep:\d+: resource account .*kind: required property missing/,
    ],
    [
      'enum value outside the published ones',
      { file: 'infra/modules/storage.bicep', from: "name: 'Standard_LRS'", to: "name: 'Standard_LRX'" },
      /sku\.name: 'Standard_LRX' is not one of 'Standard_LRS'/,
    ],
    [
      'a value computed from a param that the resource rejects',
      {
        file: roles,
        from: 'principalType: userPrincipalType',
        to: 'principalType: toLower(userPrincipalType)',
      },
      /resource userReadsTables .*principalType: 'user' is not one of/,
    ],
    [
      'storage account name pattern',
      { file: main, from: "storage: 'stretina${resourceToken}'", to: "storage: 'st-retina${resourceToken}'" },
      /resource account .*name: 'st-retina.*' does not match the pattern/,
    ],
    [
      'storage account name length',
      {
        file: main,
        from: "storage: 'stretina${resourceToken}'",
        to: "storage: 'stretinatraces${resourceToken}'",
      },
      /name: 'stretinatraces.*' is 27 characters, more than the maximum 24/,
    ],
    [
      'module param the module does not declare',
      {
        file: main,
        from: '    name: names.identity\n',
        to: "    name: names.identity\n    colour: 'blue'\n",
      },
      /module identity .*param 'colour' is not declared by the module/,
    ],
    [
      'required module param not passed',
      { file: main, from: '    name: names.identity\n', to: '' },
      /module identity .*required param 'name' is not passed/,
    ],
    [
      'module param outside its @allowed values',
      { file: main, from: 'agentPrincipalType: agentPrincipalType', to: "agentPrincipalType: 'Robot'" },
      /module roles .*param 'agentPrincipalType': "Robot" is not one of/,
    ],
    [
      'reference to an undeclared symbol',
      { file: 'infra/modules/identity.bicep', from: '  location: location\n', to: '  location: locaton\n' },
      /identity\.bicep:\d+: 'locaton' is not declared/,
    ],
    [
      'read of a property the resource type does not have',
      { file: functionApp, from: 'site.properties.defaultHostName', to: 'site.properties.defaultHostNames' },
      /site\.properties has no property 'defaultHostNames'/,
    ],
    [
      'an API version without type definitions',
      {
        file: 'infra/modules/identity.bicep',
        from: 'userAssignedIdentities@2023-01-31',
        to: 'userAssignedIdentities@2018-11-30',
      },
      /no Azure type definitions for Microsoft\.ManagedIdentity\/userAssignedIdentities@2018-11-30/,
    ],
    [
      'Data Collection Rule stream column of an unknown type (loadJsonContent)',
      { file: 'infra/modules/traceColumns.json', from: '"type": "datetime"', to: '"type": "timestamp"' },
      /streamDeclarations\.Custom-RetinaTraces_CL\.columns\[0\]\.type: 'timestamp' is not one of/,
    ],
    [
      'syntax error',
      {
        file: 'infra/modules/workbook.bicep',
        from: "    category: 'workbook'\n",
        to: "    category: 'workbook\n",
      },
      /workbook\.bicep:\d+: syntax error/,
    ],
  ])('%s', async (_name, injection, expected) => {
    const target = path.join(scratch, injection.file);
    const text = readFileSync(target, 'utf8');
    expect(text).toContain(injection.from);
    writeFileSync(target, text.replace(injection.from, injection.to));
    const issues = await infraIssues(scratch);
    expect(issues.join('\n')).toMatch(expected);
  });
});

describe('deployment parameters', () => {
  it('the deploying principal type is a parameter azd fills from AZURE_PRINCIPAL_TYPE', () => {
    const parameters = JSON.parse(readRepoFile('infra', 'main.parameters.json')) as {
      parameters: Record<string, { value: string }>;
    };
    expect(parameters.parameters.principalType?.value).toBe('${AZURE_PRINCIPAL_TYPE=User}');
    expect(readRepoFile('infra', 'modules', 'roles.bicep')).toMatch(/principalType: userPrincipalType/);
  });

  it('location is limited to Flex Consumption regions and azd prompts for one', () => {
    const main = readRepoFile('infra', 'main.bicep');
    const allowed =
      /@allowed\(\[\n((?: {2}'[a-z0-9]+'\n)+)\]\)\n@metadata\(\{\n {2}azd: \{\n {4}type: 'location'\n {2}\}\n\}\)\nparam location string/.exec(
        main,
      );
    expect(allowed).not.toBeNull();
    const regions = allowed![1]!
      .trim()
      .split('\n')
      .map((line) => line.trim().replace(/'/g, ''));
    expect(regions).toEqual(expect.arrayContaining(['eastus', 'westeurope', 'northeurope', 'eastasia']));
    expect(regions).not.toContain('westindia'); // no Flex Consumption there
  });

  it("main.bicep's header and docs/deploy.md give the same deploy commands", () => {
    const header = readRepoFile('infra', 'main.bicep').split('\ntargetScope')[0]!;
    const commands = [...header.matchAll(/`([^`]+)`/g)]
      .map((match) => match[1]!)
      .filter((text) => /^(azd|az|func|npm) /.test(text));
    expect(commands.length).toBeGreaterThanOrEqual(4);
    const docs = readRepoFile('docs', 'deploy.md').replace(/\\\n\s*/g, '');
    for (const command of commands) {
      const pattern = command
        .split(/\s+/)
        .map((word) =>
          word
            .split(/<[^>]+>/)
            .map(escapeRegExp)
            .join('(?:\\$\\([^)]*\\)|\\S+)'),
        )
        .join('\\s+');
      expect({ command, inDocs: new RegExp(pattern).test(docs) }).toEqual({ command, inDocs: true });
    }
    expect(docs).not.toMatch(/az deployment group create[^\n]*-p infra\/main\.parameters\.json/);
  });
});

describeWithSharedData('azure-types', 'checked-in type data matches ../shared/azure-types', () => {
  it('test/infra/data/azureTypes.json is what tools/extractAzureTypes.ts extracts today', async () => {
    const files = await loadDeployment(ROOT, ENTRY);
    const fresh = renderTypeSubset(sharedPath('azure-types'), files);
    expect(fresh === readRepoFile(AZURE_TYPE_SUBSET_PATH)).toBe(true);
  });
});
