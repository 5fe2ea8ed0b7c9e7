import type { LabelSelectorRequirement } from '../../shared/config/model';
import { compileLabelSelector, NAMESPACE_NAME_LABEL } from '../../shared/match/labelSelector';

describe('compileLabelSelector', () => {
  it.each<
    [string, Record<string, string>, LabelSelectorRequirement[], Record<string, string> | undefined, boolean]
  >([
    ['empty selector, no labels', {}, [], undefined, true],
    ['empty selector, some labels', {}, [], { a: '1' }, true],
    ['matchLabels hit', { app: 'web' }, [], { app: 'web', x: 'y' }, true],
    ['matchLabels miss', { app: 'web' }, [], { app: 'api' }, false],
    ['matchLabels, no labels', { app: 'web' }, [], undefined, false],
    ['matchLabels AND-ed', { app: 'web', tier: 'front' }, [], { app: 'web' }, false],
    ['In hit', {}, [{ key: 'env', operator: 'In', values: ['prod', 'stage'] }], { env: 'stage' }, true],
    ['In miss', {}, [{ key: 'env', operator: 'In', values: ['prod'] }], { env: 'dev' }, false],
    ['In, key absent', {}, [{ key: 'env', operator: 'In', values: ['prod'] }], {}, false],
    ['NotIn hit', {}, [{ key: 'env', operator: 'NotIn', values: ['dev'] }], { env: 'prod' }, true],
    ['NotIn miss', {}, [{ key: 'env', operator: 'NotIn', values: ['dev'] }], { env: 'dev' }, false],
    ['NotIn, key absent', {}, [{ key: 'env', operator: 'NotIn', values: ['dev'] }], undefined, true],
    ['Exists hit', {}, [{ key: 'env', operator: 'Exists' }], { env: '' }, true],
    ['Exists miss', {}, [{ key: 'env', operator: 'Exists' }], {}, false],
    ['DoesNotExist hit', {}, [{ key: 'env', operator: 'DoesNotExist' }], {}, true],
    ['DoesNotExist miss', {}, [{ key: 'env', operator: 'DoesNotExist' }], { env: 'x' }, false],
    ['labels AND expressions', { app: 'web' }, [{ key: 'env', operator: 'Exists' }], { app: 'web' }, false],
  ])('%s', (_name, matchLabels, matchExpressions, labels, expected) => {
    expect(compileLabelSelector({ matchLabels, matchExpressions })(labels)).toBe(expected);
  });

  it.each([
    ['implicit namespace name', 'backend', undefined, true],
    ['implicit namespace name, other namespace', 'frontend', undefined, false],
    ['explicit label wins', 'backend', { [NAMESPACE_NAME_LABEL]: 'other' }, false],
    ['no namespace given', undefined, undefined, false],
  ])('%s', (_name, namespace, labels, expected) => {
    const predicate = compileLabelSelector({
      matchLabels: { [NAMESPACE_NAME_LABEL]: 'backend' },
      matchExpressions: [],
    });
    expect(predicate(labels, namespace)).toBe(expected);
  });
});
