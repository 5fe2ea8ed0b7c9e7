/**
 * CPU per entity of Azure Table delivery, with no network wait: encoding, batching by PartitionKey,
 * building the transaction request and reading a canned `202` response, for
 * - `sdk`: the former path (`@azure/data-tables` `submitTransaction`, answered by an in-memory
 *   HttpClient), and
 * - `direct`: the sink's own `$batch` path (answered by an in-memory `send`).
 * CPU is user + system time of the process (process.cpuUsage) over all pushes, divided by entities.
 * Run alone: `npm run build:bench && node .bench-dist/bench/tableCpu.js`; also part of `npm run bench:sinks`.
 */
import { TableClient, type TableServiceClientOptions, type TransactionAction } from '@azure/data-tables';
import type { TraceRecord } from '../shared/record/traceRecord';
import { AZURITE_ACCOUNT_KEY, AZURITE_ACCOUNT_NAME } from '../shared/local/azurite';
import { AzureTableSink, mergeByRowKey } from '../shared/sinks/azureTable/azureTableSink';
import { encodeEntity, encodeEntityOperation, type TraceEntity } from '../shared/sinks/azureTable/encode';
import { TableTransactionClient } from '../shared/sinks/azureTable/tableTransactionClient';
import type { TableHttpSend } from '../shared/sinks/azureTable/tableHttp';
import type { SerializedEntity } from '../shared/sinks/azureTable/transactionBody';
import type { EncodeResult, EncodedRecord } from '../shared/sinks/sink';
import { makeRecord } from '../test/support/traceRecords';

type HttpClient = NonNullable<TableServiceClientOptions['httpClient']>;
type PipelineRequest = Parameters<HttpClient['sendRequest']>[0];

const ENDPOINT = `http://127.0.0.1:10002/${AZURITE_ACCOUNT_NAME}`;

/** A `202` body with `count` successful sub-responses. */
const responses = new Map<number, string>();
function successBody(count: number): string {
  let body = responses.get(count);
  if (body === undefined) {
    const part =
      '--changesetresponse_b\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n' +
      'HTTP/1.1 204 No Content\r\nX-Content-Type-Options: nosniff\r\nCache-Control: no-cache\r\n' +
      'DataServiceVersion: 1.0;\r\nETag: W/"datetime\'2026-11-25T09%3A10%3A00.0000000Z\'"\r\n\r\n\r\n';
    body =
      '--batchresponse_a\r\nContent-Type: multipart/mixed; boundary=changesetresponse_b\r\n\r\n' +
      part.repeat(count) +
      '--changesetresponse_b--\r\n--batchresponse_a--\r\n';
    responses.set(count, body);
  }
  return body;
}

function countOperations(body: string | Buffer): number {
  let count = 0;
  for (let at = body.indexOf('HTTP/1.1\r\n'); at >= 0; at = body.indexOf('HTTP/1.1\r\n', at + 1)) count++;
  return count;
}

/** An HttpClient answering every transaction at once (the SDK still runs its whole pipeline). */
const sdkHttpClient: HttpClient = {
  async sendRequest(request: PipelineRequest) {
    const body = typeof request.body === 'string' ? request.body : '';
    const headers = new Map<string, string>([['content-type', 'multipart/mixed; boundary=batchresponse_a']]);
    return {
      request,
      status: 202,
      bodyAsText: successBody(countOperations(body)),
      headers: {
        get: (name: string) => headers.get(name.toLowerCase()),
        has: (name: string) => headers.has(name.toLowerCase()),
        set: (name: string, value: string | number | boolean) =>
          void headers.set(name.toLowerCase(), String(value)),
        delete: (name: string) => void headers.delete(name.toLowerCase()),
        toJSON: () => Object.fromEntries(headers),
        [Symbol.iterator]: () => headers.entries(),
      },
    };
  },
};

const directSend: TableHttpSend = async (request) => ({
  status: 202,
  headers: { 'content-type': 'multipart/mixed; boundary=batchresponse_a' },
  body: successBody(countOperations(request.body)),
});

type Push<P> = (batch: Array<EncodedRecord<P>>) => Promise<void>;

