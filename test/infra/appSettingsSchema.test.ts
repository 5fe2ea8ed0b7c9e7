import { APP_SETTING_NAMES } from '../../shared/settings/appSettingNames';
import { parseAppSettings } from '../../shared/settings/appSettings';
import { resolveConnection } from '../../shared/sinks/connection';
import { resolveDeadLetterStore } from '../../shared/sinks/send/deadLetterConnection';
import { LocalTokenCredential } from '../../shared/local/localTokenCredential';

// What the Bicep sets (APP_SETTING_NAMES, kept equal to the Function App module by
// test/infra/appSettings.test.ts), with plausible identity-based values.
function deployedSettings(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of APP_SETTING_NAMES) {
    if (name.endsWith('tableServiceUri')) env[name] = 'https://acct.table.core.windows.net';
    else if (name.endsWith('blobServiceUri')) env[name] = 'https://acct.blob.core.windows.net';
    else if (name.endsWith('__endpoint')) env[name] = 'https://dcr-ingest.westeurope-1.ingest.monitor.azure.com';
    else if (name.endsWith('__ruleId')) env[name] = 'dcr-0123456789abcdef0123456789abcdef';
    else if (name.endsWith('__streamName')) env[name] = 'Custom-RetinaTraces_CL';
    else if (name.endsWith('tableName')) env[name] = 'RetinaTraces';
    else if (name.endsWith('containerName')) env[name] = 'trace-deadletter';
    else if (name.endsWith('__partitionShards')) env[name] = '4';
    else if (name === 'TRACE_HUB_NAME') env[name] = 'retina-traces';
    else if (name === 'TRACE_CONSUMER_GROUP') env[name] = 'retina-trace-backend';
    else env[name] = 'value';
  }
  return env;
}

describe('the app settings the infrastructure deploys', () => {
  it('satisfy the app settings schema without any connection string', () => {
    const settings = parseAppSettings(deployedSettings());
    expect(settings.configStore.serviceUri).toBe('https://acct.table.core.windows.net');
    expect(settings.identityStore.serviceUri).toBe('https://acct.table.core.windows.net');
    expect(settings.deadLetter.serviceUri).toBe('https://acct.blob.core.windows.net');
    expect(settings.configStore.connectionString).toBeUndefined();
  });

  it('resolve the default Azure Table and Log Analytics connections and the dead-letter store', () => {
    const env = deployedSettings();
    expect(resolveConnection('azuretable', '', env)).toMatchObject({ tableServiceUri: 'https://acct.table.core.windows.net', partitionShards: 4 });
    expect(resolveConnection('loganalytics', '', env)).toMatchObject({ ruleId: 'dcr-0123456789abcdef0123456789abcdef', streamName: 'Custom-RetinaTraces_CL' });
    expect(() => resolveDeadLetterStore(env, new LocalTokenCredential())).not.toThrow();
  });

  it.each(['CONFIG_STORE__tableServiceUri', 'IDENTITY_STORE__tableServiceUri', 'DEADLETTER__blobServiceUri'])(
    'fail fast, naming %s, when it is missing',
    (name) => {
      const env = deployedSettings();
      delete env[name];
      expect(() => parseAppSettings(env)).toThrow(name);
    },
  );
});
