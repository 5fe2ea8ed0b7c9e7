import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TableClient } from '@azure/data-tables';
import { AZURITE_ACCOUNT_KEY, AZURITE_ACCOUNT_NAME } from '../../../shared/local/azurite';
import { sharedKeyLiteAuthorization } from '../../../shared/sinks/azureTable/tableAuthorization';
import {
  entityKeyInUrl,
  operationPart,
  serializeEntity,
  transactionBody,
} from '../../../shared/sinks/azureTable/transactionBody';
import type { TraceEntity } from '../../../shared/sinks/azureTable/encode';

const TARGET = { tableUrl: 'https://acct.table.core.windows.net/RetinaTraces', cosmos: false };

/** Captures what @azure/data-tables sends for one upsert transaction. */
async function sdkTransaction(
  entity: TraceEntity,
): Promise<{ headers: IncomingHttpHeaders; body: string; path: string }> {
  let seen: { headers: IncomingHttpHeaders; body: string; path: string } | undefined;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      seen = { headers: req.headers, body, path: req.url ?? '' };
      res
        .writeHead(202, { 'content-type': 'multipart/mixed; boundary=batchresponse_1' })
        .end(
          '--batchresponse_1\r\nContent-Type: multipart/mixed; boundary=changesetresponse_2\r\n\r\n' +
            '--changesetresponse_2\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n\r\n' +
            '--changesetresponse_2--\r\n--batchresponse_1--\r\n',
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const port = (server.address() as AddressInfo).port;
    const client = TableClient.fromConnectionString(
      `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT_NAME};AccountKey=${AZURITE_ACCOUNT_KEY};TableEndpoint=http://127.0.0.1:${port}/${AZURITE_ACCOUNT_NAME}`,
      'RetinaTraces',
      { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } },
    );
    await client.submitTransaction([['upsert', entity, 'Merge']]);
  } finally {
    server.close();
  }
  if (seen === undefined) throw new Error('the SDK sent nothing');
  return seen;
}

const ENTITY: TraceEntity = {
  partitionKey: 'aks|default.web|2026112509|node-1|00',
  rowKey: 'rec0001',
  HttpPath: '/ünï/😀?"q"=\\1\n',
  SourcePort: 40001,
  Ratio: 1.5,
  DnsIsResponse: false,
  TcpSeq: { value: '3000000001', type: 'Int64' },
  TimeGenerated: new Date('2026-11-25T09:10:00.123Z'),
  DestinationLabels: '{"app":"api"}',
};

describe('serializeEntity', () => {
  it('writes what @azure/data-tables writes for the same entity (types, annotations, escapes)', async () => {
    const sent = await sdkTransaction(ENTITY);
    const sdkJson = /\r\n(\{.*\})\r\n--changeset_/.exec(sent.body)?.[1];
    expect(JSON.parse(serializeEntity(ENTITY))).toEqual(JSON.parse(sdkJson ?? 'null'));
  });

  it.each([
    ['bigint as Int64', { n: 12n }, { 'n@odata.type': 'Edm.Int64', n: '12' }],
    ['non-finite numbers left out', { a: NaN, b: Infinity, c: 0 }, { c: 0 }],
    ['undefined and null left out', { a: undefined, b: null, c: '' }, { c: '' }],
    ['invalid Date left out', { d: new Date('nope') }, {}],
    [
      'other typed values annotated',
      { g: { value: 'abc', type: 'Guid' } },
      { 'g@odata.type': 'Edm.Guid', g: 'abc' },
    ],
    [
      'typed values without a value left out',
      { g: { type: 'Guid' }, h: { value: { x: 1 }, type: 'Int64' } },
      {},
    ],
    ['functions left out', { f: () => 1 }, {}],
  ])('%s', (_name, extra, expected) => {
    const json = serializeEntity({ partitionKey: 'p', rowKey: 'r', ...extra });
    expect(JSON.parse(json)).toEqual({ PartitionKey: 'p', RowKey: 'r', ...expected });
  });
});

