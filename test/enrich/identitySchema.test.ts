import { parseIdentitySnapshot } from '../../shared/enrich/identitySchema';

const valid = {
  cluster: 'c1',
  node: 'n1',
  generatedAt: '2024-05-01T12:00:00Z',
  complete: true,
  endpoints: [
    {
      ip: '10.0.0.1',
      kind: 'pod',
      namespace: 'default',
      name: 'web-1',
      labels: { app: 'web' },
      workload: { kind: 'Deployment', name: 'web' },
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    },
    { ip: '2001:db8::1', kind: 'service', namespace: 'default', name: 'web' },
  ],
};

describe('parseIdentitySnapshot', () => {
  it('accepts a valid snapshot', () => {
    const result = parseIdentitySnapshot(valid);
    expect(result).toEqual({ ok: true, snapshot: valid });
  });

  it.each<[string, unknown, string]>([
    ['empty object', {}, 'cluster: is required'],
    ['not an object', 'nope', '(root): must be a mapping (key: value), got "nope"'],
    ['endpoints not a list', { ...valid, endpoints: {} }, 'endpoints: must be a list, got'],
    [
      'bad kind, naming the choices',
      { ...valid, endpoints: [{ ...valid.endpoints[0], kind: 'ingress' }] },
      'endpoints[0].kind: must be "pod" or "service" or "node", got "ingress"',
    ],
    [
      'bad ip',
      { ...valid, endpoints: [{ ...valid.endpoints[0], ip: '10.0.0.300' }] },
      'endpoints[0].ip: not an IPv4 or IPv6 address',
    ],
    [
      'bad kind',
      { ...valid, endpoints: [valid.endpoints[0], { ...valid.endpoints[1], kind: 'ingress' }] },
      'endpoints[1].kind:',
    ],
    ['bad time', { ...valid, generatedAt: 'yesterday' }, 'generatedAt:'],
    [
      'label value not a string',
      { ...valid, endpoints: [{ ...valid.endpoints[0], labels: { app: 1 } }] },
      'endpoints[0].labels.app:',
    ],
    [
      'bad port',
      { ...valid, endpoints: [{ ...valid.endpoints[0], ports: [{ name: 'x', port: 0, protocol: 'TCP' }] }] },
      'endpoints[0].ports[0].port:',
    ],
    ['complete missing', { ...valid, complete: undefined }, 'complete: is required'],
    ['a cluster name longer than a batch may carry', { ...valid, cluster: 'c'.repeat(254) }, 'cluster:'],
  ])('rejects %s with the path', (_name, value, expected) => {
    const result = parseIdentitySnapshot(value);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.some((issue) => issue.startsWith(expected))).toBe(true);
  });
});
