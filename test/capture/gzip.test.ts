import { gzipSync } from 'node:zlib';
import { gunzipBounded, isGzip } from '../../shared/capture/gzip';

describe('gzip', () => {
  it.each([
    [Uint8Array.of(0x1f, 0x8b, 8), true],
    [Uint8Array.of(0x1f), false],
    [new Uint8Array(0), false],
    [Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a), false],
  ])('isGzip(%s) is %s', (bytes, expected) => {
    expect(isGzip(bytes)).toBe(expected);
  });

  it.each([
    ['within the bound', 1000, 1000, true, undefined],
    ['exactly at the bound', 1000, 1000, true, undefined],
    ['beyond the bound', 1001, 1000, false, 'CAPTURE_GZIP_TOO_LARGE'],
  ])('%s', (_name, size, bound, ok, code) => {
    const result = gunzipBounded(gzipSync(new Uint8Array(size)), bound);
    expect(result.ok).toBe(ok);
    if (result.ok) expect(result.bytes.length).toBe(size);
    else expect(result.problem.code).toBe(code);
  });

  it.each([
    ['not gzip at all', Uint8Array.of(0x1f, 0x8b, 0, 0, 0, 0)],
    ['empty', new Uint8Array(0)],
  ])('%s: a damaged-body problem, no exception', (_name, bytes) => {
    const result = gunzipBounded(bytes);
    expect(result.ok).toBe(true);
    expect(result.ok && result.problem?.code).toBe('CAPTURE_GZIP_INVALID');
  });
});
