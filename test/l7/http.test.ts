import fc from 'fast-check';
import { looksLikeHttp, MAX_HTTP_HEAD_BYTES, parseHttpHead, statusLine } from '../../shared/l7/http';
import { REDACTED } from '../../shared/l7/redact';
import { bytes } from './support/builders';

function head(text: string) {
  const data = bytes(text);
  return parseHttpHead(data, 0, data.length);
}

describe('parseHttpHead', () => {
  it.each([
    [
      'GET with headers',
      'GET /a?token=x HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/8\r\nAuthorization: Bearer s3cret\r\nCookie: id=1\r\n\r\n',
      {
        L7Protocol: 'HTTP',
        HttpMethod: 'GET',
        HttpPath: `/a?token=${REDACTED}`,
        HttpVersion: 'HTTP/1.1',
        HttpHost: 'example.com',
        HttpUserAgent: 'curl/8',
      },
    ],
    [
      'response',
      'HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: 0\r\n\r\n',
      { L7Protocol: 'HTTP', HttpVersion: 'HTTP/1.1', HttpStatusCode: 404, HttpContentType: 'text/html' },
    ],
    [
      'response without reason',
      'HTTP/1.0 200\r\n\r\n',
      { L7Protocol: 'HTTP', HttpVersion: 'HTTP/1.0', HttpStatusCode: 200 },
    ],
    [
      'bare LF line endings',
      'POST /x HTTP/1.0\nHost: h\n\n',
      { L7Protocol: 'HTTP', HttpMethod: 'POST', HttpPath: '/x', HttpVersion: 'HTTP/1.0', HttpHost: 'h' },
    ],
    [
      'HTTP/0.9 style request without version',
      'GET /old\r\n\r\n',
      { L7Protocol: 'HTTP', HttpMethod: 'GET', HttpPath: '/old' },
    ],
    [
      'empty target',
      'OPTIONS  HTTP/1.1\r\n\r\n',
      { L7Protocol: 'HTTP', HttpMethod: 'OPTIONS', HttpVersion: 'HTTP/1.1' },
    ],
    [
      'lower-case header names',
      'GET / HTTP/1.1\r\nhost: h\r\nuser-agent: u\r\n\r\n',
      {
        L7Protocol: 'HTTP',
        HttpMethod: 'GET',
        HttpPath: '/',
        HttpVersion: 'HTTP/1.1',
        HttpHost: 'h',
        HttpUserAgent: 'u',
      },
    ],
  ])('%s', (_name, text, fields) => {
    const result = head(text);
    expect(result.kind === 'request' || result.kind === 'response').toBe(true);
    if (result.kind === 'request' || result.kind === 'response') {
      expect(result.fields).toEqual(fields);
      expect(result.end).toBe(text.length);
    }
  });

  it.each([
    ['empty', '', 'incomplete'],
    ['partial line', 'GET / HTT', 'incomplete'],
    ['headers not finished', 'GET / HTTP/1.1\r\nHost: a\r\n', 'incomplete'],
    ['unknown method', 'FETCH / HTTP/1.1\r\n\r\n', 'invalid'],
    ['binary', '\x16\x03\x01\x00\x05hello\n', 'invalid'],
    ['bad status', 'HTTP/1.1 2000 OK\r\n\r\n', 'invalid'],
  ])('%s is %s', (_name, text, kind) => {
    expect(head(text).kind).toBe(kind);
  });

  it.each([
    ['Content-Length', 'POST / HTTP/1.1\r\nContent-Length: 12\r\n\r\n', 12, false],
    ['chunked', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n', undefined, true],
    ['invalid Content-Length ignored', 'POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n', undefined, false],
  ])('body framing: %s', (_name, text, contentLength, chunked) => {
    const result = head(text);
    if (result.kind !== 'request' && result.kind !== 'response') throw new Error(result.kind);
    expect(result.contentLength).toBe(contentLength);
    expect(result.chunked).toBe(chunked);
  });

  it('reads the body framing from the head as a whole, not from similar or unread headers', () => {
    const text =
      'POST / HTTP/1.1\r\nX-Content-Length: 5\r\nContent-Lengths: 6\r\nHOST : h\r\n' +
      'content-LENGTH:\t7 \r\nTransfer-Encodings: chunked\r\n\r\nPOST'; // a pipelined request follows
    const result = head(text);
    expect(result).toEqual({
      kind: 'request',
      method: 'POST',
      fields: {
        L7Protocol: 'HTTP',
        HttpMethod: 'POST',
        HttpPath: '/',
        HttpVersion: 'HTTP/1.1',
        HttpHost: 'h',
      },
      end: text.length - 4,
      chunked: false,
      contentLength: 7,
    });
  });

  it.each([
    ['upper case', 'HOST: a', 'a'],
    ['mixed case and a tab before the colon', 'hOsT\t: a', 'a'],
    ['a longer name sharing the prefix', 'Hosts: a', undefined],
    ['a name of the same length', 'Hist: a', undefined],
    ['a Latin-1 byte where a letter is expected', 'H\xd3st: a', undefined],
    ['no name before the colon', ': a', undefined],
  ])('header names: %s', (_name, line, host) => {
    const result = head(`GET / HTTP/1.1\r\n${line}\r\n\r\n`);
    expect(result.kind === 'request' ? result.fields.HttpHost : result.kind).toBe(host);
  });

  it('has no contentLength key without a Content-Length header', () => {
    const result = head('HTTP/1.1 204 No Content\r\n\r\n');
    expect(Object.keys(result)).toEqual(['kind', 'status', 'fields', 'end', 'chunked']);
  });

  it.each([
    ['cut short (more bytes are awaited)', 'PRI * HTTP/2.0\r\n\r\nSM\r\n', 'incomplete'],
    ['one byte differs', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\n\n', 'invalid'],
  ])('an HTTP/2 preface %s is not one', (_name, text, kind) => {
    expect(head(text).kind).toBe(kind);
  });

  it('labels the HTTP/2 preface', () => {
    expect(head('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')).toMatchObject({
      kind: 'h2preface',
      end: 24,
    });
  });

  it('gives up on a head longer than the limit', () => {
    expect(head('GET / HTTP/1.1\r\nX: ' + 'a'.repeat(MAX_HTTP_HEAD_BYTES))).toMatchObject({
      kind: 'invalid',
    });
  });

  it('bounds the user agent', () => {
    const result = head(`GET / HTTP/1.1\r\nUser-Agent: ${'u'.repeat(2000)}\r\n\r\n`);
    expect(result.kind === 'request' && result.fields.HttpUserAgent?.length).toBe(512);
  });
});

describe('looksLikeHttp', () => {
  it.each([
    ['GET /', true],
    ['HTTP/1.1 200', true],
    ['M-SEARCH * HTTP/1.1', true],
    ['PRI * HTTP/2.0', true],
    ['GE', true],
    ['', false],
    ['SSH-2.0-OpenSSH', false],
    ['GETX /', false],
    ['\x16\x03\x01', false],
  ])('%j → %s', (text, expected) => {
    const data = bytes(text);
    expect(looksLikeHttp(data, 0, data.length)).toBe(expected);
  });
});

describe('statusLine', () => {
  const pattern = /^(HTTP\/\d\.\d) +(\d{3})(?: .*)?$/;
  const expected = (line: string) => {
    const match = pattern.exec(line);
    return match ? { version: match[1], status: Number(match[2]) } : undefined;
  };

  it.each([
    'HTTP/1.1 200 OK',
    'HTTP/1.0 404',
    'HTTP/2.0   301 Moved  ',
    'HTTP/1.1 200',
    'HTTP/1.1 2000 OK',
    'HTTP/1.1 20 OK',
    'HTTP/1.1 200OK',
    'HTTP/1.1  200 OK\r',
    'HTTP/1.1 200 O\rK',
    'HTTP/1.1 200 \u2028',
    'HTTP/11 200 OK',
    'HTTP/1.1\t200 OK',
    'http/1.1 200 OK',
    'HTTP/1.1 ２００ OK',
    '',
  ])('%j reads as the regular expression does', (line) => {
    expect(statusLine(line)).toEqual(expected(line));
  });

  it('agrees with the regular expression on generated lines', () => {
    const piece = fc.constantFrom(
      'HTTP/',
      '1',
      '.',
      '0',
      '9',
      ' ',
      '  ',
      '200',
      '20',
      'OK',
      '\r',
      '\n',
      'a',
      '/',
      '\u2029',
    );
    const line = fc.array(piece, { maxLength: 12 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(line, (text) => {
        expect(statusLine(text)).toEqual(expected(text));
        expect(statusLine(`HTTP/1.1 ${text}`)).toEqual(expected(`HTTP/1.1 ${text}`));
      }),
      { numRuns: 3000 },
    );
  });
});
