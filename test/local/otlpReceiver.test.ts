import { gzipSync } from 'node:zlib';
import { OtlpReceiver, parseExportLogsRequest } from '../../shared/local/otlpReceiver';

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = new OtlpReceiver();
  await receiver.start();
});
afterAll(() => receiver.stop());

const BODY = JSON.stringify({
  resourceLogs: [
    {
      resource: { attributes: [] },
      scopeLogs: [{ scope: { name: 's' }, logRecords: [{ timeUnixNano: '1' }, { timeUnixNano: '2' }] }],
    },
  ],
});

describe('OtlpReceiver', () => {
  it.each([
    ['JSON', '/v1/logs', { 'content-type': 'application/json' }, BODY, 200],
    [
      'gzip JSON',
      '/v1/logs',
      { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      gzipSync(BODY),
      200,
    ],
    ['protobuf is refused with 415', '/v1/logs', { 'content-type': 'application/x-protobuf' }, 'x', 415],
    ['other content types', '/v1/logs', { 'content-type': 'text/plain' }, BODY, 415],
    ['wrong path', '/v1/traces', { 'content-type': 'application/json' }, BODY, 404],
    ['bad shape', '/v1/logs', { 'content-type': 'application/json' }, '{"resourceLogs":{}}', 400],
  ])('%s → %i', async (_name, p, headers: Record<string, string>, body, status) => {
    const response = await fetch(`${receiver.endpoint}${p}`, { method: 'POST', headers, body });
    expect(response.status).toBe(status);
  });

  it('keeps what it decoded', () => {
    expect(receiver.received.map((r) => r.logRecord.timeUnixNano)).toEqual(['1', '2', '1', '2']);
  });
});

describe('parseExportLogsRequest', () => {
  it.each([
    ['', 'body is not valid JSON'],
    ['null', 'resourceLogs must be an array'],
    ['{"resourceLogs":[{}]}', 'resourceLogs[0].scopeLogs must be an array'],
    ['{"resourceLogs":[{"scopeLogs":[{}]}]}', 'resourceLogs[0].scopeLogs[0].logRecords must be an array'],
    ['{"resourceLogs":[{"scopeLogs":[{"logRecords":[3]}]}]}', 'logRecords[0] must be an object'],
  ])('rejects %j', (text, message) => {
    expect(parseExportLogsRequest(text)).toEqual({ ok: false, message: expect.stringContaining(message) });
  });
  it('accepts an empty request', () => {
    expect(parseExportLogsRequest('{"resourceLogs":[]}')).toEqual({ ok: true, logs: [] });
  });
});
