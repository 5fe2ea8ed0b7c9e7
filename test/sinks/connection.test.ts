import { connectionName, parseHeaderList, resolveConnection } from '../../shared/sinks/connection';

const DCR = 'dcr-0123456789abcdef0123456789abcdef';

describe('connectionName', () => {
  it.each([
    ['stdout', undefined, 'TRACES_STDOUT'],
    ['loganalytics', '', 'TRACES_LOGANALYTICS'],
    ['azuretable', '  ', 'TRACES_AZURETABLE'],
    ['opentelemetry', 'MyOtel', 'MyOtel'],
  ] as const)('%s %j → %s', (destination, configured, expected) => {
    expect(connectionName(destination, configured)).toBe(expected);
  });
});

describe('resolveConnection', () => {
  it.each([
    ['stdout needs nothing', 'stdout', undefined, {}, { destination: 'stdout', name: 'TRACES_STDOUT' }],
    [
      'azuretable by URI with defaults',
      'azuretable',
      undefined,
      {
        TRACES_AZURETABLE__tableServiceUri: 'https://acct.table.core.windows.net',
        TRACES_AZURETABLE__clientId: 'cid',
      },
      {
        destination: 'azuretable',
        name: 'TRACES_AZURETABLE',
        tableServiceUri: 'https://acct.table.core.windows.net',
        tableName: 'RetinaTraces',
        clientId: 'cid',
      },
    ],
    [
      'azuretable by connection string',
      'azuretable',
      'Local',
      { Local__connectionString: 'UseDevelopmentStorage=true', Local__tableName: 'Traces2' },
      {
        destination: 'azuretable',
        name: 'Local',
        connectionString: 'UseDevelopmentStorage=true',
        tableName: 'Traces2',
      },
    ],
    [
      'azuretable with a partition layout',
      'azuretable',
      'Busy',
      {
        Busy__connectionString: 'UseDevelopmentStorage=true',
        Busy__partitionShards: ' 16 ',
        Busy__shardsPerNode: '2',
      },
      {
        destination: 'azuretable',
        name: 'Busy',
        connectionString: 'UseDevelopmentStorage=true',
        tableName: 'RetinaTraces',
        partitionShards: 16,
        shardsPerNode: 2,
      },
    ],
    [
      'loganalytics with default stream',
      'loganalytics',
      'LA',
      { LA__endpoint: 'https://dce.ingest.monitor.azure.com', LA__ruleId: DCR },
      {
        destination: 'loganalytics',
        name: 'LA',
        endpoint: 'https://dce.ingest.monitor.azure.com',
        ruleId: DCR,
        streamName: 'Custom-RetinaTraces_CL',
      },
    ],
    [
      'opentelemetry with headers from a named setting',
      'opentelemetry',
      undefined,
      {
        TRACES_OPENTELEMETRY__endpoint: 'http://collector:4318',
        TRACES_OPENTELEMETRY__headersSecretName: 'OTEL_HDRS',
        OTEL_HDRS: 'Authorization=Bearer%20abc,x-tenant=t1',
      },
      {
        destination: 'opentelemetry',
        name: 'TRACES_OPENTELEMETRY',
        endpoint: 'http://collector:4318',
        headers: { authorization: 'Bearer abc', 'x-tenant': 't1' },
      },
    ],
    [
      'opentelemetry in protobuf',
      'opentelemetry',
      undefined,
      {
        TRACES_OPENTELEMETRY__endpoint: 'http://collector:4318',
        TRACES_OPENTELEMETRY__protocol: ' http/protobuf ',
      },
      {
        destination: 'opentelemetry',
        name: 'TRACES_OPENTELEMETRY',
        endpoint: 'http://collector:4318',
        headers: {},
        protocol: 'http/protobuf',
      },
    ],
  ] as const)('%s', (_name, destination, configured, env, expected) => {
    expect(resolveConnection(destination, configured, env)).toEqual(expected);
  });

  it.each([
    [
      'azuretable with nothing set',
      'azuretable',
      {},
      'TRACES_AZURETABLE__tableServiceUri: required app setting is missing',
    ],
    [
      'azuretable bad table name',
      'azuretable',
      { TRACES_AZURETABLE__connectionString: 'x', TRACES_AZURETABLE__tableName: 'a-b' },
      'TRACES_AZURETABLE__tableName: must be 3-63',
    ],
    ...[
      ['0', 'TRACES_AZURETABLE__partitionShards: must be a whole number from 1 to 100'],
      ['101', 'TRACES_AZURETABLE__partitionShards: must be a whole number from 1 to 100'],
      ['2.5', 'TRACES_AZURETABLE__partitionShards: must be a whole number from 1 to 100'],
      ['many', 'TRACES_AZURETABLE__partitionShards: must be a whole number from 1 to 100'],
    ].map(
      ([value, message]) =>
        [
          `azuretable partitionShards '${value}'`,
          'azuretable',
          { TRACES_AZURETABLE__connectionString: 'x', TRACES_AZURETABLE__partitionShards: value! },
          message!,
        ] as const,
    ),
    [
      'azuretable shardsPerNode above partitionShards',
      'azuretable',
      { TRACES_AZURETABLE__connectionString: 'x', TRACES_AZURETABLE__shardsPerNode: '8' },
      'TRACES_AZURETABLE__shardsPerNode: must not exceed partitionShards (default 4)',
    ],
    [
      'loganalytics missing ruleId',
      'loganalytics',
      { TRACES_LOGANALYTICS__endpoint: 'https://x' },
      'TRACES_LOGANALYTICS__ruleId: required app setting is missing',
    ],
    [
      'loganalytics bad ruleId',
      'loganalytics',
      { TRACES_LOGANALYTICS__endpoint: 'https://x', TRACES_LOGANALYTICS__ruleId: 'abc' },
      'TRACES_LOGANALYTICS__ruleId: must be a DCR immutable id',
    ],
    [
      'loganalytics bad endpoint',
      'loganalytics',
      { TRACES_LOGANALYTICS__endpoint: 'ftp://x', TRACES_LOGANALYTICS__ruleId: DCR },
      'TRACES_LOGANALYTICS__endpoint: must be an http(s) URL',
    ],
    [
      'opentelemetry missing endpoint',
      'opentelemetry',
      {},
      'TRACES_OPENTELEMETRY__endpoint: required app setting is missing',
    ],
    [
      'opentelemetry headers setting absent',
      'opentelemetry',
      { TRACES_OPENTELEMETRY__endpoint: 'http://c', TRACES_OPENTELEMETRY__headersSecretName: 'NOPE' },
      "names app setting 'NOPE', which is not set",
    ],
    [
      'opentelemetry with an unknown protocol (gRPC is not OTLP/HTTP)',
      'opentelemetry',
      { TRACES_OPENTELEMETRY__endpoint: 'http://c', TRACES_OPENTELEMETRY__protocol: 'grpc' },
      'TRACES_OPENTELEMETRY__protocol: must be http/json or http/protobuf',
    ],
  ] as const)('reports %s naming the app setting', (_name, destination, env, message) => {
    expect(() => resolveConnection(destination, undefined, env)).toThrow(message);
  });
});

