import type { TokenCredential } from '@azure/core-auth';
import { AZURITE_ACCOUNT_KEY } from '../../../shared/local/azurite';
import type { AzureTableConnection } from '../../../shared/sinks/connection';
import {
  COSMOS_SCOPE,
  resolveTableEndpoint,
  STORAGE_SCOPE,
} from '../../../shared/sinks/azureTable/tableEndpoint';

const credential: TokenCredential = { getToken: async () => ({ token: 't', expiresOnTimestamp: 0 }) };
const KEY = AZURITE_ACCOUNT_KEY;

function connection(extra: Partial<AzureTableConnection>): AzureTableConnection {
  return { destination: 'azuretable', name: 'TRACES_AZURETABLE', tableName: 'RetinaTraces', ...extra };
}

describe('resolveTableEndpoint', () => {
  it.each([
    [
      'Azurite account connection string',
      `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${KEY};TableEndpoint=http://127.0.0.1:4321/devstoreaccount1/;`,
      {
        baseUrl: 'http://127.0.0.1:4321/devstoreaccount1',
        basePath: '/devstoreaccount1',
        kind: 'sharedKey',
        account: 'devstoreaccount1',
      },
    ],
    [
      'UseDevelopmentStorage=true',
      'UseDevelopmentStorage=true',
      {
        baseUrl: 'http://127.0.0.1:10002/devstoreaccount1',
        basePath: '/devstoreaccount1',
        kind: 'sharedKey',
        account: 'devstoreaccount1',
      },
    ],
    [
      'Azure account connection string (endpoint from suffix)',
      `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${KEY};EndpointSuffix=core.windows.net`,
      { baseUrl: 'https://acct.table.core.windows.net', basePath: '', kind: 'sharedKey', account: 'acct' },
    ],
    [
      'SAS connection string',
      'TableEndpoint=https://acct.table.core.windows.net/;SharedAccessSignature=sv=2019-02-02&ss=t&sig=a%2Bb',
      {
        baseUrl: 'https://acct.table.core.windows.net',
        basePath: '',
        kind: 'sas',
        query: 'sv=2019-02-02&ss=t&sig=a%2Bb',
      },
    ],
  ])(
    '%s',
    (
      _name,
      connectionString,
      expected: { baseUrl: string; basePath: string; kind: string; account?: string; query?: string },
    ) => {
      const endpoint = resolveTableEndpoint(connection({ connectionString }));
      expect(endpoint).toMatchObject({
        baseUrl: expected.baseUrl,
        basePath: expected.basePath,
        tableName: 'RetinaTraces',
        cosmos: false,
      });
      expect(endpoint.auth.kind).toBe(expected.kind);
      if (endpoint.auth.kind === 'sharedKey') {
        expect(endpoint.auth.accountName).toBe(expected.account);
        expect(endpoint.auth.key.toString('base64')).toBe(KEY);
      }
      if (endpoint.auth.kind === 'sas') expect(endpoint.auth.query).toBe(expected.query);
    },
  );

  it.each([
    ['https://acct.table.core.windows.net', STORAGE_SCOPE, false],
    ['https://acct.table.cosmos.azure.com/', COSMOS_SCOPE, true],
  ])('token credential for %s asks for %s', (tableServiceUri, scope, cosmos) => {
    const endpoint = resolveTableEndpoint(connection({ tableServiceUri }), credential);
    expect(endpoint).toMatchObject({ cosmos, basePath: '', auth: { kind: 'token', scope, credential } });
  });

  it('prefers the connection string over the URI', () => {
    const endpoint = resolveTableEndpoint(
      connection({
        tableServiceUri: 'https://x.table.core.windows.net',
        connectionString: 'UseDevelopmentStorage=true',
      }),
      credential,
    );
    expect(endpoint.baseUrl).toBe('http://127.0.0.1:10002/devstoreaccount1');
  });

  it.each([
    [
      'no AccountName',
      { connectionString: `AccountKey=${KEY};TableEndpoint=http://127.0.0.1:1/a` },
      /AccountKey but no AccountName/,
    ],
    ['SAS without endpoint', { connectionString: 'SharedAccessSignature=sig=x' }, /needs a TableEndpoint/],
    ['neither key nor SAS', { connectionString: 'AccountName=a' }, /neither AccountName\/AccountKey nor/],
    ['empty connection string', { connectionString: '' }, /neither/],
    [
      'bad TableEndpoint',
      { connectionString: `AccountName=a;AccountKey=${KEY};TableEndpoint=not a url` },
      /TableEndpoint 'not a url' is not a URL/,
    ],
    [
      'ftp TableEndpoint',
      { connectionString: `AccountName=a;AccountKey=${KEY};TableEndpoint=ftp://h/a` },
      /must be http\(s\)/,
    ],
    [
      'bad protocol',
      { connectionString: `DefaultEndpointsProtocol=ftp;AccountName=a;AccountKey=${KEY}` },
      /DefaultEndpointsProtocol must be https or http/,
    ],
    [
      'key not base64',
      { connectionString: 'AccountName=a;AccountKey=%%%;TableEndpoint=http://127.0.0.1:1/a' },
      /AccountKey is not base64/,
    ],
    [
      'URI without credential',
      { tableServiceUri: 'https://acct.table.core.windows.net' },
      /a token credential is needed/,
    ],
    ['neither setting', {}, /set tableServiceUri or connectionString/],
  ])('rejects %s, naming the connection', (_name, extra, message) => {
    const withCredential = 'tableServiceUri' in extra ? undefined : credential;
    expect(() => resolveTableEndpoint(connection(extra), withCredential)).toThrow(
      expect.objectContaining({ code: 'CONNECTION_INVALID', message: expect.stringMatching(message) }),
    );
    expect(() => resolveTableEndpoint(connection(extra), withCredential)).toThrow(/TRACES_AZURETABLE/);
  });

  it('never sends a bearer token over http', () => {
    expect(() =>
      resolveTableEndpoint(connection({ tableServiceUri: 'http://127.0.0.1:1' }), credential),
    ).toThrow(/must be https/);
  });
});
