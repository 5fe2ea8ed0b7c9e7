import fc from 'fast-check';
import { compileLabelSelector } from '../../shared/match/labelSelector';

type Labels = Readonly<Record<string, string>>;
import type { LabelSelector, LabelSelectorRequirement } from '../../shared/config/model';

const sel = (
  matchLabels: Record<string, string>,
  matchExpressions: LabelSelectorRequirement[] = [],
): LabelSelector => ({
  matchLabels,
  matchExpressions,
});

describe('compileLabelSelector', () => {
  it.each<[string, LabelSelector, Labels, boolean]>([
    ['empty selector, empty labels', sel({}), {}, true],
    ['empty selector, any labels', sel({}), { a: 'b' }, true],
    ['matchLabels equal', sel({ app: 'web' }), { app: 'web', tier: 'x' }, true],
    ['matchLabels different value', sel({ app: 'web' }), { app: 'api' }, false],
    ['matchLabels missing', sel({ app: 'web' }), {}, false],
    ['matchLabels empty value needs the label', sel({ app: '' }), {}, false],
    ['In', sel({}, [{ key: 'env', operator: 'In', values: ['a', 'b'] }]), { env: 'b' }, true],
    ['In, absent label', sel({}, [{ key: 'env', operator: 'In', values: ['a'] }]), {}, false],
    ['NotIn, absent label matches', sel({}, [{ key: 'env', operator: 'NotIn', values: ['a'] }]), {}, true],
    ['NotIn, listed value', sel({}, [{ key: 'env', operator: 'NotIn', values: ['a'] }]), { env: 'a' }, false],
    ['Exists', sel({}, [{ key: 'env', operator: 'Exists' }]), { env: '' }, true],
    ['DoesNotExist', sel({}, [{ key: 'env', operator: 'DoesNotExist' }]), { env: 'x' }, false],
    ['all AND-ed', sel({ app: 'web' }, [{ key: 'env', operator: 'Exists' }]), { app: 'web' }, false],
    ['prototype keys are not labels', sel({}, [{ key: 'toString', operator: 'Exists' }]), {}, false],
  ])('%s', (_name, selector, labels, expected) => {
    expect(compileLabelSelector(selector)(labels)).toBe(expected);
  });

  it('agrees with a straightforward reference implementation (property)', () => {
    const key = fc.constantFrom('app', 'env', 'tier');
    const value = fc.constantFrom('', 'a', 'b');
    const requirement: fc.Arbitrary<LabelSelectorRequirement> = fc.oneof(
      fc.record({
        key,
        operator: fc.constantFrom('In' as const, 'NotIn' as const),
        values: fc.array(value, { minLength: 1, maxLength: 3 }),
      }),
      fc.record({ key, operator: fc.constantFrom('Exists' as const, 'DoesNotExist' as const) }),
    );
    const reference = (selector: LabelSelector, labels: Record<string, string>): boolean =>
      Object.entries(selector.matchLabels).every(([k, v]) => k in labels && labels[k] === v) &&
      selector.matchExpressions.every((r) => {
        const present = k(labels, r.key);
        if (r.operator === 'In') return present && (r.values ?? []).includes(labels[r.key] as string);
        if (r.operator === 'NotIn') return !present || !(r.values ?? []).includes(labels[r.key] as string);
        return r.operator === 'Exists' ? present : !present;
      });
    const k = (labels: Record<string, string>, name: string): boolean => Object.keys(labels).includes(name);
    fc.assert(
      fc.property(
        fc.dictionary(key, value, { maxKeys: 2 }),
        fc.array(requirement, { maxLength: 3 }),
        fc.dictionary(key, value, { maxKeys: 3 }),
        (matchLabels, matchExpressions, labels) => {
          const selector = { matchLabels, matchExpressions };
          expect(compileLabelSelector(selector)(labels)).toBe(reference(selector, labels));
        },
      ),
      { numRuns: 500 },
    );
  });
});
