/**
 * The sink's HTTP behaviour against a tiny local Table responder (plain http with a shared key, and
 * https with a bearer token from a fake credential): which answers are retried, with what
 * Retry-After, which entities are reported failed, and what reaches the dead letter.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { createLocalCertificate } from '../../../shared/local/selfSignedCert';
import { AZURITE_ACCOUNT_KEY } from '../../../shared/local/azurite';
import { createAzureTableSink, type AzureTableSink } from '../../../shared/sinks/azureTable/azureTableSink';
import { STORAGE_SCOPE } from '../../../shared/sinks/azureTable/tableEndpoint';
import type { DeadLetterBatch, DeadLetterWriter } from '../../../shared/sinks/send/deadLetter';
import { deliver } from '../../../shared/sinks/send/deliver';
import type { EncodedRecord } from '../../../shared/sinks/sink';
import type { SerializedEntity } from '../../../shared/sinks/azureTable/transactionBody';
import { makeRecord } from '../../support/traceRecords';
import { createSink } from '../../../shared/sinks/createSink';
import { resolveConnection } from '../../../shared/sinks/connection';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}
type Answer = (request: Seen) => { status: number; headers?: Record<string, string>; body?: string };

const odata = (code: string, value: string): string =>
  JSON.stringify({ 'odata.error': { code, message: { lang: 'en-US', value } } });

/** A 202 answer for a request body: all operations succeed, or operation `failAt` fails. */
function batchAnswer(
  body: string,
  fail?: { at: (rowKeys: string[]) => number; status: number; code: string },
) {
  const rowKeys = [...body.matchAll(/RowKey='([^']*)'\) HTTP\/1\.1/g)].map((m) => decodeURIComponent(m[1]!));
  const at = fail?.at(rowKeys) ?? -1;
  const part = (status: string, error = ''): string =>
    `--changesetresponse_r\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nHTTP/1.1 ${status}\r\n\r\n${error}\r\n`;
  const parts =
    at >= 0
      ? part(`${fail!.status} Failed`, odata(fail!.code, `${at}:operation ${at} refused.\nRequestId:x`))
      : rowKeys.map(() => part('204 No Content')).join('');
  return {
    status: 202,
    headers: { 'content-type': 'multipart/mixed; boundary=batchresponse_q' },
    body: `--batchresponse_q\r\nContent-Type: multipart/mixed; boundary=changesetresponse_r\r\n\r\n${parts}--changesetresponse_r--\r\n--batchresponse_q--\r\n`,
  };
}

class Responder {
  readonly seen: Seen[] = [];
  answer: Answer = (request) =>
    request.url.includes('/Tables') ? { status: 204 } : batchAnswer(request.body);
  private server: Server | undefined;
  certificate = '';

  async start(secure: boolean): Promise<string> {
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        const seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
        this.seen.push(seen);
        const answer = this.answer(seen);
        res.writeHead(answer.status, answer.headers ?? {}).end(answer.body ?? '');
      });
    };
    if (secure) {
      const { key, cert } = await createLocalCertificate();
      this.certificate = cert;
      this.server = createHttpsServer({ key, cert }, handler);
    } else this.server = createHttpServer(handler);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const port = (this.server.address() as AddressInfo).port;
    return `${secure ? 'https' : 'http'}://127.0.0.1:${port}`;
  }

  batches(): Seen[] {
    return this.seen.filter((s) => s.url.includes('$batch'));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server === undefined ? resolve() : this.server.close(() => resolve()),
    );
  }
}

class MemoryDeadLetter implements DeadLetterWriter {
  readonly batches: DeadLetterBatch[] = [];
  async write(batch: DeadLetterBatch): Promise<string> {
    this.batches.push(batch);
    return `dl-${this.batches.length}`;
  }
}

function items(sink: AzureTableSink, count: number, from = 0): Array<EncodedRecord<SerializedEntity>> {
  return Array.from({ length: count }, (_, i) => {
    const encoded = sink.encode(makeRecord(from + i, { NodeName: 'node-0' }));
    if (!encoded.ok) throw new Error(encoded.reason);
    return encoded.value;
  });
}

