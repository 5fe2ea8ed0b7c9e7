import { DEFAULT_LOCAL_HUBS, TRACE_CONSUMER_GROUP } from '../../shared/local/eventHubs/settings';
import { readRepoFile } from './repoFiles';

/** The names the ingest function binds to must be the same on every path: Azure, emulator, Core Tools, `npm run local`. */
describe('hub, consumer group and connection names agree everywhere', () => {
  const main = readRepoFile('infra', 'main.bicep');
  const emulator = JSON.parse(readRepoFile('infra', 'emulator', 'Config.json')) as {
    UserConfig: { NamespaceConfig: { Entities: { Name: string; ConsumerGroups: { Name: string }[] }[] }[] };
  };
  const localSettings = (
    JSON.parse(readRepoFile('local.settings.json')) as { Values: Record<string, string> }
  ).Values;
  const hub = /var traceHubName = '([^']+)'/.exec(main)?.[1];
  const group = /var consumerGroupName = '([^']+)'/.exec(main)?.[1];

  it('Azure (main.bicep) declares both', () => {
    expect([hub, group]).toEqual(['retina-traces', 'retina-trace-backend']);
  });

  it.each<[string, () => unknown, unknown]>([
    ['local.settings.json TRACE_HUB_NAME', () => localSettings.TRACE_HUB_NAME, 'retina-traces'],
    [
      'local.settings.json TRACE_CONSUMER_GROUP',
      () => localSettings.TRACE_CONSUMER_GROUP,
      'retina-trace-backend',
    ],
    [
      'emulator Config.json hub',
      () => emulator.UserConfig.NamespaceConfig[0]?.Entities[0]?.Name,
      'retina-traces',
    ],
    [
      'emulator Config.json consumer group',
      () => emulator.UserConfig.NamespaceConfig[0]?.Entities[0]?.ConsumerGroups.map((g) => g.Name),
      ['retina-trace-backend'],
    ],
    ['in-process endpoint default hub', () => DEFAULT_LOCAL_HUBS[0]?.name, 'retina-traces'],
    [
      'in-process endpoint consumer group',
      () => DEFAULT_LOCAL_HUBS[0]?.consumerGroups,
      ['retina-trace-backend'],
    ],
    ['npm run local consumer group', () => TRACE_CONSUMER_GROUP, 'retina-trace-backend'],
  ])('%s', (_where, actual, expected) => {
    expect(actual()).toEqual(expected);
  });

  it('the trigger connection is EventHubConnection in the app, local.settings.json and the Function App settings', () => {
    expect(readRepoFile('functions', 'index.ts')).toContain(
      "const EVENT_HUB_CONNECTION = 'EventHubConnection';",
    );
    expect(localSettings.EventHubConnection).toMatch(
      /^Endpoint=sb:\/\/localhost[:;].*UseDevelopmentEmulator=true;$/,
    );
    expect(readRepoFile('infra', 'modules', 'functionApp.bicep')).toContain(
      'EventHubConnection__fullyQualifiedNamespace:',
    );
  });

  it('no file still names the old consumer group', () => {
    for (const file of [
      'docker-compose.yml',
      'local.settings.json',
      'infra/emulator/Config.json',
      'docs/local-event-hubs.md',
      'docs/testing.md',
      'README.md',
    ]) {
      expect({ file, old: /retina-backend\b/.test(readRepoFile(file)) }).toEqual({ file, old: false });
    }
  });
});