/** Entities grouped by PartitionKey, at most 100 per transaction, input order kept (as the delivery queue packs them). */
function transactionsOf<P>(encoded: ReadonlyArray<EncodedRecord<P>>): Array<Array<EncodedRecord<P>>> {
  const open = new Map<string, Array<EncodedRecord<P>>>();
  const transactions: Array<Array<EncodedRecord<P>>> = [];
  for (const item of encoded) {
    let batch = open.get(item.group ?? '');
    if (batch === undefined) open.set(item.group ?? '', (batch = []));
    batch.push(item);
    if (batch.length === 100) {
      transactions.push(batch);
      open.delete(item.group ?? '');
    }
  }
  transactions.push(...open.values());
  return transactions;
}

async function measure<P>(
  records: readonly TraceRecord[],
  encode: (record: TraceRecord) => EncodeResult<P>,
  push: Push<P>,
  rounds: number,
): Promise<number> {
  const run = async (): Promise<number> => {
    const encoded: Array<EncodedRecord<P>> = [];
    for (const record of records) {
      const result = encode(record);
      if (result.ok) encoded.push(result.value);
    }
    for (const batch of transactionsOf(encoded)) await push(batch);
    return encoded.length;
  };
  await run(); // warm-up
  const start = process.cpuUsage();
  let entities = 0;
  for (let round = 0; round < rounds; round++) entities += await run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / entities;
}

/** Per-entity CPU (µs) of both paths over `count` records (with HTTP, and L3/L4 only). */
export async function tableDeliveryCpu(count = 5_000, rounds = 4): Promise<Array<[string, number]>> {
  const connectionString = `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT_NAME};AccountKey=${AZURITE_ACCOUNT_KEY};TableEndpoint=${ENDPOINT};`;
  const sdk = TableClient.fromConnectionString(connectionString, 'Bench', {
    allowInsecureConnection: true,
    retryOptions: { maxRetries: 0 },
    httpClient: sdkHttpClient,
  });
  const sdkPush: Push<TraceEntity> = async (batch) => {
    const actions: TransactionAction[] = mergeByRowKey(batch.map((item) => item.payload)).map((entity) => [
      'upsert',
      entity,
      'Merge',
    ]);
    await sdk.submitTransaction(actions);
  };
  const client = new TableTransactionClient(
    {
      baseUrl: ENDPOINT,
      basePath: `/${AZURITE_ACCOUNT_NAME}`,
      tableName: 'Bench',
      auth: {
        kind: 'sharedKey',
        accountName: AZURITE_ACCOUNT_NAME,
        key: Buffer.from(AZURITE_ACCOUNT_KEY, 'base64'),
      },
      cosmos: false,
    },
    {
      send: async (request) =>
        request.url.endsWith('/Tables') ? { status: 204, headers: {}, body: '' } : directSend(request),
    },
  );
  const sink = new AzureTableSink(client, 'bench', { shards: 1 });
  const signal = new AbortController().signal;
  const directPush: Push<SerializedEntity> = async (batch) => {
    const result = await sink.push(batch, { abortSignal: signal });
    if (!result.ok) throw new Error(`bench push failed: ${result.failure.reason}`);
  };
  const withL7 = Array.from({ length: count }, (_, i) => makeRecord(i));
  const l4 = withL7.map((record) => {
    const {
      L7Protocol: _p,
      HttpMethod: _m,
      HttpPath: _path,
      HttpHost: _h,
      HttpVersion: _v,
      HttpUserAgent: _ua,
      ...rest
    } = record;
    return rest;
  });
  const results: Array<[string, number]> = [];
  for (const [label, records] of [
    ['with HTTP', withL7],
    ['L3/L4 only', l4],
  ] as const) {
    results.push([
      `sdk submitTransaction, ${label}`,
      await measure(records, (record) => encodeEntity(record, 1), sdkPush, rounds),
    ]);
    results.push([
      `direct $batch, ${label}`,
      await measure(records, (record) => encodeEntityOperation(record, 1), directPush, rounds),
    ]);
  }
  return results;
}

/** Prints {@link tableDeliveryCpu}. */
export async function printTableDeliveryCpu(count?: number): Promise<void> {
  console.log('Azure Table delivery CPU per entity (encode + batch + request + response, no network):');
  for (const [label, us] of await tableDeliveryCpu(count))
    console.log(`  ${label.padEnd(36)} ${us.toFixed(1).padStart(7)} µs/entity`);
}

if (require.main === module) {
  void printTableDeliveryCpu(Number(process.env.BENCH_RECORDS ?? 5_000)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
