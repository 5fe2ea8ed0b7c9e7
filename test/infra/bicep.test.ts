import { existsSync } from 'node:fs';
import path from 'node:path';
import { bicepModules, bicepParams, bicepResources, bracketIssues } from '../../tools/bicepText';
import { ROOT, bicepFiles, readRepoFile } from './repoFiles';

/**
 * The API versions used, each checked against the published schema or a reference template
 * (docs/deploy.md "API versions"). A new resource type or version must be added here on purpose.
 */
const API_VERSIONS: Record<string, string> = {
  'Microsoft.ManagedIdentity/userAssignedIdentities': '2023-01-31',
  'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials': '2023-01-31',
  'Microsoft.Storage/storageAccounts': '2023-05-01',
  'Microsoft.Storage/storageAccounts/blobServices': '2023-05-01',
  'Microsoft.Storage/storageAccounts/blobServices/containers': '2023-05-01',
  'Microsoft.Storage/storageAccounts/managementPolicies': '2023-05-01',
  'Microsoft.Storage/storageAccounts/tableServices': '2023-05-01',
  'Microsoft.Storage/storageAccounts/tableServices/tables': '2023-05-01',
  'Microsoft.EventHub/namespaces': '2024-01-01',
  'Microsoft.EventHub/namespaces/eventhubs': '2024-01-01',
  'Microsoft.EventHub/namespaces/eventhubs/consumergroups': '2024-01-01',
  'Microsoft.OperationalInsights/workspaces': '2023-09-01',
  'Microsoft.OperationalInsights/workspaces/tables': '2022-10-01',
  'Microsoft.Insights/dataCollectionRules': '2023-03-11',
  'Microsoft.Insights/components': '2020-02-02',
  'Microsoft.Insights/workbooks': '2023-06-01',
  'Microsoft.Authorization/roleAssignments': '2022-04-01',
  'Microsoft.Web/serverfarms': '2024-04-01',
  'Microsoft.Web/sites': '2024-04-01',
  'Microsoft.Web/sites/config': '2024-04-01',
  'Microsoft.Web/sites/basicPublishingCredentialsPolicies': '2024-04-01',
};

const files = bicepFiles();
const resources = files.flatMap((file) =>
  bicepResources(readRepoFile(file)).map((resource) => ({ file, ...resource })),
);

describe('Bicep files are well formed', () => {
  it.each(files.map((file) => [file]))('%s has balanced brackets and closed strings', (file) => {
    expect(bracketIssues(readRepoFile(file))).toEqual([]);
  });

  it.each(files.map((file) => [file]))('%s describes every param', (file) => {
    const text = readRepoFile(file);
    for (const param of bicepParams(text)) {
      const declaration = new RegExp(
        `@description\\([^\\n]*\\)\\n(?:@[^\\n]*\\n|  [^\\n]*\\n|\\]\\)\\n|\\}\\)\\n)*param ${param.name}\\b`,
      );
      expect({ param: param.name, described: declaration.test(text) }).toEqual({
        param: param.name,
        described: true,
      });
    }
  });
});

describe('resource types and API versions', () => {
  it.each(resources.map((r) => [`${r.file}: ${r.symbol}`, r.type, r.apiVersion]))(
    '%s uses %s@%s',
    (_where, type, apiVersion) => {
      expect(API_VERSIONS[type]).toBe(apiVersion);
    },
  );

  it.each(Object.keys(API_VERSIONS).map((type) => [type]))('%s is deployed somewhere', (type) => {
    expect(resources.some((resource) => resource.type === type)).toBe(true);
  });
});

describe('modules are wired correctly', () => {
  const modules = files.flatMap((file) =>
    bicepModules(readRepoFile(file)).map((module) => ({ file, ...module })),
  );

  it('main.bicep declares the modules', () => {
    expect(modules.map((module) => module.symbol).sort()).toEqual(
      [
        'clusterIdentity',
        'eventHubs',
        'functionApp',
        'identity',
        'monitoring',
        'roles',
        'storage',
        'workbook',
      ].sort(),
    );
  });

  it.each(modules.map((module) => [module.symbol, module.file, module.path]))(
    'module %s (%s → %s): the file exists, every passed param is declared, every required param is passed',
    (_symbol, file, modulePath) => {
      const target = path.join(path.dirname(file), modulePath);
      expect(existsSync(path.join(ROOT, target))).toBe(true);
      const declared = bicepParams(readRepoFile(target));
      const passed = modules.find((module) => module.path === modulePath)?.params ?? [];
      expect(passed.filter((name) => !declared.some((param) => param.name === name))).toEqual([]);
      const required = declared.filter((param) => !param.hasDefault).map((param) => param.name);
      expect(required.filter((name) => !passed.includes(name))).toEqual([]);
    },
  );

  it('main.parameters.json only sets params main.bicep declares', () => {
    const parameters = JSON.parse(readRepoFile('infra', 'main.parameters.json')) as {
      parameters: Record<string, unknown>;
    };
    const declared = bicepParams(readRepoFile('infra', 'main.bicep')).map((param) => param.name);
    expect(Object.keys(parameters.parameters).filter((name) => !declared.includes(name))).toEqual([]);
  });

  it('azure.yaml points azd at infra/main.bicep and a function host', () => {
    const azureYaml = readRepoFile('azure.yaml');
    expect(azureYaml).toMatch(/path: infra\n\s+module: main/);
    expect(azureYaml).toMatch(/host: function/);
  });
});

describe('secure defaults', () => {
  it.each([
    ['storage: shared keys off', 'infra/modules/storage.bicep', /allowSharedKeyAccess: false/],
    ['storage: no public blobs', 'infra/modules/storage.bicep', /allowBlobPublicAccess: false/],
    ['storage: TLS 1.2', 'infra/modules/storage.bicep', /minimumTlsVersion: 'TLS1_2'/],
    ['event hubs: SAS off', 'infra/modules/eventHubs.bicep', /disableLocalAuth: true/],
    ['event hubs: TLS 1.2', 'infra/modules/eventHubs.bicep', /minimumTlsVersion: '1\.2'/],
    ['app insights: local auth off', 'infra/modules/monitoring.bicep', /DisableLocalAuth: true/],
    ['function: HTTPS only', 'infra/modules/functionApp.bicep', /httpsOnly: true/],
    [
      'function: Flex Consumption FC1',
      'infra/modules/functionApp.bicep',
      /tier: 'FlexConsumption'\n\s+name: 'FC1'/,
    ],
    ['function: Node 22', 'infra/modules/functionApp.bicep', /name: 'node'\n\s+version: '22'/],
    [
      'function: deploys with its identity',
      'infra/modules/functionApp.bicep',
      /type: 'UserAssignedIdentity'/,
    ],
    [
      'function: basic publishing credentials off',
      'infra/modules/functionApp.bicep',
      /name: 'scm'\n\s+properties: \{\n\s+allow: false/,
    ],
  ])('%s', (_what, file, pattern) => {
    expect(readRepoFile(file)).toMatch(pattern);
  });

  it.each([
    ['Event Hubs Data Receiver', 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde'],
    ['Event Hubs Data Sender', '2b629674-e913-4c01-ae53-ef4638d8f975'],
    ['Storage Blob Data Owner', 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'],
    ['Storage Table Data Contributor', '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'],
    ['Monitoring Metrics Publisher', '3913510d-42f4-4e42-8a64-420c390055eb'],
  ])('roles.bicep assigns %s', (_role, id) => {
    expect(readRepoFile('infra', 'modules', 'roles.bicep')).toContain(`'${id}'`);
  });
});
