import { APP_SETTING_NAMES } from '../../shared/settings/appSettingNames';
import { keysBetweenMarkers } from '../../tools/bicepText';
import { bicepFiles, readRepoFile } from './repoFiles';

const functionApp = readRepoFile('infra', 'modules', 'functionApp.bicep');
const bicepSettings = keysBetweenMarkers(functionApp, 'app-settings') ?? [];
const deployDoc = readRepoFile('docs', 'deploy.md');

/** Settings Flex Consumption rejects or ignores (runtime goes in functionAppConfig). */
const FLEX_DEPRECATED = [
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_EXTENSION_VERSION',
  'WEBSITE_RUN_FROM_PACKAGE',
  'WEBSITE_CONTENTSHARE',
  'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
  'WEBSITE_NODE_DEFAULT_VERSION',
];

describe('app settings: Bicep and shared/settings/appSettingNames.ts agree', () => {
  it('finds the app-settings block in functionApp.bicep', () => {
    expect(bicepSettings.length).toBeGreaterThan(0);
  });

  it.each(APP_SETTING_NAMES.map((name) => [name]))('%s is set by functionApp.bicep', (name) => {
    expect(bicepSettings).toContain(name);
  });

  it.each(bicepSettings.map((name) => [name]))('%s (set by the Bicep) is in APP_SETTING_NAMES', (name) => {
    expect(APP_SETTING_NAMES as readonly string[]).toContain(name);
  });

  it('sets each setting once', () => {
    expect(new Set(bicepSettings).size).toBe(bicepSettings.length);
  });

  it.each(APP_SETTING_NAMES.map((name) => [name]))('%s is documented in docs/deploy.md', (name) => {
    expect(deployDoc).toContain(`\`${name}\``);
  });

  it.each(FLEX_DEPRECATED.map((name) => [name]))('%s (deprecated on Flex Consumption) is not set', (name) => {
    expect(bicepSettings).not.toContain(name);
  });

  it.each([
    'EventHubConnection',
    'AzureWebJobsStorage',
    'TRACES_AZURETABLE',
    'TRACES_LOGANALYTICS',
    'CONFIG_STORE',
    'IDENTITY_STORE',
    'DEADLETTER',
  ])('%s connects with the managed identity (has __clientId, no connection string)', (prefix) => {
    expect(bicepSettings).toContain(`${prefix}__clientId`);
    expect(bicepSettings).not.toContain(`${prefix}__connectionString`);
    expect(bicepSettings).not.toContain(prefix);
  });
});

describe('keysBetweenMarkers', () => {
  it.each<[string, string, string[] | undefined]>([
    ['no markers', 'var x = {\n  A: 1\n}\n', undefined],
    ['empty block', '// s:begin\n// s:end\n', []],
    [
      'plain and quoted keys',
      "// s:begin\nvar x = {\n  A__b: 'v'\n  'C-d': y\n}\n// s:end\n",
      ['A__b', 'C-d'],
    ],
    [
      'ignores keys in comments and strings',
      "// s:begin\n// Z: no\nvar x = {\n  A: 'B: c'\n}\n// s:end\n",
      ['A'],
    ],
    ['markers reversed', '// s:end\n// s:begin\n', undefined],
  ])('%s', (_name, text, expected) => {
    expect(keysBetweenMarkers(text, 's')).toEqual(expected);
  });
});

describe('no secrets in the infrastructure', () => {
  it.each(bicepFiles().map((file) => [file]))('%s reads no keys or connection strings', (file) => {
    const text = readRepoFile(file);
    expect(text).not.toMatch(/listKeys\(|listConnectionStrings\(|AccountKey=|SharedAccessKey=|@secure\(\)/);
  });
});
