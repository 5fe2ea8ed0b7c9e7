import type { Peer } from '../../shared/config/model';
import type { Endpoint } from '../../shared/enrich/identity';
import { compilePeers } from '../../shared/match/peers';
import { parseIp } from '../../shared/net/ipAddress';
import { cidr, pod, selector } from './support/builders';

const api = pod('10.0.2.7', 'backend', 'api', { app: 'api' }, { team: 'b' });
const svc: Endpoint = {
  ip: '10.96.0.1',
  kind: 'service',
  namespace: 'backend',
  name: 'api',
  labels: { app: 'api' },
};
const node: Endpoint = { ip: '192.168.0.1', kind: 'node', name: 'n', labels: { app: 'api' } };

describe('compilePeers', () => {
  it('returns nothing for an empty side (matches anything)', () => {
    expect(compilePeers([])).toBeUndefined();
  });

  it.each<[string, Peer[], string | undefined, Endpoint | undefined, boolean]>([
    ['ipBlock without enrichment', [cidr('10.0.0.0/8')], '10.0.2.7', undefined, true],
    ['ipBlock, no address (non-IP packet)', [cidr('0.0.0.0/0')], undefined, undefined, false],
    [
      'ipBlock OR selector: selector hit',
      [cidr('1.1.1.1'), { namespaceSelector: selector({ team: 'b' }) }],
      '10.0.2.7',
      api,
      true,
    ],
    [
      'ipBlock OR selector: neither',
      [cidr('1.1.1.1'), { namespaceSelector: selector({ team: 'x' }) }],
      '10.0.2.7',
      api,
      false,
    ],
    ['selector, unknown address', [{ namespaceSelector: selector() }], '10.0.2.7', undefined, false],
    [
      'namespace selector selects a service',
      [{ namespaceSelector: selector({ 'kubernetes.io/metadata.name': 'backend' }) }],
      '10.96.0.1',
      svc,
      true,
    ],
    [
      'pod selector never selects a service',
      [{ namespaceSelector: selector(), podSelector: selector({ app: 'api' }) }],
      '10.96.0.1',
      svc,
      false,
    ],
    [
      'pod selector alone (no namespace selector)',
      [{ podSelector: selector({ app: 'api' }) }],
      '10.0.2.7',
      api,
      true,
    ],
    [
      'node selector selects only nodes',
      [{ nodeSelector: selector({ app: 'api' }) }],
      '10.0.2.7',
      api,
      false,
    ],
    ['node selector on a node', [{ nodeSelector: selector({ app: 'api' }) }], '192.168.0.1', node, true],
    [
      'service selector on a service',
      [{ serviceSelector: selector({ app: 'api' }) }],
      '10.96.0.1',
      svc,
      true,
    ],
    ['service selector on a pod', [{ serviceSelector: selector({ app: 'api' }) }], '10.0.2.7', api, false],
    ['entry with no selector selects nothing', [{}], '10.0.2.7', api, false],
  ])('%s', (_name, peers, ip, endpoint, expected) => {
    expect(compilePeers(peers)?.(ip ? parseIp(ip) : undefined, endpoint)).toBe(expected);
  });
});
