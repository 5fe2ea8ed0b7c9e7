import { request } from 'node:https';
import { gzipSync } from 'node:zlib';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  LOCAL_TOKEN_PREFIX,
  LocalTokenCredential,
  isLocalBearer,
} from '../../shared/local/localTokenCredential';
import { LogsIngestionServer } from '../../shared/local/logsIngestionServer';

const RULE = 'dcr-0123456789abcdef0123456789abcdef';
const PATH = `/dataCollectionRules/${RULE}/streams/Custom-RetinaTraces_CL?api-version=2023-01-01`;
const ROW = { TimeGenerated: '2026-01-01T00:00:00Z', TimestampNs: '1', RecordId: 'r1', SourcePort: 80 };

let server: LogsIngestionServer;
let dir: string;
let token: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'la-'));
  server = new LogsIngestionServer({ outputDir: dir, maxBodyBytes: 64 * 1024 });
  await server.start();
  token = (await new LocalTokenCredential().getToken('https://monitor.azure.com/.default')).token;
});
afterAll(async () => {
  await server.stop();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

interface Call {
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

function call({
  path: p = PATH,
  method = 'POST',
  headers = {},
  body = JSON.stringify([ROW]),
}: Call): Promise<{ status: number; text: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const url = new URL(p, server.endpoint);
    const req = request(
      url,
      {
        method,
        ca: server.certificate,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('LogsIngestionServer enforces the Logs Ingestion contract', () => {
  it.each<[string, Call, number, string]>([
    ['accepts a JSON array', {}, 204, ''],
    [
      'accepts gzip',
      { headers: { 'content-encoding': 'gzip' }, body: gzipSync(JSON.stringify([ROW])) },
      204,
      '',
    ],
    ['rejects a missing token', { headers: { authorization: '' } }, 401, 'InvalidToken'],
    [
      'rejects a malformed token',
      { headers: { authorization: `Bearer ${LOCAL_TOKEN_PREFIX}a b` } },
      401,
      'InvalidToken',
    ],
    ['rejects a foreign token', { headers: { authorization: 'Bearer abc' } }, 401, 'InvalidToken'],
    [
      'rejects another API version',
      { path: PATH.replace('2023-01-01', '2021-11-01') },
      400,
      'InvalidApiVersion',
    ],
    ['rejects GET', { method: 'GET', body: '' }, 404, 'NotFound'],
    ['rejects an unknown path', { path: '/streams/x?api-version=2023-01-01' }, 404, 'NotFound'],
    ['rejects a bad rule id', { path: PATH.replace(RULE, 'dcr-xyz') }, 404, 'InvalidDataCollectionRule'],
    [
      'rejects an undeclared stream',
      { path: PATH.replace('Custom-RetinaTraces_CL', 'Custom-Other_CL') },
      404,
      'InvalidStream',
    ],
    ['rejects text/plain', { headers: { 'content-type': 'text/plain' } }, 415, 'UnsupportedMediaType'],
    ['rejects a non-array body', { body: '{"a":1}' }, 400, 'JSON array'],
    ['rejects an undeclared column', { body: '[{"Nope":1}]' }, 400, 'Nope'],
    ['rejects corrupt gzip', { headers: { 'content-encoding': 'gzip' }, body: 'not gzip' }, 400, 'gzip'],
    ['rejects an unknown encoding', { headers: { 'content-encoding': 'br' } }, 415, 'br'],
    [
      'rejects a body over the limit (413)',
      { body: JSON.stringify([{ ...ROW, HttpPath: 'x'.repeat(70_000) }]) },
      413,
      'ContentLengthLimitExceeded',
    ],
    [
      'rejects gzip that inflates over the limit (413)',
      {
        headers: { 'content-encoding': 'gzip' },
        body: gzipSync(JSON.stringify([{ ...ROW, HttpPath: 'x'.repeat(70_000) }])),
      },
      413,
      'ContentLengthLimitExceeded',
    ],
  ])('%s', async (_name, options, status, text) => {
    const response = await call(options);
    expect(response.status).toBe(status);
    expect(response.text).toContain(text);
  });

  it('injects 429 with Retry-After, then 503, then recovers', async () => {
    server.faults.enqueue(
      { kind: 'status', status: 429, retryAfterSeconds: 7 },
      { kind: 'status', status: 503 },
    );
    const first = await call({});
    const second = await call({});
    const third = await call({});
    expect([first.status, first.headers['retry-after'], second.status, third.status]).toEqual([
      429,
      '7',
      503,
      204,
    ]);
  });

  it('writes accepted rows to NDJSON', async () => {
    const text = await readFile(path.join(dir, 'Custom-RetinaTraces_CL.ndjson'), 'utf8');
    expect(
      text
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { RecordId: string }).RecordId),
    ).toContain('r1');
  });
});

describe('isLocalBearer', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['Bearer', false],
    [`Bearer ${LOCAL_TOKEN_PREFIX}`, false],
    [`Basic ${LOCAL_TOKEN_PREFIX}abc`, false],
    [`Bearer ${LOCAL_TOKEN_PREFIX}abc`, true],
  ])('%j → %j', (header, expected) => {
    expect(isLocalBearer(header)).toBe(expected);
  });
});
