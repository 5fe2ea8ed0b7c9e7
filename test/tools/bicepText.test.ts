import { bicepModules, bicepParams, bicepResources, bracketIssues, maskBicep } from '../../tools/bicepText';

describe('maskBicep', () => {
  it.each<[string, string, string]>([
    ['empty', '', ''],
    ['line comment', "x // '{'\ny", `x${' '.repeat(7)}\ny`],
    ['string contents', "a: 'b{c}'", "a: '____'"],
    ['escaped quote', "a: 'it\\'s'", "a: '_____'"],
    ['multi-line string', "'''\n{\n'''", "'''\n_\n'''"],
  ])('%s', (_name, text, masked) => {
    expect(maskBicep(text)).toBe(masked);
  });
});

describe('bracketIssues', () => {
  it.each<[string, string, string[]]>([
    ['empty', '', []],
    ['balanced', "var a = {\n  b: [\n    f('}')\n  ]\n}\n", []],
    ['never closed', 'var a = {\n  b: 1\n', ["1: '{' is never closed"]],
    ['wrong closer', 'var a = [\n}\n', ["2: '}' does not close '['"]],
    ['unterminated string', "var a = 'x\n", ['1: unterminated string']],
  ])('%s', (_name, text, expected) => {
    expect(bracketIssues(text).map((issue) => `${issue.line}: ${issue.message}`)).toEqual(expected);
  });
});

describe('declarations', () => {
  const text = [
    "@description('x')",
    'param a string',
    'param b int = 2 // param c string',
    "resource r 'Microsoft.X/y@2024-01-01' = {",
    '}',
    "resource e 'Microsoft.X/z@2023-01-01' existing = {",
    '}',
    "module m 'modules/m.bicep' = {",
    "  name: 'm'",
    '  params: {',
    '    a: 1',
    "    'b': { c: 2 }",
    '  }',
    '}',
  ].join('\n');

  it('finds params with their defaults, ignoring comments', () => {
    expect(bicepParams(text)).toEqual([
      { name: 'a', type: 'string', hasDefault: false },
      { name: 'b', type: 'int', hasDefault: true },
    ]);
  });

  it('finds resources, types, versions and existing references', () => {
    expect(bicepResources(text)).toEqual([
      { symbol: 'r', type: 'Microsoft.X/y', apiVersion: '2024-01-01', existing: false },
      { symbol: 'e', type: 'Microsoft.X/z', apiVersion: '2023-01-01', existing: true },
    ]);
  });

  it('finds modules and the top-level keys of their params', () => {
    expect(bicepModules(text)).toEqual([{ symbol: 'm', path: 'modules/m.bicep', params: ['a', 'b'] }]);
  });

  it.each([[''], ['// nothing here\n']])('finds nothing in %j', (empty) => {
    expect([bicepParams(empty), bicepResources(empty), bicepModules(empty)]).toEqual([[], [], []]);
  });
});
