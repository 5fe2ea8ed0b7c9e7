import type { Endpoint, IdentitySnapshot } from '../../shared/enrich/identity';
import { IdentityTable } from '../../shared/enrich/identityTable';
import { parseIp } from '../../shared/net/ipAddress';

const ep = (ip: string, name: string, kind: Endpoint['kind'] = 'pod'): Endpoint => ({
  ip,
  kind,
  name,
  namespace: kind === 'node' ? undefined : 'ns',
});
const snap = (at: string, complete: boolean, endpoints: Endpoint[], node?: string): IdentitySnapshot => ({
  cluster: 'c1',
  ...(node ? { node } : {}),
  generatedAt: `2024-05-01T12:00:${at}Z`,
  complete,
  endpoints,
});

type Step = IdentitySnapshot | { advanceMs: number };

function run(steps: Step[], ttlInMs = 60_000) {
  let now = 0;
  const table = new IdentityTable({ ttlInMs, now: () => now });
  for (const step of steps) {
    if ('advanceMs' in step) now += step.advanceMs;
    else table.apply(step);
  }
  return (ip: string) => table.lookup(parseIp(ip)!)?.name;
}

describe('IdentityTable', () => {
  it.each<[string, Step[], Record<string, string | undefined>]>([
    ['empty table', [], { '10.0.0.1': undefined }],
    [
      'complete snapshot',
      [snap('00', true, [ep('10.0.0.1', 'a'), ep('2001:db8::1', 'v6')])],
      { '10.0.0.1': 'a', '2001:db8::1': 'v6', '10.0.0.2': undefined },
    ],
    [
      'delta adds and updates',
      [
        snap('00', true, [ep('10.0.0.1', 'a')]),
        snap('01', false, [ep('10.0.0.1', 'a2'), ep('10.0.0.2', 'b')]),
      ],
      { '10.0.0.1': 'a2', '10.0.0.2': 'b' },
    ],
    [
      'older delta loses',
      [snap('05', true, [ep('10.0.0.1', 'new')]), snap('01', false, [ep('10.0.0.1', 'old')])],
      { '10.0.0.1': 'new' },
    ],
    [
      'complete replaces the cluster',
      [
        snap('00', true, [ep('10.0.0.1', 'a'), ep('10.0.0.2', 'b')]),
        snap('02', true, [ep('10.0.0.2', 'b2')]),
      ],
      { '10.0.0.1': undefined, '10.0.0.2': 'b2' },
    ],
    [
      'older complete ignored',
      [snap('05', true, [ep('10.0.0.1', 'a')]), snap('02', true, [ep('10.0.0.2', 'b')])],
      { '10.0.0.1': 'a', '10.0.0.2': undefined },
    ],
    [
      'complete keeps newer delta entries',
      [
        snap('00', true, []),
        snap('09', false, [ep('10.0.0.3', 'late')]),
        snap('05', true, [ep('10.0.0.1', 'a')]),
      ],
      { '10.0.0.1': 'a', '10.0.0.3': 'late' },
    ],
    [
      'per-node complete replaces only that node',
      [
        snap('00', true, [ep('10.0.0.1', 'on-n1')], 'n1'),
        snap('00', true, [ep('10.0.0.2', 'on-n2')], 'n2'),
        snap('01', true, [ep('10.0.0.3', 'n1-new')], 'n1'),
      ],
      { '10.0.0.1': undefined, '10.0.0.2': 'on-n2', '10.0.0.3': 'n1-new' },
    ],
    [
      'node beats pod at the same time (hostNetwork)',
      [snap('00', true, [ep('10.0.0.9', 'node-a', 'node'), ep('10.0.0.9', 'host-pod')])],
      { '10.0.0.9': 'node-a' },
    ],
    [
      'service addresses resolve to the service',
      [snap('00', true, [ep('10.96.0.10', 'kube-dns', 'service')])],
      { '10.96.0.10': 'kube-dns' },
    ],
    [
      'entries expire after the TTL',
      [
        snap('00', true, [ep('10.0.0.1', 'a')]),
        { advanceMs: 30_000 },
        snap('01', false, [ep('10.0.0.2', 'b')]),
        { advanceMs: 40_000 },
        snap('02', false, []),
      ],
      { '10.0.0.1': undefined, '10.0.0.2': 'b' },
    ],
  ])('%s', (_name, steps, expected) => {
    const lookup = run(steps);
    for (const [ip, name] of Object.entries(expected)) expect([ip, lookup(ip)]).toEqual([ip, name]);
  });

  it('reports what an apply did', () => {
    let now = 0;
    const table = new IdentityTable({ now: () => now });
    expect(table.apply(snap('05', true, [ep('10.0.0.1', 'a'), ep('10.0.0.2', 'b'), ep('bad', 'x')]))).toEqual(
      { applied: 2, stale: 0, invalid: 1, removed: 0, ignored: false },
    );
    expect(table.apply(snap('01', false, [ep('10.0.0.1', 'old')]))).toEqual({
      applied: 0,
      stale: 1,
      invalid: 0,
      removed: 0,
      ignored: false,
    });
    expect(table.apply(snap('06', true, [ep('10.0.0.1', 'a')]))).toEqual({
      applied: 1,
      stale: 0,
      invalid: 0,
      removed: 1,
      ignored: false,
    });
    expect(table.apply(snap('02', true, []))).toEqual({
      applied: 0,
      stale: 0,
      invalid: 0,
      removed: 0,
      ignored: true,
    });
    now += 1e9;
    expect(table.expire()).toBe(1);
    expect(table.size).toBe(0);
  });

  it('looks up text and views inside a frame', () => {
    const table = new IdentityTable();
    table.apply(snap('00', true, [ep('10.0.0.1', 'a')]));
    expect(table.lookupText('10.0.0.1')?.name).toBe('a');
    expect(table.lookupText('not-an-ip')).toBeUndefined();
    expect(table.lookup(new Uint8Array([0, 10, 0, 0, 1]).subarray(1))?.name).toBe('a');
  });
});
