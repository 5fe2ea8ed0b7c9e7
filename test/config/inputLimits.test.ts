import { stringify } from 'yaml';
import {
  checkTextLimits,
  checkValueLimits,
  DEFAULT_INPUT_LIMITS,
  estimateNestingDepth,
  parseJsonWithin,
} from '../../shared/config/inputLimits';
import { parseTraceConfigurations } from '../../shared/config/parseManifests';
import { validateTraceConfigurationObject } from '../../shared/config/validateObject';
import { documented, port } from './manifests';
import { FAKE_SECRETS } from '../support/hostileInputs';

const GOOD = stringify(documented(port({ port: 443 })));

describe('nesting estimate', () => {
  it.each<[string, string, number]>([
    ['empty', '', 0],
    ['flat mapping', 'a: 1\nb: 2\n', 0],
    ['flow', '[[{"a": [1]}]]', 4],
    ['brackets in quotes do not count', 'a: "[[[["\nb: \'{{{{\'', 0],
    ['escaped quote in double quotes', 'a: "x\\"[[["', 0],
    ['brackets in comments do not count', 'a: 1 # [[[[[[\n', 0],
    ['apostrophe in a plain scalar does not hide brackets', "a: it's\n[[[[", 4],
    ['block indentation', 'a:\n  b:\n    c:\n      d: 1\n', 3],
    ['compact nested sequences', '- - - - x\n', 4],
  ])('%s', (_label, text, depth) => {
    expect(estimateNestingDepth(text)).toBe(depth);
  });

  it('is at least half the real depth of generated YAML', () => {
    let value: unknown = 'leaf';
    for (let i = 0; i < 40; i++) value = i % 2 === 0 ? { k: value } : [value];
    expect(estimateNestingDepth(stringify(value))).toBeGreaterThanOrEqual(20);
    expect(estimateNestingDepth(JSON.stringify(value))).toBe(40);
  });
});

describe('text and value limits', () => {
  it.each([
    ['900 nested [', '['.repeat(900), 'INPUT_TOO_DEEP'],
    ['2000 levels of {"a":', '{"a":'.repeat(2000), 'INPUT_TOO_DEEP'],
    ['5000 levels of YAML [', '['.repeat(5000) + ']'.repeat(5000), 'INPUT_TOO_DEEP'],
    [
      '1000 block levels',
      Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i)}- `).join('\n'),
      'INPUT_TOO_DEEP',
    ],
    ['2 MiB', 'a'.repeat(2 * 1024 * 1024), 'INPUT_TOO_LARGE'],
    ['an honest manifest', GOOD, undefined],
  ])('%s', (_label, text, code) => {
    expect(checkTextLimits(text, 'body')?.code).toBe(code);
  });

  it.each<[string, unknown, string | undefined]>([
    ['long string', { a: 'x'.repeat(5000) }, 'STRING_TOO_LONG'],
    ['long key', { ['k'.repeat(5000)]: 1 }, 'STRING_TOO_LONG'],
    ['deep value', JSON.parse('['.repeat(100) + ']'.repeat(100)) as unknown, 'INPUT_TOO_DEEP'],
    ['fine', { a: ['b', { c: 1 }] }, undefined],
    ['empty', {}, undefined],
  ])('value: %s', (_label, value, code) => {
    expect(checkValueLimits(value)?.error.code).toBe(code);
  });

  it.each([
    ['syntax error', '{', /not JSON/],
    ['too deep', '['.repeat(900), /nests collections/],
    ['too long a string', JSON.stringify({ a: 'x'.repeat(5000) }), /5000 characters/],
  ])('parseJsonWithin refuses %s', (_label, text, message) => {
    const parsed = parseJsonWithin(text, 'the body');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.message).toMatch(message);
  });

  it('parseJsonWithin parses honest JSON', () => {
    expect(parseJsonWithin('{"a":[1,2]}', 'the body')).toEqual({ ok: true, value: { a: [1, 2] } });
  });
});

describe('parseTraceConfigurations within limits', () => {
  const laughs = [
    'a: &a ["x","x","x","x","x","x","x","x","x"]',
    ...Array.from(
      { length: 9 },
      (_, i) =>
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`,
    ),
  ].join('\n');

  it.each([
    ['billion laughs', laughs, 'ALIAS_EXPANSION_TOO_LARGE', /aliases expand too much/],
    ['900 nested [', '['.repeat(900), 'INPUT_TOO_DEEP', /levels deep/],
    [
      '200 documents',
      Array.from({ length: 200 }, () => GOOD).join('---\n'),
      'TOO_MANY_DOCUMENTS',
      /200 YAML documents/,
    ],
    [
      'a 5000-character value',
      GOOD.replace('name: t', `name: ${'a'.repeat(5000)}`),
      'STRING_TOO_LONG',
      /5000 characters/,
    ],
  ])('%s is one Errored result with a code', (_label, text, code, message) => {
    const results = parseTraceConfigurations(text, { fileName: 'x.yaml' });
    expect(results).toHaveLength(1);
    expect(results[0]!.state).toBe('Errored');
    expect(results[0]!.errors[0]).toMatchObject({ code });
    expect(results[0]!.errors[0]!.message).toMatch(message);
  });

  it.each(FAKE_SECRETS)('refuses a manifest with %s anywhere, never repeating it', (_label, secret) => {
    const manifest = documented(port({ port: 443 }), {}, { name: 't', annotations: { note: secret } });
    const [result] = parseTraceConfigurations(stringify(manifest));
    expect(result!.state).toBe('Errored');
    expect(result!.spec).toBeUndefined();
    expect(result!.errors).toEqual([
      expect.objectContaining({ path: 'metadata.annotations.note', code: 'SECRET_IN_MANIFEST' }),
    ]);
    expect(JSON.stringify(result)).not.toContain(secret);
    expect(JSON.stringify(validateTraceConfigurationObject(manifest))).not.toContain(secret);
  });

  it('refuses a 5000-character connectionConfiguration without showing it', () => {
    const value = 'A'.repeat(5000);
    const [result] = parseTraceConfigurations(
      stringify(
        documented(port({ port: 1 }), {
          outputConfiguration: { destination: 'azuretable', connectionConfiguration: value },
        }),
      ),
      { limits: { ...DEFAULT_INPUT_LIMITS, maxStringLength: 10_000 } },
    );
    expect(result!.errors).toEqual([
      expect.objectContaining({
        path: 'spec.outputConfiguration.connectionConfiguration',
        code: 'SECRET_IN_MANIFEST',
      }),
    ]);
    expect(JSON.stringify(result)).not.toContain(value);
  });
});
