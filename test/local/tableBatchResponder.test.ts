import { TableClient } from '@azure/data-tables';
import { AZURITE_ACCOUNT_KEY, AZURITE_ACCOUNT_NAME } from '../../shared/local/azurite';
import { answerTableBatch, TableBatchResponder } from '../../shared/local/tableBatchResponder';

const changeset = (operations: string[]) =>
  [
    '--batch_1',
    'Content-Type: multipart/mixed; boundary=changeset_1',
    '',
    ...operations.flatMap((operation) => [
      '--changeset_1',
      'Content-Type: application/http',
      '',
      operation,
      '',
    ]),
    '--changeset_1--',
    '--batch_1--',
  ].join('\r\n');
const patch = (pk: string, rk: string) =>
  `PATCH http://x/t(PartitionKey='${pk}',RowKey='${rk}') HTTP/1.1\r\nContent-Type: application/json\r\n\r\n{}`;
const post = (pk: string) =>
  `POST http://x/t HTTP/1.1\r\nContent-Type: application/json\r\n\r\n{"PartitionKey":"${pk}","RowKey":"r"}`;
const BATCH = 'multipart/mixed; boundary=batch_1';

describe('answerTableBatch', () => {
  it.each<[string, string | undefined, string, number, RegExp | number]>([
    ['two upserts of one partition', BATCH, changeset([patch('p', '1'), patch('p', '2')]), 202, 2],
    ['an insert naming its PartitionKey in the body', BATCH, changeset([post('p'), patch('p', '2')]), 202, 2],
    ['no content type', undefined, changeset([patch('p', '1')]), 400, /multipart\/mixed/],
    ['JSON instead of a batch', 'application/json', '{}', 400, /batch_ boundary/],
    ['a batch without a changeset', BATCH, '--batch_1\r\n--batch_1--', 400, /no changeset/],
    ['an empty changeset', BATCH, changeset([]), 400, /no operation/],
    [
      'two partitions',
      BATCH,
      changeset([patch('p', '1'), patch('q', '2')]),
      400,
      /CommandsInBatchActOnDifferentPartitions/,
    ],
    [
      '101 operations',
      BATCH,
      changeset(Array.from({ length: 101 }, (_, i) => patch('p', String(i)))),
      400,
      /at most 100/,
    ],
    [
      'an operation without a PartitionKey',
      BATCH,
      changeset(['DELETE http://x/t() HTTP/1.1\r\n']),
      400,
      /operation 1 names no PartitionKey/,
    ],
    [
      'over 4 MiB',
      BATCH,
      changeset([patch('p', '1')]) + ' '.repeat(4 * 1024 * 1024),
      413,
      /RequestBodyTooLarge/,
    ],
  ])('%s', (_name, contentType, body, status, expected) => {
    const answer = answerTableBatch(contentType, body);
    expect(answer.status).toBe(status);
    if (typeof expected === 'number') {
      expect(answer.operations).toBe(expected);
      expect(answer.body.match(/HTTP\/1\.1 204 No Content/g)).toHaveLength(expected);
    } else expect(answer.body).toMatch(expected);
  });
});

describe('TableBatchResponder', () => {
  const responder = new TableBatchResponder();
  let client: TableClient;
  beforeAll(async () => {
    const port = await responder.start();
    client = TableClient.fromConnectionString(
      `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT_NAME};AccountKey=${AZURITE_ACCOUNT_KEY};TableEndpoint=http://127.0.0.1:${port}/${AZURITE_ACCOUNT_NAME};`,
      'Traces',
      { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } },
    );
  });
  afterAll(() => responder.stop());

  it('answers the real TableClient: table creation and transactions, counted', async () => {
    await client.createTable();
    const response = await client.submitTransaction(
      [1, 2, 3].map((i) => ['upsert', { partitionKey: 'p', rowKey: String(i), value: i }, 'Merge']),
    );
    expect(response.status).toBe(202);
    expect(response.subResponses.map((r) => r.status)).toEqual([204, 204, 204]);
    expect([responder.transactions, responder.operations, responder.refused]).toEqual([1, 3, 0]);
  });

  it('refuses what it does not serve, as the client sees a service error', async () => {
    await expect(client.getEntity('p', '1')).rejects.toMatchObject({ statusCode: 501 });
    expect(responder.refused).toBe(1);
  });
});