describe('Azure Table sink over HTTP (shared key)', () => {
  const responder = new Responder();
  let sink: AzureTableSink;
  let tableEndpoint = '';
  beforeAll(async () => {
    const url = await responder.start(false);
    tableEndpoint = url;
    sink = createAzureTableSink(
      {
        destination: 'azuretable',
        name: 'TRACES_AZURETABLE',
        tableName: 'RetinaTraces',
        connectionString: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${AZURITE_ACCOUNT_KEY};TableEndpoint=${url}/devstoreaccount1`,
      },
      { shards: 1 },
    );
  });
  afterAll(async () => {
    await sink.close();
    await responder.stop();
  });
  beforeEach(() => {
    responder.seen.length = 0;
    responder.answer = (request) =>
      request.url.includes('/Tables') ? { status: 409 } : batchAnswer(request.body);
  });
  const signal = (): AbortSignal => AbortSignal.timeout(5000);

  it('creates the table once (409 is success) and signs every request with Shared Key Lite', async () => {
    await expect(sink.push(items(sink, 3), { abortSignal: signal() })).resolves.toEqual({ ok: true });
    await expect(sink.push(items(sink, 2, 10), { abortSignal: signal() })).resolves.toEqual({ ok: true });
    expect(responder.seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'POST /devstoreaccount1/Tables',
      'POST /devstoreaccount1/$batch',
      'POST /devstoreaccount1/$batch',
    ]);
    for (const seen of responder.seen) {
      expect(seen.headers.authorization).toMatch(/^SharedKeyLite devstoreaccount1:/);
      expect(seen.headers['x-ms-version']).toBe('2019-02-02');
    }
    expect(responder.seen[1]!.headers['content-type']).toMatch(/^multipart\/mixed; boundary=batch_/);
  });

  it.each([
    [
      '429 with Retry-After seconds',
      429,
      { 'retry-after': '3' },
      { kind: 'retryable', code: 'HTTP_429', retryAfterMs: 3000 },
    ],
    [
      '503 with x-ms-retry-after-ms',
      503,
      { 'x-ms-retry-after-ms': '250' },
      { kind: 'retryable', code: 'HTTP_503', retryAfterMs: 250 },
    ],
    ['500', 500, {}, { kind: 'retryable', code: 'HTTP_500' }],
    ['413 (our bug: never retried blindly)', 413, {}, { kind: 'permanent', code: 'HTTP_413' }],
    ['403', 403, {}, { kind: 'permanent', code: 'HTTP_403' }],
    ['400 for the whole batch', 400, {}, { kind: 'permanent', code: 'HTTP_400' }],
  ])('classifies a refused transaction: %s', async (_name, status, headers, expected) => {
    responder.answer = (request) =>
      request.url.includes('/Tables')
        ? { status: 204 }
        : {
            status,
            headers: { 'content-type': 'application/json', ...headers },
            body: odata('Refused', 'refused.'),
          };
    const caught: unknown = await sink
      .push(items(sink, 2), { abortSignal: signal() })
      .catch((error: unknown) => error);
    expect(sink.classify(caught)).toMatchObject(expected);
    expect(String((caught as Error).message)).toContain(`HTTP ${status}: Refused: refused.`);
  });

  it('fails the whole push as retryable when an operation is throttled, with the response Retry-After', async () => {
    responder.answer = (request) =>
      request.url.includes('/Tables')
        ? { status: 204 }
        : {
            ...batchAnswer(request.body, { at: () => 0, status: 503, code: 'ServerBusy' }),
            headers: { 'retry-after': '2' },
          };
    const caught: unknown = await sink
      .push(items(sink, 3), { abortSignal: signal() })
      .catch((error: unknown) => error);
    expect(sink.classify(caught)).toMatchObject({ kind: 'retryable', code: 'HTTP_503', retryAfterMs: 2000 });
  });

  it('reports only the entity the service rejected and writes the others in a second transaction', async () => {
    const batch = items(sink, 5);
    const bad = batch[2]!.payload.rowKey;
    responder.answer = (request) =>
      batchAnswer(request.body, {
        at: (rowKeys) => rowKeys.indexOf(bad),
        status: 400,
        code: 'PropertyValueTooLarge',
      });
    const result = await sink.push(batch, { abortSignal: signal() });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.failed.map((item) => item.payload.rowKey)).toEqual([bad]);
    expect(result.failure).toMatchObject({ kind: 'permanent', code: 'HTTP_400' });
    expect(result.failure.reason).toContain('PropertyValueTooLarge');
    const sent = responder.batches().map((s) => (s.body.match(/HTTP\/1\.1\r\n/g) ?? []).length);
    expect(sent).toEqual([5, 4]);
  });

  it('reports every record of a rejected entity when twins were merged into it', async () => {
    const [one, two] = items(sink, 2);
    const twin = { ...one!, record: structuredClone(one!.record) };
    const bad = one!.payload.rowKey;
    responder.answer = (request) =>
      batchAnswer(request.body, { at: (rowKeys) => rowKeys.indexOf(bad), status: 400, code: 'InvalidInput' });
    const result = await sink.push([one!, two!, twin], { abortSignal: signal() });
    expect(result.ok ? [] : result.failed).toEqual([one, twin]);
  });

  it('gives up entity by entity after 8 rejections: the rest is failed with the first reason', async () => {
    responder.answer = (request) =>
      batchAnswer(request.body, { at: () => 0, status: 400, code: 'InvalidInput' });
    const result = await sink.push(items(sink, 20), { abortSignal: signal() });
    expect(result.ok ? 0 : result.failed.length).toBe(20);
    expect(responder.batches()).toHaveLength(9);
  });

  it('fails the whole transaction when an operation is refused for a reason not its own (403)', async () => {
    responder.answer = (request) =>
      batchAnswer(request.body, { at: () => 1, status: 403, code: 'AuthorizationFailure' });
    const result = await sink.push(items(sink, 3), { abortSignal: signal() });
    expect(result).toMatchObject({ ok: false, failure: { kind: 'permanent', code: 'HTTP_403' } });
    expect(result.ok ? 0 : result.failed.length).toBe(3);
    expect(responder.batches()).toHaveLength(1);
  });

  it('creates the table again after TableNotFound, which is retryable', async () => {
    const fresh = createAzureTableSink({
      destination: 'azuretable',
      name: 'T',
      tableName: 'RetinaTraces',
      connectionString: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${AZURITE_ACCOUNT_KEY};TableEndpoint=${tableEndpoint}/devstoreaccount1`,
    });
    let missing = true;
    responder.answer = (request) => {
      if (request.url.includes('/Tables')) {
        missing = false;
        return { status: 201 };
      }
      return batchAnswer(
        request.body,
        missing ? { at: () => 0, status: 404, code: 'TableNotFound' } : undefined,
      );
    };
    await expect(fresh.push(items(fresh, 2), { abortSignal: signal() })).resolves.toEqual({ ok: true });
    missing = true;
    const caught: unknown = await fresh
      .push(items(fresh, 2), { abortSignal: signal() })
      .catch((e: unknown) => e);
    expect(fresh.classify(caught)).toMatchObject({ kind: 'retryable', code: 'HTTP_404' });
    await expect(fresh.push(items(fresh, 2), { abortSignal: signal() })).resolves.toEqual({ ok: true });
    expect(responder.seen.map((s) => s.url.replace('/devstoreaccount1', ''))).toEqual([
      '/Tables',
      '/$batch',
      '/$batch',
      '/Tables',
      '/$batch',
    ]);
  });

  it('treats a 202 without one result per operation as retryable', async () => {
    responder.answer = () => ({ status: 202, body: 'nothing useful' });
    const caught: unknown = await sink
      .push(items(sink, 2), { abortSignal: signal() })
      .catch((error: unknown) => error);
    expect(sink.classify(caught)).toMatchObject({ kind: 'retryable', code: 'TABLE_RESPONSE_INVALID' });
  });

  it('through deliver: retries 429 then 503, and dead-letters only the rejected record', async () => {
    const records = Array.from({ length: 6 }, (_, i) => makeRecord(500 + i, { NodeName: 'node-0' }));
    const badRowKey = records[4]!.RecordId;
    const faults = [429, 503];
    responder.answer = (request) => {
      if (request.url.includes('/Tables')) return { status: 204 };
      const fault = faults.shift();
      if (fault !== undefined)
        return { status: fault, headers: { 'retry-after': '0' }, body: odata('Busy', 'busy') };
      return batchAnswer(request.body, {
        at: (rowKeys) => rowKeys.indexOf(badRowKey),
        status: 400,
        code: 'EntityTooLarge',
      });
    };
    const deadLetter = new MemoryDeadLetter();
    const report = await deliver(sink, records, {
      deadLetter,
      batchRef: 'test:1',
      baseDelayMs: 1,
      maxDelayMs: 2,
    });
    expect(report).toMatchObject({ records: 6, delivered: 5, deadLettered: 1, attempts: 3, batches: 1 });
    expect(report.failures).toEqual([expect.objectContaining({ code: 'HTTP_400', count: 1 })]);
    expect(deadLetter.batches[0]!.entries.map((e) => (e.kind === 'record' ? e.record.RecordId : ''))).toEqual(
      [badRowKey],
    );
  });

  it('cancels a hung request with the abort signal (a retryable timeout)', async () => {
    responder.answer = () => ({ status: 202 });
    const hang = new Responder();
    const url = await hang.start(false);
    const never = createHttpServer(() => undefined);
    await hang.stop();
    await new Promise<void>((resolve) => never.listen(Number(new URL(url).port), '127.0.0.1', resolve));
    try {
      const slow = createAzureTableSink({
        destination: 'azuretable',
        name: 'T',
        tableName: 'RetinaTraces',
        connectionString: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${AZURITE_ACCOUNT_KEY};TableEndpoint=${url}/devstoreaccount1`,
      });
      const caught: unknown = await slow
        .push(items(slow, 1), { abortSignal: AbortSignal.timeout(200) })
        .catch((e: unknown) => e);
      expect(slow.classify(caught)).toMatchObject({ kind: 'retryable', code: 'TIMEOUT' });
    } finally {
      never.closeAllConnections();
      await new Promise<void>((resolve) => never.close(() => resolve()));
    }
  });
});

describe('Azure Table sink over HTTPS with a token credential (managed identity in Azure)', () => {
  const responder = new Responder();
  const scopes: Array<string | string[]> = [];
  const credential: TokenCredential = {
    async getToken(scope): Promise<AccessToken> {
      scopes.push(scope);
      return { token: `fake-token-${scopes.length}`, expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  };
  afterAll(async () => responder.stop());

  it('sends Authorization: Bearer for the storage scope on every request, fetching the token once', async () => {
    const url = await responder.start(true);
    const sink = createAzureTableSink(
      {
        destination: 'azuretable',
        name: 'TRACES_AZURETABLE',
        tableName: 'RetinaTraces',
        tableServiceUri: url,
      },
      { credential, ca: responder.certificate, shards: 1 },
    );
    await expect(sink.push(items(sink, 4), { abortSignal: AbortSignal.timeout(5000) })).resolves.toEqual({
      ok: true,
    });
    await expect(sink.push(items(sink, 4, 9), { abortSignal: AbortSignal.timeout(5000) })).resolves.toEqual({
      ok: true,
    });
    await sink.close();
    expect(responder.seen.map((s) => [s.url, s.headers.authorization])).toEqual([
      ['/Tables', 'Bearer fake-token-1'],
      ['/$batch', 'Bearer fake-token-1'],
      ['/$batch', 'Bearer fake-token-1'],
    ]);
    expect(scopes).toEqual([STORAGE_SCOPE]);
    expect(responder.batches()[0]!.body).toContain(`PATCH ${url}/RetinaTraces(PartitionKey=`);
  });

  it('fails the push, retryably classified, when the credential cannot get a token', async () => {
    const url = 'https://127.0.0.1:1';
    const sink = createAzureTableSink(
      { destination: 'azuretable', name: 'T', tableName: 'RetinaTraces', tableServiceUri: url },
      {
        credential: {
          getToken: () =>
            Promise.reject(Object.assign(new Error('IMDS unreachable'), { code: 'ECONNREFUSED' })),
        },
      },
    );
    const caught: unknown = await sink
      .push(items(sink, 1), { abortSignal: AbortSignal.timeout(2000) })
      .catch((e: unknown) => e);
    expect(sink.classify(caught)).toMatchObject({ kind: 'retryable', code: 'ECONNREFUSED' });
  });
});

describe('createSink for azuretable', () => {
  it('builds the direct-path sink from app settings: token credential, partition layout', () => {
    const sink = createSink(
      resolveConnection('azuretable', 'Busy', {
        Busy__tableServiceUri: 'https://acct.table.core.windows.net',
        Busy__partitionShards: '1',
      }),
      { credential: { getToken: async () => ({ token: 't', expiresOnTimestamp: Date.now() + 3_600_000 }) } },
    );
    const groups = ['node-a', 'node-b', 'node-c'].map((node) => {
      const encoded = sink.encode(makeRecord(1, { NodeName: node, TimeGenerated: '2026-11-25T09:00:00Z' }));
      return encoded.ok ? encoded.value.group : undefined;
    });
    expect(new Set(groups)).toEqual(new Set(['aks-test|default.web-trace|2026112509|00']));
    expect(sink).toMatchObject({
      destination: 'azuretable',
      connection: 'Busy',
      limits: { maxRecords: 100 },
    });
  });
});
