import type { IdentityEntry } from '../../shared/enrich/identityTable';
import { fromIdentityEntity, identityRowKey, toIdentityEntity } from '../../shared/enrich/identityEntity';

describe('identity entities', () => {
  it.each([
    ['10.0.0.1', '0a000001'],
    ['2001:db8::1', '20010db8000000000000000000000001'],
    ['nonsense', undefined],
    ['', undefined],
  ])('row key of %j is %j', (ip, expected) => {
    expect(identityRowKey(ip)).toBe(expected);
  });

  it.each<[string, IdentityEntry]>([
    [
      'full pod',
      {
        endpoint: {
          ip: '10.0.0.1',
          kind: 'pod',
          namespace: 'ns',
          name: 'p',
          labels: { a: 'b' },
          namespaceLabels: { t: 'x' },
          nodeName: 'n',
          workload: { kind: 'Deployment', name: 'w' },
          serviceNames: ['s'],
          ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
        },
        generatedAtMs: Date.parse('2024-01-01T00:00:00Z'),
        scope: 'n',
        refreshedAtMs: 1000,
      },
    ],
    [
      'bare node',
      { endpoint: { ip: '::1', kind: 'node', name: 'n' }, generatedAtMs: 0, scope: '', refreshedAtMs: 0 },
    ],
  ])('round-trips a %s', (_name, entry) => {
    const entity = toIdentityEntity('c1', 'rk', entry);
    expect(entity.partitionKey).toBe('c1');
    expect(Object.values(entity).every((v) => typeof v === 'string')).toBe(true);
    expect(fromIdentityEntity(entity)).toEqual({ ok: true, entry });
  });

  it.each<[string, Record<string, unknown>]>([
    ['empty row', {}],
    [
      'bad kind',
      {
        rowKey: 'r',
        Ip: '10.0.0.1',
        Kind: 'ingress',
        Name: 'x',
        GeneratedAt: '2024-01-01T00:00:00Z',
        RefreshedAt: '2024-01-01T00:00:00Z',
      },
    ],
    [
      'bad time',
      {
        rowKey: 'r',
        Ip: '10.0.0.1',
        Kind: 'pod',
        Name: 'x',
        GeneratedAt: 'x',
        RefreshedAt: '2024-01-01T00:00:00Z',
      },
    ],
    [
      'bad JSON',
      {
        rowKey: 'r',
        Ip: '10.0.0.1',
        Kind: 'pod',
        Name: 'x',
        GeneratedAt: '2024-01-01T00:00:00Z',
        RefreshedAt: '2024-01-01T00:00:00Z',
        Labels: '{',
      },
    ],
  ])('reports a damaged row: %s', (_name, entity) => {
    const result = fromIdentityEntity(entity);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/identity row/);
  });
});
