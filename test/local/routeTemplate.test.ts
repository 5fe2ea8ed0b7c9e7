import { compileRouteTemplate } from '../../shared/local/routeTemplate';

describe('compileRouteTemplate', () => {
  const route = compileRouteTemplate('traceconfigurations/{namespace?}/{name?}/{subresource?}');

  it.each([
    ['traceconfigurations', {}],
    ['TraceConfigurations/', {}],
    ['traceconfigurations/team-a', { namespace: 'team-a' }],
    ['traceconfigurations/team-a/web', { namespace: 'team-a', name: 'web' }],
    ['traceconfigurations/team-a/web/status', { namespace: 'team-a', name: 'web', subresource: 'status' }],
    ['traceconfigurations/a%20b/web', { namespace: 'a b', name: 'web' }],
  ])('matches %s', (path, params) => {
    expect(route.match(path)).toEqual(params);
  });

  it.each(['', 'health', 'traceconfigurations/a/b/c/d', 'traceconfigurations/%E0%A4%A/x'])('does not match %j', (path) => {
    expect(route.match(path)).toBeUndefined();
  });

  it('requires non-optional parameters and honours int constraints', () => {
    const items = compileRouteTemplate('items/{id:int}');
    expect(items.match('items/42')).toEqual({ id: '42' });
    expect(items.match('items/abc')).toBeUndefined();
    expect(items.match('items')).toBeUndefined();
  });
});
