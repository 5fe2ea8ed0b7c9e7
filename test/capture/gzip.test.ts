import { gunzipSync, gzipSync } from 'node:zlib';
import { gunzipBounded, gunzipSized, isGzip } from '../../shared/capture/gzip';

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

  describe('gunzipSized (output sized from the gzip trailer)', () => {
    const original = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251);
    const withTrailer = (size: number): Uint8Array => {
      const gz = Uint8Array.from(gzipSync(original));
      new DataView(gz.buffer).setUint32(gz.length - 4, size >>> 0, true);
      return gz;
    };

    it('inflates a body with a truthful trailer into exactly the original bytes', () => {
      expect(
        Buffer.from(gunzipSized(withTrailer(original.length), 1 << 20)).equals(Buffer.from(original)),
      ).toBe(true);
    });

    it.each([
      ['less', 10],
      ['0', 0],
      ['far more', 0xffffffff],
    ])('rejects a trailer that says %s, as gunzipSync does (zlib checks the length)', (_name, declared) => {
      const body = withTrailer(declared);
      expect(() => gunzipSync(body)).toThrow();
      expect(() => gunzipSized(body, 1 << 20)).toThrow(expect.objectContaining({ code: 'Z_DATA_ERROR' }));
    });

    it('inflates every member of a multi-member body', () => {
      const twice = Buffer.concat([gzipSync(original), gzipSync(original)]);
      expect(gunzipSized(twice, 1 << 20).length).toBe(original.length * 2);
    });

    it('refuses output beyond the bound even when the trailer claims it fits', () => {
      expect(() => gunzipSized(withTrailer(100), 100_000)).toThrow(
        expect.objectContaining({ code: 'ERR_BUFFER_TOO_LARGE' }),
      );
    });

    it('rejects a corrupt body with zlib error', () => {
      const gz = withTrailer(original.length);
      gz.fill(0xff, 20, 60);
      expect(() => gunzipSized(gz, 1 << 20)).toThrow();
    });
  });
});
