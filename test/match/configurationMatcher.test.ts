import type { PortRule, TraceTarget } from '../../shared/config/model';
import type { Endpoint } from '../../shared/enrich/identity';
import { compileConfigurations } from '../../shared/match/configurationMatcher';
import type { DecodedPacket } from '../../shared/packet/decodedPacket';
import { cidr, packet, pod, selector, spec, target, type PacketSpec } from './support/builders';

const identities: Endpoint[] = [
  pod(
    '10.0.1.5',
    'frontend',
    'web-1',
    { app: 'web', tier: 'front' },
    { team: 'a' },
    {
      ports: [{ name: 'metrics', port: 9090, protocol: 'TCP' }],
    },
  ),
  pod('10.0.2.7', 'backend', 'api-1', { app: 'api', version: 'v2' }, { team: 'b', env: 'prod' }),
  pod('10.0.3.9', 'backend', 'db-1', { app: 'db' }, { team: 'b', env: 'prod' }),
  pod('2001:db8::5', 'frontend', 'web-v6', { app: 'web' }, { team: 'a' }),
  {
    ip: '10.96.0.10',
    kind: 'service',
    namespace: 'kube-system',
    name: 'kube-dns',
    labels: { 'k8s-app': 'kube-dns' },
  },
  { ip: '192.168.1.4', kind: 'node', name: 'node-a', labels: { role: 'worker' } },
];
const byIp = new Map(identities.map((e) => [e.ip, e]));

function matches(targets: TraceTarget[], spec_: PacketSpec): boolean {
  const matcher = compileConfigurations([{ key: 'ns/t', spec: spec([targets]) }]);
  return matcher.match(packet(spec_), byIp.get(spec_.src), byIp.get(spec_.dst)).length > 0;
}

const tcp = (port?: number, endPort?: number): PortRule => ({ protocol: 'TCP', port, endPort });
const web = '10.0.1.5';
const api = '10.0.2.7';
const db = '10.0.3.9';

