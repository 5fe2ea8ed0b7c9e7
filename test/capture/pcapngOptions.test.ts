import { optionText, walkOptions } from '../../shared/capture/pcapngOptions';

/** Builds an option list from [code, bytes] pairs, little-endian, with opt_endofopt. */
function options(entries: [number, number[]][], end = true): Uint8Array {
  const out: number[] = [];
  for (const [code, value] of entries) {
    out.push(code & 0xff, code >> 8, value.length & 0xff, value.length >> 8, ...value);
    while (out.length % 4 !== 0) out.push(0);
  }
  if (end) out.push(0, 0, 0, 0);
  return Uint8Array.from(out);
}

function walk(bytes: Uint8Array): { seen: [number, number][]; error: string | undefined } {
  const seen: [number, number][] = [];
  const error = walkOptions(bytes, 0, bytes.length, true, (code, _start, length) =>
    seen.push([code, length]),
  );
  return { seen, error };
}

describe('walkOptions', () => {
  it.each([
    ['empty list', new Uint8Array(0), [], undefined],
    ['only end of options', options([]), [], undefined],
    [
      'padded values',
      options([
        [2, [1, 2, 3]],
        [9, [9]],
      ]),
      [
        [2, 3],
        [9, 1],
      ],
      undefined,
    ],
    ['no end marker', options([[1, [65, 66, 67, 68]]], false), [[1, 4]], undefined],
    [
      'stops at end marker',
      Uint8Array.from([...options([[2, [1]]]), 3, 0, 1, 0, 7, 0, 0, 0]),
      [[2, 1]],
      undefined,
    ],
    [
      'length beyond the list',
      Uint8Array.of(2, 0, 50, 0, 1, 2, 3, 4),
      [],
      'option 2 at byte 0 of the option list claims 50 bytes, only 4 remain',
    ],
  ] as [string, Uint8Array, [number, number][], string | undefined][])('%s', (_name, bytes, seen, error) => {
    expect(walk(bytes)).toEqual({ seen, error });
  });
});

describe('optionText', () => {
  it.each([
    ['plain', [104, 105], 'hi'],
    ['trailing NULs dropped', [104, 105, 0, 0], 'hi'],
    ['UTF-8', [0xc3, 0xa9], 'é'],
    ['empty', [], ''],
  ])('%s', (_name, bytes, expected) => {
    const data = Uint8Array.from(bytes);
    expect(optionText(data, 0, data.length)).toBe(expected);
  });
});
