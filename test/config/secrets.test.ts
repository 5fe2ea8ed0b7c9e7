import { findSecrets, REDACTED, scrubSecrets, secretKind } from '../../shared/config/secrets';
import { FAKE_SECRETS } from '../support/hostileInputs';

describe('secret detector', () => {
  it.each(FAKE_SECRETS)('recognises %s', (_label, text) => {
    expect(secretKind(text)).toBeDefined();
  });

  it.each([
    ['empty', ''],
    ['connection name', 'TRACES_STORAGE'],
    ['word containing sig', 'design=signature'],
    ['plain URL', 'https://collector.example.com:4318/v1/logs'],
    ['label value', 'app.kubernetes.io'],
    ['short base64', 'bm90LWEtcmVhbC1rZXk='],
    ['ghp without body', 'ghp_short'],
  ])('leaves %s alone', (_label, text) => {
    expect(secretKind(text)).toBeUndefined();
  });

  it('finds secrets anywhere in a value, keys included, with their paths', () => {
    const value = {
      metadata: { annotations: { note: FAKE_SECRETS[8]![1] } },
      spec: { list: ['ok', FAKE_SECRETS[11]![1]], [FAKE_SECRETS[4]![1]]: 1 },
    };
    const found = findSecrets(value).map((f) => [f.segments.join('.'), f.inKey]);
    expect(found).toHaveLength(3);
    expect(found).toEqual(
      expect.arrayContaining([
        ['metadata.annotations.note', false],
        [`spec.${FAKE_SECRETS[4]![1]}`, true],
        ['spec.list.1', false],
      ]),
    );
  });

  it('scrubs secret values and keys, keeps everything else', () => {
    const value = { a: 'keep', b: [FAKE_SECRETS[0]![1], 3], [FAKE_SECRETS[5]![1]]: 'x', c: null };
    const scrubbed = scrubSecrets(value);
    expect(scrubbed).toEqual({ a: 'keep', b: [REDACTED, 3], c: null });
    expect(JSON.stringify(scrubbed)).not.toMatch(/AccountKey|Bearer/);
  });

  it('cuts values nested deeper than any accepted manifest instead of recursing', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(() => scrubSecrets(deep)).not.toThrow();
  });
});