describe('parseHeaderList', () => {
  it.each([
    ['', {}],
    ['a=1', { a: '1' }],
    ['A=1, b = two ,', { a: '1', b: 'two' }],
    ['k=v=w', { k: 'v=w' }],
  ])('%j', (text, expected) => {
    expect(parseHeaderList(text, 'S')).toEqual(expected);
  });
  it.each([['=v'], ['novalue'], ['bad name=1']])('rejects %j', (text) => {
    expect(() => parseHeaderList(text, 'S')).toThrow('S: header entry');
  });
});

describe('resolveConnection: the Log Analytics output schema (<NAME>__schema)', () => {
  const base = { S__endpoint: 'https://dce.ingest.monitor.azure.com', S__ruleId: DCR };

  it.each([
    ['unset: RetinaTraces_CL as before', {}, undefined],
    ['retina', { S__schema: 'retina' }, 'retina'],
    ['asim', { S__schema: 'asim' }, 'asim'],
    ['asim with spaces', { S__schema: ' asim ' }, 'asim'],
  ])('%s', (_name, extra, schema) => {
    const resolved = resolveConnection('loganalytics', 'S', { ...base, ...extra });
    expect(resolved).toMatchObject({ destination: 'loganalytics', streamName: 'Custom-RetinaTraces_CL' });
    expect((resolved as { schema?: string }).schema).toBe(schema);
  });

  it.each([['ASIM'], ['sentinel'], ['asim,retina']])('rejects %j naming the app setting', (value) => {
    expect(() => resolveConnection('loganalytics', 'S', { ...base, S__schema: value })).toThrow(
      /S__schema: must be one of: retina, asim/,
    );
  });
});
