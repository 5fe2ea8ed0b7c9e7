import { parseTransactionResponse, serviceError } from '../../../shared/sinks/azureTable/transactionResponse';

const part = (status: string, body = ''): string =>
  `--changesetresponse_x\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nHTTP/1.1 ${status}\r\nX-Content-Type-Options: nosniff\r\nDataServiceVersion: 3.0;\r\n${body === '' ? '' : 'Content-Type: application/json;odata=minimalmetadata;charset=utf-8\r\n'}\r\n${body}\r\n`;
const response = (...parts: string[]): string =>
  `--batchresponse_y\r\nContent-Type: multipart/mixed; boundary=changesetresponse_x\r\n\r\n${parts.join('')}--changesetresponse_x--\r\n--batchresponse_y--\r\n`;
const odata = (code: string, value: string): string =>
  JSON.stringify({ 'odata.error': { code, message: { lang: 'en-US', value } } });

describe('parseTransactionResponse', () => {
  it.each([
    ['every operation succeeded', response(part('204 No Content'), part('204 No Content')), 2, { ok: true }],
    ['one operation, 201', response(part('201 Created')), 1, { ok: true }],
    [
      'the service named the failed operation',
      response(
        part(
          '400 Bad Request',
          odata(
            'PropertyValueTooLarge',
            '1:The property value exceeds the maximum allowed size (64KB).\nRequestId:abc\nTime:2026',
          ),
        ),
      ),
      3,
      {
        ok: false,
        status: 400,
        code: 'PropertyValueTooLarge',
        message: 'The property value exceeds the maximum allowed size (64KB).',
        index: 1,
      },
    ],
    [
      'a failure without an index',
      response(part('400 Bad Request', odata('InvalidInput', 'Bad batch.'))),
      2,
      { ok: false, status: 400, code: 'InvalidInput', message: 'Bad batch.' },
    ],
    [
      'an index past the operations is not trusted',
      response(part('400 Bad Request', odata('InvalidInput', '7:Bad.'))),
      2,
      { ok: false, status: 400, code: 'InvalidInput', message: 'Bad.' },
    ],
    [
      'a throttled operation',
      response(part('503 Server Busy', odata('ServerBusy', '0:Try later.'))),
      2,
      { ok: false, status: 503, code: 'ServerBusy', message: 'Try later.', index: 0 },
    ],
    [
      'fewer results than operations',
      response(part('204 No Content')),
      2,
      {
        ok: false,
        status: 202,
        code: 'TABLE_RESPONSE_INVALID',
        message: 'the transaction response holds 1 results for 2 operations',
      },
    ],
    ['an empty body', '', 1, { ok: false, status: 202, code: 'TABLE_RESPONSE_INVALID' }],
    ['garbage', '\u0000\u0001 not multipart {', 1, { ok: false, code: 'TABLE_RESPONSE_INVALID' }],
  ])('%s', (_name, body, operations, expected) => {
    const outcome = parseTransactionResponse(body, operations);
    expect(outcome).toMatchObject(expected);
    if (!('index' in expected)) expect(outcome).not.toHaveProperty('index');
  });

  it('is not fooled by a status-like text inside an error message', () => {
    const body = response(part('400 Bad Request', odata('X', '0:see\nHTTP/1.1 204 No Content')));
    expect(parseTransactionResponse(body, 1)).toMatchObject({ ok: false, status: 400, index: 0 });
  });
});

describe('serviceError', () => {
  it.each([
    [
      'odata JSON',
      odata('TableNotFound', 'The table specified does not exist.'),
      { code: 'TableNotFound', message: 'The table specified does not exist.' },
    ],
    [
      'odata JSON with a plain message',
      JSON.stringify({ 'odata.error': { code: 'C', message: 'm' } }),
      { code: 'C', message: 'm' },
    ],
    [
      'XML',
      '<?xml version="1.0"?><error><code>AuthorizationFailure</code><message xml:lang="en-US">No.</message></error>',
      { code: 'AuthorizationFailure', message: 'No.' },
    ],
    ['text', 'upstream connect error', { code: '', message: 'upstream connect error' }],
    ['broken JSON', '{"odata.error":', { code: '', message: '{"odata.error":' }],
    ['empty', '', { code: '', message: '' }],
  ])('%s', (_name, body, expected) => {
    expect(serviceError(body)).toEqual(expected);
  });
});