describe('compileConfigurations: one configuration', () => {
  it.each<[string, TraceTarget[], PacketSpec, boolean]>([
    // ipBlock from/to and the reply direction
    [
      'cidr from→to',
      [target({ from: [cidr('10.0.1.0/24')], to: [cidr('10.0.2.0/24')] })],
      { src: web, dst: api, sport: 40000, dport: 8080 },
      true,
    ],
    [
      'cidr reply direction',
      [target({ from: [cidr('10.0.1.0/24')], to: [cidr('10.0.2.0/24')] })],
      { src: api, dst: web, sport: 8080, dport: 40000 },
      true,
    ],
    [
      'cidr neither direction',
      [target({ from: [cidr('10.0.1.0/24')], to: [cidr('10.0.2.0/24')] })],
      { src: db, dst: api, sport: 1, dport: 2 },
      false,
    ],
    [
      'except excludes',
      [target({ to: [cidr('10.0.0.0/16', '10.0.3.0/24')] })],
      { src: '8.8.8.8', dst: db, dport: 80 },
      false,
    ],
    [
      'except leaves the rest',
      [target({ to: [cidr('10.0.0.0/16', '10.0.3.0/24')] })],
      { src: '8.8.8.8', dst: api, dport: 80 },
      true,
    ],
    [
      'except: reply of an excluded address',
      [target({ to: [cidr('10.0.0.0/16', '10.0.3.0/24')] })],
      { src: db, dst: '8.8.8.8', sport: 80 },
      false,
    ],
    [
      'absent from: reply of a selected destination',
      [target({ to: [cidr('10.0.0.0/16', '10.0.3.0/24')] })],
      { src: api, dst: '8.8.8.8', sport: 80 },
      true,
    ],
    [
      'except inside one block, re-included by another entry',
      [target({ to: [cidr('10.0.0.0/8', '10.1.0.0/16'), cidr('10.1.2.0/24')] })],
      { src: '8.8.8.8', dst: '10.1.2.3' },
      true,
    ],
    [
      'except inside one block, not re-included',
      [target({ to: [cidr('10.0.0.0/8', '10.1.0.0/16'), cidr('10.1.2.0/24')] })],
      { src: '8.8.8.8', dst: '10.1.3.3' },
      false,
    ],
    ['bare IP is a /32', [target({ to: [cidr('10.0.2.7')] })], { src: '8.8.8.8', dst: api }, true],
    [
      'IPv6 except excludes',
      [target({ to: [cidr('2001:db8::/32', '2001:db8::/120')] })],
      { src: '2001:db9::1', dst: '2001:db8::5' },
      false,
    ],
    [
      'IPv6 outside except matches',
      [target({ to: [cidr('2001:db8::/32', '2001:db8::/120')] })],
      { src: '2001:db9::1', dst: '2001:db8:1::5' },
      true,
    ],
    [
      'IPv4 packet never matches an IPv6 block',
      [target({ to: [cidr('::/0')] })],
      { src: '8.8.8.8', dst: api },
      false,
    ],
    [
      'IPv6 packet never matches an IPv4 block',
      [target({ to: [cidr('0.0.0.0/0')] })],
      { src: '2001:db8::1', dst: '2001:db8::5' },
      false,
    ],
    [
      'unparseable cidr contributes nothing',
      [target({ to: [cidr('not-a-cidr')] })],
      { src: '8.8.8.8', dst: api },
      false,
    ],
    // selectors against enrichment
    [
      'namespaceSelector matches namespace labels',
      [target({ to: [{ namespaceSelector: selector({ team: 'b' }) }] })],
      { src: '8.8.8.8', dst: api },
      true,
    ],
    [
      'namespaceSelector other namespace',
      [target({ to: [{ namespaceSelector: selector({ team: 'b' }) }] })],
      { src: '8.8.8.8', dst: web },
      false,
    ],
    [
      'namespaceSelector unknown address',
      [target({ to: [{ namespaceSelector: selector({ team: 'b' }) }] })],
      { src: '8.8.8.8', dst: '10.9.9.9' },
      false,
    ],
    [
      'namespaceSelector implicit metadata.name label',
      [target({ to: [{ namespaceSelector: selector({ 'kubernetes.io/metadata.name': 'backend' }) }] })],
      { src: '8.8.8.8', dst: db },
      true,
    ],
    [
      'empty namespaceSelector selects every pod',
      [target({ to: [{ namespaceSelector: selector() }] })],
      { src: '8.8.8.8', dst: web },
      true,
    ],
    [
      'empty namespaceSelector does not select nodes',
      [target({ to: [{ namespaceSelector: selector() }] })],
      { src: '8.8.8.8', dst: '192.168.1.4' },
      false,
    ],
    [
      'podSelector In',
      [
        target({
          to: [
            {
              namespaceSelector: selector({ team: 'b' }),
              podSelector: selector({}, [{ key: 'app', operator: 'In', values: ['db', 'cache'] }]),
            },
          ],
        }),
      ],
      { src: '8.8.8.8', dst: db },
      true,
    ],
    [
      'podSelector In, other value',
      [
        target({
          to: [
            {
              namespaceSelector: selector({ team: 'b' }),
              podSelector: selector({}, [{ key: 'app', operator: 'In', values: ['db'] }]),
            },
          ],
        }),
      ],
      { src: '8.8.8.8', dst: api },
      false,
    ],
    [
      'podSelector only within selected namespaces',
      [
        target({
          to: [{ namespaceSelector: selector({ team: 'b' }), podSelector: selector({ app: 'web' }) }],
        }),
      ],
      { src: '8.8.8.8', dst: web },
      false,
    ],
    [
      'namespace NotIn + pod Exists',
      [
        target({
          to: [
            {
              namespaceSelector: selector({}, [{ key: 'env', operator: 'NotIn', values: ['dev'] }]),
              podSelector: selector({}, [{ key: 'version', operator: 'Exists' }]),
            },
          ],
        }),
      ],
      { src: '8.8.8.8', dst: api },
      true,
    ],
    [
      'pod DoesNotExist',
      [
        target({
          to: [
            {
              namespaceSelector: selector(),
              podSelector: selector({}, [{ key: 'version', operator: 'DoesNotExist' }]),
            },
          ],
        }),
      ],
      { src: '8.8.8.8', dst: api },
      false,
    ],
    [
      'pod NotIn matches pods without the key',
      [
        target({
          to: [
            {
              namespaceSelector: selector({ team: 'b' }),
              podSelector: selector({}, [{ key: 'version', operator: 'NotIn', values: ['v2'] }]),
            },
          ],
        }),
      ],
      { src: '8.8.8.8', dst: db },
      true,
    ],
    [
      'nodeSelector',
      [target({ to: [{ nodeSelector: selector({ role: 'worker' }) }] })],
      { src: api, dst: '192.168.1.4' },
      true,
    ],
    [
      'nodeSelector does not select pods',
      [target({ to: [{ nodeSelector: selector() }] })],
      { src: '8.8.8.8', dst: api },
      false,
    ],
    [
      'serviceSelector',
      [target({ to: [{ serviceSelector: selector({ 'k8s-app': 'kube-dns' }) }] })],
      { src: web, dst: '10.96.0.10', proto: 'UDP', sport: 5353, dport: 53 },
      true,
    ],
    [
      'namespaceSelector selects services',
      [target({ to: [{ namespaceSelector: selector({ 'kubernetes.io/metadata.name': 'kube-system' }) }] })],
      { src: web, dst: '10.96.0.10', proto: 'UDP', dport: 53 },
      true,
    ],
    [
      'IPv6 pod by namespace',
      [target({ from: [{ namespaceSelector: selector({ team: 'a' }) }] })],
      { src: '2001:db8::5', dst: '2001:db8::9' },
      true,
    ],
    // from AND to
    [
      'from ns a to ns b',
      [
        target({
          from: [{ namespaceSelector: selector({ team: 'a' }) }],
          to: [{ namespaceSelector: selector({ team: 'b' }) }],
        }),
      ],
      { src: web, dst: db },
      true,
    ],
    [
      'from ns a to ns b, reply',
      [
        target({
          from: [{ namespaceSelector: selector({ team: 'a' }) }],
          to: [{ namespaceSelector: selector({ team: 'b' }) }],
        }),
      ],
      { src: db, dst: web },
      true,
    ],
    [
      'from ns a to ns b, neither',
      [
        target({
          from: [{ namespaceSelector: selector({ team: 'a' }) }],
          to: [{ namespaceSelector: selector({ team: 'b' }) }],
        }),
      ],
      { src: db, dst: api },
      false,
    ],
    [
      'from entries OR-ed',
      [target({ from: [cidr('1.1.1.1'), { namespaceSelector: selector({ team: 'a' }) }], to: [cidr(api)] })],
      { src: '1.1.1.1', dst: api },
      true,
    ],
    // ports
    ['port exact', [target({ ports: [tcp(80)] })], { src: web, dst: api, sport: 50000, dport: 80 }, true],
    [
      'port, other protocol',
      [target({ ports: [tcp(80)] })],
      { src: web, dst: api, sport: 50000, dport: 80, proto: 'UDP' },
      false,
    ],
    [
      'port, other port',
      [target({ ports: [tcp(80)] })],
      { src: web, dst: api, sport: 50000, dport: 81 },
      false,
    ],
    [
      'port reply (source port)',
      [target({ ports: [tcp(80)] })],
      { src: api, dst: web, sport: 80, dport: 50000 },
      true,
    ],
    [
      'endPort inside',
      [target({ ports: [tcp(8000, 8100)] })],
      { src: web, dst: api, sport: 50000, dport: 8100 },
      true,
    ],
    [
      'endPort outside',
      [target({ ports: [tcp(8000, 8100)] })],
      { src: web, dst: api, sport: 50000, dport: 8101 },
      false,
    ],
    [
      'wide range (not indexed)',
      [target({ ports: [tcp(1024, 65535)] })],
      { src: web, dst: api, sport: 80, dport: 40000 },
      true,
    ],
    [
      'protocol without port',
      [target({ ports: [{ protocol: 'UDP' }] })],
      { src: web, dst: api, proto: 'UDP', sport: 1, dport: 2 },
      true,
    ],
    [
      'protocol without port, TCP packet',
      [target({ ports: [{ protocol: 'UDP' }] })],
      { src: web, dst: api, sport: 1, dport: 2 },
      false,
    ],
    [
      'SCTP port',
      [target({ ports: [{ protocol: 'SCTP', port: 3868 }] })],
      { src: web, dst: api, proto: 'SCTP', sport: 1, dport: 3868 },
      true,
    ],
    [
      'named http (well-known)',
      [target({ ports: [{ protocol: 'TCP', port: 'http' }] })],
      { src: web, dst: '8.8.8.8', sport: 50000, dport: 80 },
      true,
    ],
    [
      'named dns over UDP',
      [target({ ports: [{ protocol: 'UDP', port: 'dns' }] })],
      { src: web, dst: '10.96.0.10', proto: 'UDP', sport: 5353, dport: 53 },
      true,
    ],
    [
      'named dns over TCP',
      [target({ ports: [{ protocol: 'TCP', port: 'dns' }] })],
      { src: web, dst: '10.96.0.10', sport: 5353, dport: 53 },
      true,
    ],
    [
      'named port via container ports',
      [target({ ports: [{ protocol: 'TCP', port: 'metrics' }] })],
      { src: api, dst: web, sport: 50000, dport: 9090 },
      true,
    ],
    [
      'named port via container ports, reply',
      [target({ ports: [{ protocol: 'TCP', port: 'metrics' }] })],
      { src: web, dst: api, sport: 9090, dport: 50000 },
      true,
    ],
    [
      'container ports known: no well-known fallback',
      [target({ ports: [{ protocol: 'TCP', port: 'http' }] })],
      { src: api, dst: web, sport: 50000, dport: 80 },
      false,
    ],
    [
      'unknown port name',
      [target({ ports: [{ protocol: 'TCP', port: 'no-such-name' }] })],
      { src: web, dst: api, sport: 50000, dport: 80 },
      false,
    ],
    [
      'ICMP never matches a port rule',
      [target({ ports: [{ protocol: 'TCP' }] })],
      { src: web, dst: api, proto: 'ICMP' },
      false,
    ],
    [
      'ICMP matches a cidr-only target',
      [target({ to: [cidr('10.0.0.0/8')] })],
      { src: '8.8.8.8', dst: api, proto: 'ICMP' },
      true,
    ],
    [
      'to AND ports, reply',
      [target({ to: [cidr(db)], ports: [tcp(5432)] })],
      { src: db, dst: api, sport: 5432, dport: 50000 },
      true,
    ],
    [
      'to AND ports, wrong port',
      [target({ to: [cidr(db)], ports: [tcp(5432)] })],
      { src: api, dst: db, sport: 50000, dport: 5433 },
      false,
    ],
    // trace points
    [
      'restricted trace point, same',
      [target({ to: [cidr('0.0.0.0/0')], tracePoints: ['NodeToPod'] })],
      { src: web, dst: api, tracePoint: 'NodeToPod' },
      true,
    ],
    [
      'restricted trace point, other',
      [target({ to: [cidr('0.0.0.0/0')], tracePoints: ['NodeToPod'] })],
      { src: web, dst: api, tracePoint: 'PodToNode' },
      false,
    ],
    [
      'restricted trace point, unknown',
      [target({ to: [cidr('0.0.0.0/0')], tracePoints: ['NodeToPod'] })],
      { src: web, dst: api },
      false,
    ],
    [
      'unrestricted, unknown trace point',
      [target({ to: [cidr('0.0.0.0/0')] })],
      { src: web, dst: api },
      true,
    ],
    // targets OR-ed, empty
    [
      'targets OR-ed',
      [target({ to: [cidr('10.0.2.0/24')] }), target({ to: [cidr('8.8.8.8')] })],
      { src: web, dst: '8.8.8.8' },
      true,
    ],
    ['no targets match nothing', [], { src: web, dst: api }, false],
  ])('%s', (_name, targets, p, expected) => {
    expect(matches(targets, p)).toBe(expected);
  });

  it('a packet without IP addresses matches no address or port constraint', () => {
    const matcher = compileConfigurations([
      { key: 'a/b', spec: spec([[target({ to: [cidr('0.0.0.0/0')] }), target({ ports: [tcp()] })]]) },
    ]);
    const bare: DecodedPacket = {
      frame: 1,
      timestampSec: 0,
      timestampNsec: 0,
      direction: 'unknown',
      originalLength: 60,
      data: new Uint8Array(60),
    };
    expect(matcher.match(bare, undefined, undefined)).toEqual([]);
  });
});

