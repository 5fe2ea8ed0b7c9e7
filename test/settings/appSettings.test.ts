import { AppSettingsError, parseAppSettings } from '../../shared/settings/appSettings';

describe('parseAppSettings', () => {
  it('applies defaults and falls back to AzureWebJobsStorage', () => {
    const settings = parseAppSettings({ AzureWebJobsStorage: 'UseDevelopmentStorage=true' });
    expect(settings).toEqual({
      traceHubName: 'retina-traces',
      traceConsumerGroup: '$Default',
      configStore: { connectionString: 'UseDevelopmentStorage=true', tableName: 'TraceConfigurations' },
      identityStore: { connectionString: 'UseDevelopmentStorage=true', tableName: 'TraceIdentities' },
      deadLetter: { connectionString: 'UseDevelopmentStorage=true', containerName: 'trace-deadletter' },
      retention: { connectionString: 'UseDevelopmentStorage=true', containerName: 'trace-retained' },
      configRefreshIntervalInMs: 10_000,
      maxRequestBodyBytes: 262_144,
      maxTrackedFlows: 1_000_000,
      deliveryMaxInFlight: 32,
      deliveryMaxPendingRecords: 10_000,
      connectionPolicy: { allowedNames: [] },
    });
  });

  it.each([
    ['PARTNER_OTLP, AUDIT', ['PARTNER_OTLP', 'AUDIT'], undefined],
    ['CONFIG_STORE', [], /TRACE_OUTPUT_CONNECTIONS: 'CONFIG_STORE' is an internal connection/],
    ['', [], undefined],
  ])('TRACE_OUTPUT_CONNECTIONS=%j', (value, names, error) => {
    const env = { AzureWebJobsStorage: 'UseDevelopmentStorage=true', TRACE_OUTPUT_CONNECTIONS: value };
    if (error !== undefined) expect(() => parseAppSettings(env)).toThrow(error);
    else expect(parseAppSettings(env).connectionPolicy.allowedNames).toEqual(names);
  });

  it('reads identity-based locations and explicit values', () => {
    const settings = parseAppSettings({
      TRACE_HUB_NAME: 'traces',
      TRACE_CONSUMER_GROUP: 'retina-backend',
      CONFIG_STORE__tableServiceUri: 'https://acct.table.core.windows.net',
      CONFIG_STORE__clientId: '00000000-0000-0000-0000-000000000001',
      CONFIG_STORE__tableName: 'Configs',
      IDENTITY_STORE__tableServiceUri: 'https://acct.table.core.windows.net',
      DEADLETTER__blobServiceUri: 'https://acct.blob.core.windows.net',
      DEADLETTER__containerName: 'dead-letters',
      CONFIG_REFRESH_INTERVAL_MS: '2500',
      DELIVERY_MAX_IN_FLIGHT: '32',
      DELIVERY_MAX_PENDING_RECORDS: '5000',
    });
    expect(settings.configStore).toEqual({
      serviceUri: 'https://acct.table.core.windows.net',
      clientId: '00000000-0000-0000-0000-000000000001',
      tableName: 'Configs',
    });
    expect(settings.deadLetter).toEqual({
      serviceUri: 'https://acct.blob.core.windows.net',
      containerName: 'dead-letters',
    });
    expect(settings.traceConsumerGroup).toBe('retina-backend');
    expect(settings.configRefreshIntervalInMs).toBe(2500);
    expect([settings.deliveryMaxInFlight, settings.deliveryMaxPendingRecords]).toEqual([32, 5000]);
  });

  it.each([
    [{}, ['CONFIG_STORE__tableServiceUri', 'IDENTITY_STORE__tableServiceUri', 'DEADLETTER__blobServiceUri']],
    [
      { AzureWebJobsStorage: 'x', CONFIG_REFRESH_INTERVAL_MS: 'soon' },
      ['CONFIG_REFRESH_INTERVAL_MS: must be a whole number'],
    ],
    [{ AzureWebJobsStorage: 'x', MAX_TRACKED_FLOWS: '0' }, ['MAX_TRACKED_FLOWS']],
    [{ AzureWebJobsStorage: 'x', DELIVERY_MAX_IN_FLIGHT: '0' }, ['DELIVERY_MAX_IN_FLIGHT']],
    [
      { AzureWebJobsStorage: 'x', DELIVERY_MAX_PENDING_RECORDS: 'many' },
      ['DELIVERY_MAX_PENDING_RECORDS: must be a whole number'],
    ],
    [
      { AzureWebJobsStorage: 'x', CONFIG_STORE__tableName: 'bad-name' },
      ['CONFIG_STORE__tableName: must be a valid Azure table name'],
    ],
    [{ AzureWebJobsStorage: 'x', DEADLETTER__containerName: 'Upper' }, ['DEADLETTER__containerName']],
    [{ AzureWebJobsStorage: 'x', TRACE_HUB_NAME: '  ' }, ['TRACE_HUB_NAME']],
    [
      { CONFIG_STORE__tableServiceUri: 'acct.table', AzureWebJobsStorage: 'x' },
      ["CONFIG_STORE__tableServiceUri: must be an http(s) URL, got 'acct.table'"],
    ],
  ])('fails fast on %j naming every bad setting', (env, fragments) => {
    let caught: unknown;
    try {
      parseAppSettings(env);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppSettingsError);
    for (const fragment of fragments) expect((caught as Error).message).toContain(fragment);
  });

  it.each([
    [
      'falls back to the dead-letter location',
      {},
      { serviceUri: 'https://dl.blob.core.windows.net', containerName: 'trace-retained' },
    ],
    [
      'reads its own location and container',
      {
        RETENTION__blobServiceUri: 'https://rt.blob.core.windows.net',
        RETENTION__containerName: 'packets',
        RETENTION__clientId: 'c1',
      },
      { serviceUri: 'https://rt.blob.core.windows.net', clientId: 'c1', containerName: 'packets' },
    ],
  ])('retention location: %s', (_name, extra, expected) => {
    const settings = parseAppSettings({
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      DEADLETTER__blobServiceUri: 'https://dl.blob.core.windows.net',
      ...extra,
    });
    expect(settings.retention).toEqual(expected);
  });

  it.each([
    ['RETENTION__containerName', { RETENTION__containerName: 'Bad_Name' }, 'RETENTION__containerName'],
    ['RETENTION__blobServiceUri', { RETENTION__blobServiceUri: 'ftp://x' }, 'RETENTION__blobServiceUri'],
  ])('rejects a bad %s naming it', (_name, extra, named) => {
    expect(() => parseAppSettings({ AzureWebJobsStorage: 'UseDevelopmentStorage=true', ...extra })).toThrow(
      named,
    );
  });
});
