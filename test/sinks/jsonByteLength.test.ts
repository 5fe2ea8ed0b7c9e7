import fc from 'fast-check';
import { jsonByteLength, jsonStringByteLength } from '../../shared/sinks/jsonByteLength';

const serialised = (value: unknown): number => {
  const text = JSON.stringify(value) as string | undefined;
  return text === undefined ? 0 : Buffer.byteLength(text);
};

describe('jsonByteLength', () => {
  it.each<[string, unknown]>([
    ['plain ASCII', 'GET /index.html'],
    ['empty string', ''],
    ['quote and backslash', 'a"b\\c'],
    ['control characters', '\u0000\u0001\n\t\u001f\u007f'],
    ['two- and three-byte UTF-8', 'é€'],
    ['a surrogate pair', '😀'],
    ['lone surrogates', '\ud800x\udfff'],
    ['line and paragraph separators', '\u2028\u2029'],
    ['integers and fractions', [0, -0, 1, -12, 3.25, 1e21, 1e-7, Number.MAX_SAFE_INTEGER]],
    ['non-finite numbers', [NaN, Infinity, -Infinity]],
    ['booleans and null', [true, false, null]],
    ['undefined and functions in arrays', [undefined, () => 1, 1]],
    ['undefined and functions in objects', { a: undefined, b: () => 1, c: 1 }],
    ['an empty object and array', [{}, []]],
    ['nested', { labels: { app: 'web', 'a"b': 'ü' }, answers: [{ type: 'A', value: '1.2.3.4', ttl: 5 }] }],
    ['a Date (toJSON)', { at: new Date(0) }],
    ['an object with toJSON', { toJSON: () => 'x' }],
    [
      'a class instance',
      new (class {
        a = 1;
      })(),
    ],
    ['top-level undefined', undefined],
  ])('equals the UTF-8 length of JSON.stringify: %s', (_name, value) => {
    expect(jsonByteLength(value)).toBe(serialised(value));
  });

  it('throws on bigint, as JSON.stringify does', () => {
    expect(() => jsonByteLength({ n: 1n })).toThrow(TypeError);
  });

  it('equals the UTF-8 length of JSON.stringify for arbitrary JSON data', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(jsonByteLength(value)).toBe(serialised(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('equals the UTF-8 length of a JSON string literal for arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' })), (text) => {
        expect(jsonStringByteLength(text)).toBe(Buffer.byteLength(JSON.stringify(text)));
      }),
      { numRuns: 2000 },
    );
  });
});