describe('entityKeyInUrl', () => {
  it.each([
    ['plain', 'plain'],
    ['', ''],
    ["a|b'c d%é", "a%7Cb''c%20d%25%C3%A9"],
    ["''", "''''"],
  ])('%j → %j (as the SDK writes it)', (key, expected) => {
    expect(entityKeyInUrl(key)).toBe(expected);
  });

  it('matches the sub-request URL the SDK builds', async () => {
    const key = "c|ns.a'b|2026112509|nöde 1|00";
    const sent = await sdkTransaction({ partitionKey: key, rowKey: "r'1" });
    expect(sent.body).toContain(`(PartitionKey='${entityKeyInUrl(key)}',RowKey='${entityKeyInUrl("r'1")}')`);
  });
});

describe('Shared Key Lite', () => {
  it('signs a $batch request exactly as @azure/data-tables does', async () => {
    const sent = await sdkTransaction({ partitionKey: 'p', rowKey: 'r' });
    const date = String(sent.headers['x-ms-date']);
    expect(
      sharedKeyLiteAuthorization(
        AZURITE_ACCOUNT_NAME,
        Buffer.from(AZURITE_ACCOUNT_KEY, 'base64'),
        sent.path,
        date,
      ),
    ).toBe(sent.headers.authorization);
  });
});

describe('transaction body', () => {
  it('is one changeset of PATCH operations, framed as the REST documentation shows', () => {
    const parts = ['r1', 'r2'].map((rowKey) =>
      operationPart(TARGET, 'changeset_c', entityKeyInUrl('p|1'), rowKey, `{"RowKey":"${rowKey}"}`),
    );
    expect(transactionBody('batch_b', 'changeset_c', parts).toString('utf8')).toBe(
      [
        '--batch_b',
        'Content-Type: multipart/mixed; boundary=changeset_c',
        '',
        '--changeset_c',
        'Content-Type: application/http',
        'Content-Transfer-Encoding: binary',
        '',
        "PATCH https://acct.table.core.windows.net/RetinaTraces(PartitionKey='p%7C1',RowKey='r1') HTTP/1.1",
        'Content-Type: application/json',
        'Accept: application/json;odata=nometadata',
        'DataServiceVersion: 3.0;',
        '',
        '{"RowKey":"r1"}',
        '--changeset_c',
        'Content-Type: application/http',
        'Content-Transfer-Encoding: binary',
        '',
        "PATCH https://acct.table.core.windows.net/RetinaTraces(PartitionKey='p%7C1',RowKey='r2') HTTP/1.1",
        'Content-Type: application/json',
        'Accept: application/json;odata=nometadata',
        'DataServiceVersion: 3.0;',
        '',
        '{"RowKey":"r2"}',
        '--changeset_c--',
        '--batch_b--',
        '',
      ].join('\r\n'),
    );
  });

  it('uses POST with X-HTTP-Method: MERGE for Cosmos DB', () => {
    const part = operationPart({ ...TARGET, cosmos: true }, 'changeset_c', 'p', 'r', '{}');
    expect(part).toContain(
      "POST https://acct.table.core.windows.net/RetinaTraces(PartitionKey='p',RowKey='r') HTTP/1.1\r\nX-HTTP-Method: MERGE\r\n",
    );
  });

  it('encodes UTF-8, in a scratch buffer when it is large enough', () => {
    const parts = [operationPart(TARGET, 'c', 'p', 'r', '{"s":"😀é"}')];
    const small = Buffer.alloc(10);
    const large = Buffer.alloc(4096);
    const fromSmall = transactionBody('b', 'c', parts, small);
    const fromLarge = transactionBody('b', 'c', parts, large);
    expect(fromSmall.buffer).not.toBe(small.buffer);
    expect(fromLarge.buffer).toBe(large.buffer);
    expect(fromLarge.toString('utf8')).toBe(fromSmall.toString('utf8'));
    expect(fromLarge.toString('utf8')).toContain('{"s":"😀é"}');
  });

  it('is an empty changeset for no operations', () => {
    expect(transactionBody('b', 'c', []).toString()).toBe(
      '--b\r\nContent-Type: multipart/mixed; boundary=c\r\n\r\n--c--\r\n--b--\r\n',
    );
  });
});
