import { validateRows, type StreamColumns } from '../../shared/local/validateRows';

const COLUMNS: StreamColumns = [
  ['TimeGenerated', 'datetime'],
  ['Name', 'string'],
  ['Port', 'int'],
  ['Seq', 'long'],
  ['Flag', 'bool'],
  ['Labels', 'dynamic'],
];

describe('validateRows', () => {
  it.each([
    ['empty array', '[]', 0],
    [
      'typed row',
      '[{"TimeGenerated":"2026-01-01T00:00:00.123456789Z","Name":"a","Port":80,"Seq":4294967296,"Flag":true,"Labels":{"a":"b"}}]',
      1,
    ],
    ['long as string', '[{"Seq":"9007199254740993"}]', 1],
    ['nulls allowed', '[{"Name":null}]', 1],
  ])('accepts %s', (_name, text, rows) => {
    expect(validateRows(text, COLUMNS)).toMatchObject({ ok: true, rows: { length: rows } });
  });

  it.each([
    ['empty body', '', 'body is not valid JSON'],
    ['an object', '{}', 'body must be a JSON array of objects'],
    ['a scalar row', '[1]', '[0]: must be an object'],
    ['an array row', '[[]]', '[0]: must be an object'],
    ['undeclared column', '[{"Name":"a"},{"Other":1}]', '[1].Other: column is not declared'],
    ['string for int', '[{"Port":"80"}]', '[0].Port: expected int'],
    ['int out of range', '[{"Port":2147483648}]', '[0].Port: expected int'],
    ['fraction for long', '[{"Seq":1.5}]', '[0].Seq: expected long'],
    ['bad datetime', '[{"TimeGenerated":"yesterday"}]', '[0].TimeGenerated: expected datetime'],
    ['number for bool', '[{"Flag":1}]', '[0].Flag: expected bool'],
  ])('rejects %s', (_name, text, message) => {
    const result = validateRows(text, COLUMNS);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(message);
  });
});
