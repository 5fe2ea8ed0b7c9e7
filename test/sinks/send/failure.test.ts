import { RestError, createHttpHeaders } from '@azure/core-rest-pipeline';
import { HttpStatusError, classifyError, classifyStatus } from '../../../shared/sinks/send/failure';

const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('classifyStatus', () => {
  it.each([
    [200, {}, { kind: 'permanent', code: 'HTTP_200' }],
    [400, {}, { kind: 'permanent', code: 'HTTP_400' }],
    [401, {}, { kind: 'permanent', code: 'HTTP_401' }],
    [403, {}, { kind: 'permanent', code: 'HTTP_403' }],
    [413, { 'retry-after': '5' }, { kind: 'permanent', code: 'HTTP_413' }],
    [408, {}, { kind: 'retryable', code: 'HTTP_408' }],
    [429, { 'retry-after': '2' }, { kind: 'retryable', code: 'HTTP_429', retryAfterMs: 2000 }],
    [429, { 'retry-after-ms': '150' }, { kind: 'retryable', code: 'HTTP_429', retryAfterMs: 150 }],
    [
      503,
      { 'x-ms-retry-after-ms': '70', 'retry-after': '9' },
      { kind: 'retryable', code: 'HTTP_503', retryAfterMs: 70 },
    ],
    [
      503,
      { 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' },
      { kind: 'retryable', code: 'HTTP_503', retryAfterMs: 3000 },
    ],
    [500, { 'retry-after': 'soon' }, { kind: 'retryable', code: 'HTTP_500' }],
  ])('%i %j', (status, headers: Record<string, string>, expected) => {
    const failure = classifyStatus(status, 'r', (name) => headers[name], NOW);
    expect(failure).toEqual({ ...expected, reason: 'r' });
  });
});

describe('classifyError', () => {
  const restError = (status: number, headers: Record<string, string> = {}) =>
    new RestError('boom', {
      statusCode: status,
      response: { headers: createHttpHeaders(headers), status, request: undefined as never },
    });

  it.each([
    ['RestError 429 with Retry-After', restError(429, { 'retry-after': '1' }), 'retryable', 'HTTP_429', 1000],
    ['RestError 413', restError(413), 'permanent', 'HTTP_413', undefined],
    [
      'HttpStatusError 503',
      new HttpStatusError(503, 'down', { 'retry-after': '0' }),
      'retryable',
      'HTTP_503',
      0,
    ],
    ['HttpStatusError 415', new HttpStatusError(415, 'type'), 'permanent', 'HTTP_415', undefined],
    [
      'AbortError',
      Object.assign(new Error('aborted'), { name: 'AbortError' }),
      'retryable',
      'TIMEOUT',
      undefined,
    ],
    ['TimeoutError DOMException', new DOMException('t', 'TimeoutError'), 'retryable', 'TIMEOUT', undefined],
    [
      'ECONNREFUSED',
      Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }),
      'retryable',
      'ECONNREFUSED',
      undefined,
    ],
    [
      'fetch failed with a network cause',
      new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) }),
      'retryable',
      'ECONNRESET',
      undefined,
    ],
    ['plain Error', new Error('bug'), 'permanent', 'SEND_FAILED', undefined],
    ['a string', 'weird', 'permanent', 'SEND_FAILED', undefined],
    ['undefined', undefined, 'permanent', 'SEND_FAILED', undefined],
  ])('%s', (_name, error, kind, code, retryAfterMs) => {
    const failure = classifyError(error, NOW);
    expect(failure.kind).toBe(kind);
    expect(failure.code).toBe(code);
    expect(failure.kind === 'retryable' ? failure.retryAfterMs : undefined).toBe(retryAfterMs);
  });
});