describe('compileConfigurations: many configurations', () => {
  it('reports each matching configuration once, with its matched rules deduplicated and combined levels', () => {
    const everything = target({ to: [cidr('0.0.0.0/0')] });
    const matcher = compileConfigurations([
      { key: 'ns/none', spec: spec([[target({ to: [cidr('1.2.3.4')] })]]) },
      {
        key: 'ns/two-rules',
        spec: {
          ...spec([[everything, everything]], { captureLevel: 'FirstPacket' }),
          rules: [
            { captureLevel: 'FirstPacket', includeLayer7Data: false, targets: [everything, everything] },
            { captureLevel: 'AllPackets', includeLayer7Data: true, targets: [target({ ports: [tcp(80)] })] },
            {
              captureLevel: 'FirstPacket',
              includeLayer7Data: false,
              targets: [target({ ports: [tcp(81)] })],
            },
          ],
        },
      },
      { key: 'ns/first', spec: spec([[target({ ports: [tcp(80)] })]], { captureLevel: 'FirstPacket' }) },
    ]);
    const result = matcher.match(
      packet({ src: web, dst: api, sport: 50000, dport: 80 }),
      undefined,
      undefined,
    );
    expect(result.map((m) => [m.key, m.index, m.rules, m.captureLevel, m.includeLayer7Data])).toEqual([
      ['ns/two-rules', 1, [0, 1], 'AllPackets', true],
      ['ns/first', 2, [0], 'FirstPacket', false],
    ]);
    expect(matcher.size).toBe(3);
  });

  it('returns one frozen result per distinct set of matched rules, whatever the order of matching', () => {
    // Rule ids 1 and 12 must not be confused with 11 and 2 (or 112).
    const configs = Array.from({ length: 13 }, (_, i) => ({
      key: `ns/c${i}`,
      spec: spec([[target({ ports: [tcp(1000 + i)] })]]),
    }));
    const matcher = compileConfigurations(configs);
    const keys = (sport: number, dport: number) =>
      matcher.match(packet({ src: web, dst: api, sport, dport }), undefined, undefined).map((m) => m.key);
    expect(keys(1001, 1012)).toEqual(['ns/c1', 'ns/c12']);
    expect(keys(1012, 1001)).toEqual(['ns/c1', 'ns/c12']);
    expect(keys(1011, 1002)).toEqual(['ns/c2', 'ns/c11']);
    const first = matcher.match(
      packet({ src: web, dst: api, sport: 1001, dport: 1012 }),
      undefined,
      undefined,
    );
    const again = matcher.match(
      packet({ src: api, dst: web, sport: 1012, dport: 1001 }),
      undefined,
      undefined,
    );
    expect(again).toBe(first);
    expect(Object.isFrozen(first) && first.every((m) => Object.isFrozen(m) && Object.isFrozen(m.rules))).toBe(
      true,
    );
  });

  it('an empty configuration list matches nothing', () => {
    expect(compileConfigurations([]).match(packet({ src: web, dst: api }), undefined, undefined)).toEqual([]);
  });

  // 100 configurations: indexed ports, wide ranges, selectors and cidrs mixed; the combined matcher
  // must agree with matching each configuration on its own.
  const configs = Array.from({ length: 100 }, (_, i) => {
    const kind = i % 5;
    const t =
      kind === 0
        ? target({ to: [cidr(`10.${i}.0.0/16`, `10.${i}.1.0/24`)], ports: [tcp(1000 + i)] })
        : kind === 1
          ? target({ ports: [tcp(2000 + i, 2000 + i + 10)] })
          : kind === 2
            ? target({
                from: [{ namespaceSelector: selector({ team: i % 8 === 2 ? 'a' : 'b' }) }],
                ports: [{ protocol: 'UDP' }],
              })
            : kind === 3
              ? target({ to: [cidr(`10.0.${i}.0/24`)], tracePoints: ['NodeToPod'] })
              : target({
                  from: [cidr(`172.16.${i}.0/24`, `172.16.${i}.128/25`), cidr(`2001:db8:${i}::/48`)],
                });
    return { key: `ns/c${i}`, spec: spec([[t]]) };
  });
  const combined = compileConfigurations(configs);
  const single = configs.map((c) => compileConfigurations([c]));
  const packets: PacketSpec[] = [];
  for (let i = 0; i < 100; i++) {
    packets.push({ src: web, dst: `10.${i}.0.1`, sport: 40000, dport: 1000 + i });
    packets.push({ src: `10.${i}.1.1`, dst: web, sport: 1000 + i, dport: 40000 });
    packets.push({ src: api, dst: '8.8.8.8', sport: 2000 + i + 5, dport: 40000 });
    packets.push({ src: web, dst: api, proto: 'UDP', sport: 53, dport: i });
    packets.push({ src: '8.8.8.8', dst: `10.0.${i}.3`, tracePoint: i % 2 ? 'NodeToPod' : 'PodToNode' });
    packets.push({ src: '8.8.8.8', dst: `172.16.${i}.${i * 2}`, proto: 'ICMP' });
    packets.push({ src: `2001:db8:${i}::1`, dst: '2001:db8:ffff::1', sport: 1, dport: 2 });
  }
  it.each(packets.map((p, n) => [n, p] as const))(
    'packet %i agrees with per-configuration matching',
    (_n, p) => {
      const built = packet(p);
      const src = byIp.get(p.src);
      const dst = byIp.get(p.dst);
      const expected = single.flatMap((m, i) => (m.match(built, src, dst).length > 0 ? [`ns/c${i}`] : []));
      expect(combined.match(built, src, dst).map((m) => m.key)).toEqual(expected);
    },
  );

  it('the 100-configuration table matches what it should (not just agreement)', () => {
    const keys = (p: PacketSpec) =>
      combined.match(packet(p), byIp.get(p.src), byIp.get(p.dst)).map((m) => m.key);
    expect(keys({ src: web, dst: '10.40.0.1', sport: 40000, dport: 1040 })).toEqual(['ns/c40']);
    expect(keys({ src: web, dst: '10.40.1.1', sport: 40000, dport: 1040 })).toEqual([]);
    expect(keys({ src: '10.40.0.1', dst: web, sport: 1040, dport: 40000 })).toEqual(['ns/c40']);
    expect(keys({ src: web, dst: api, sport: 40000, dport: 2015 })).toEqual(['ns/c6', 'ns/c11']);
    expect(keys({ src: web, dst: '8.8.8.8', proto: 'UDP', sport: 1, dport: 2 })).toEqual([
      'ns/c2',
      'ns/c42',
      'ns/c82',
    ]);
    expect(keys({ src: '172.16.24.5', dst: '8.8.8.8', proto: 'ICMP' })).toEqual(['ns/c24']);
    expect(keys({ src: '8.8.8.8', dst: '172.16.24.5', proto: 'ICMP' })).toEqual(['ns/c24']);
    expect(keys({ src: '172.16.24.200', dst: '8.8.8.8', proto: 'ICMP' })).toEqual([]);
    expect(keys({ src: '2001:db8:24::1', dst: '2001:db8:ffff::1', sport: 1, dport: 2 })).toEqual(['ns/c24']);
    expect(keys({ src: '10.0.33.3', dst: '8.8.8.8', tracePoint: 'NodeToPod' })).toEqual(['ns/c33']);
  });
});
