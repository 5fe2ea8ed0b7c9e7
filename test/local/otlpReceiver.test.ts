import { gzipSync } from 'node:zlib';
import { OtlpReceiver, parseExportLogsRequest } from '../../shared/local/otlpReceiver';
import { responseMessage } from '../../shared/sinks/openTelemetry/exportResponse';

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
    [
      'damaged protobuf is refused with 400',
      '/v1/logs',
      { 'content-type': 'application/x-protobuf' },
      'x',
      400,
    ],
    [
      'protobuf metrics are refused with 415',
      '/v1/metrics',
      { 'content-type': 'application/x-protobuf' },
      '',
      415,
    ],
    ['other content types', '/v1/logs', { 'content-type': 'text/plain' }, BODY, 415],
    ['wrong path', '/v1/traces', { 'content-type': 'application/json' }, BODY, 404],
    ['bad shape', '/v1/logs', { 'content-type': 'application/json' }, '{"resourceLogs":{}}', 400],
  ])('%s → %i', async (_name, p, headers: Record<string, string>, body, status) => {
    const response = await fetch(`${receiver.endpoint}${p}`, { method: 'POST', headers, body });
    expect(response.status).toBe(status);
  });

  it('answers a protobuf request in protobuf: an empty response, or a google.rpc.Status naming the problem', async () => {
    const empty = await fetch(`${receiver.endpoint}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: new Uint8Array(),
    });
    expect([empty.status, empty.headers.get('content-type'), (await empty.arrayBuffer()).byteLength]).toEqual(
      [200, 'application/x-protobuf', 0],
    );
    const damaged = await fetch(`${receiver.endpoint}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: Uint8Array.from([0x0a, 0x05, 0x01]),
    });
    const body = new Uint8Array(await damaged.arrayBuffer());
    expect(damaged.status).toBe(400);
    expect(responseMessage(body, damaged.headers.get('content-type'))).toBe(
      'body is not an ExportLogsServiceRequest: protobuf: field 1 at byte 0 claims 5 bytes, past the end',
    );
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
