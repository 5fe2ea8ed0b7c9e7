import { definedNames, sourceTable, tokenizeKql, unknownKqlReferences } from '../../tools/kqlReferences';

describe('tokenizeKql', () => {
  it.each<[string, string, string[]]>([
    ['empty', '', []],
    ['comment only', '// Title: x', []],
    ['strings of every kind', `"a\\"b" 'c' @"d\\" h'e'`, ['string', 'string', 'string', 'string']],
    ['hyphenated operator', 'T | mv-expand X', ['identifier', 'operator', 'identifier', 'identifier']],
    ['negated operator', 'A !in (1)', ['identifier', 'identifier', 'operator', 'number', 'operator']],
    ['timespan and exponent', '1ms 1e9 2.5', ['number', 'number', 'number']],
    ['comparison operators', 'a==b!=c', ['identifier', 'operator', 'identifier', 'operator', 'identifier']],
  ])('%s', (_name, text, kinds) => {
    expect(tokenizeKql(text).map((token) => token.kind)).toEqual(kinds);
  });

  it('counts lines', () => {
    expect(tokenizeKql('a\n// c\nb').map((token) => token.line)).toEqual([1, 3]);
  });
});

describe('definedNames', () => {
  it.each<[string, string, string[]]>([
    ['none', 'T | where A == 1', []],
    ['extend and let', 'let w = 1d; T | extend X = A, Y = B', ['w', 'X', 'Y']],
  ])('%s', (_name, text, names) => {
    expect([...definedNames(tokenizeKql(text))]).toEqual(names);
  });
});

describe('unknownKqlReferences', () => {
  const known = new Set(['T', 'A', 'B']);
  it.each<[string, string, string[]]>([
    ['all known', 'T | where A == 1 | summarize count() by B', []],
    ['unknown column with its line', 'T\n| where C == 1', ['C@2']],
    ['function name used as a column', 'T | project sum', ['sum']],
  ])('%s', (_name, text, expected) => {
    expect(unknownKqlReferences(text, known).map((r) => `${r.name}@${r.line}`)).toEqual(
      expected.map((entry) => (entry.includes('@') ? entry : `${entry}@1`)),
    );
  });
});

describe('sourceTable', () => {
  it.each<[string, string, string | undefined]>([
    ['plain', 'T | take 1', 'T'],
    ['after lets', 'let a = 1;\nlet b = 2;\nT | take 1', 'T'],
    ['comment first', '// x\nT', 'T'],
    ['empty', '', undefined],
  ])('%s', (_name, text, table) => {
    expect(sourceTable(text)).toBe(table);
  });
});
