import type { Peer, PortRule, TraceConfigurationSpec, TraceTarget } from '../../shared/config/model';
import { validateTraceConfigurationObject } from '../../shared/config/validateObject';
import { documented, fromPeer, port, upstream } from './manifests';

const ALL = ['PodToNode', 'NodeToPod', 'NodeToNetwork', 'NetworkToNode'];
const EMPTY_SELECTOR = { matchLabels: {}, matchExpressions: [] };

function spec(manifest: unknown): TraceConfigurationSpec {
  const result = validateTraceConfigurationObject(manifest);
  expect(result.errors).toEqual([]);
  if (result.spec === undefined) throw new Error('no spec');
  return result.spec;
}

function firstTarget(manifest: unknown): TraceTarget {
  const target = spec(manifest).rules[0]?.targets[0];
  if (target === undefined) throw new Error('no target');
  return target;
}

describe('normalisation', () => {
  it('applies the defaults', () => {
    expect(spec(documented(port({ port: 443 })))).toEqual({
      rules: [
        {
          captureLevel: 'FirstPacket',
          includeLayer7Data: false,
          targets: [
            {
              from: [],
              to: [],
              ports: [{ protocol: 'TCP', port: 443 }],
              tracePoints: ALL,
              tracePointsRestricted: false,
            },
          ],
        },
      ],
      output: { destination: 'stdout', connection: 'TRACES_STDOUT' },
    });
  });

  it.each<[string, unknown, Peer]>([
    [
      'bare IPv4 is /32',
      { ipBlock: { cidr: '192.168.1.7' } },
      { ipBlock: { cidr: '192.168.1.7/32', except: [] } },
    ],
    [
      'bare IPv6 is /128',
      { ipBlock: { cidr: '2001:DB8::1' } },
      { ipBlock: { cidr: '2001:db8::1/128', except: [] } },
    ],
    [
      'IPv6 with except',
      { ipBlock: { cidr: 'fd00::/48', except: ['fd00:0:0:1::/64', 'fd00::5'] } },
      { ipBlock: { cidr: 'fd00::/48', except: ['fd00:0:0:1::/64', 'fd00::5/128'] } },
    ],
    [
      'host bits cleared',
      { ipBlock: { cidr: '10.1.2.3/8' } },
      { ipBlock: { cidr: '10.0.0.0/8', except: [] } },
    ],
    [
      'except beside and inside are merged',
      { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }, except: ['10.2.0.0/16'] },
      { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16', '10.2.0.0/16'] } },
    ],
    [
      'shorthand selector',
      { namespaceSelector: { team: 'a' } },
      { namespaceSelector: { matchLabels: { team: 'a' }, matchExpressions: [] } },
    ],
    ['empty selector matches all', { namespaceSelector: {} }, { namespaceSelector: EMPTY_SELECTOR }],
    [
      'expressions with operator case folded',
      {
        namespaceSelector: {
          matchExpressions: [
            { key: 'team', operator: 'notin', values: ['a'] },
            { key: 'x', operator: 'EXISTS' },
          ],
        },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'web' } },
      },
      {
        namespaceSelector: {
          matchLabels: {},
          matchExpressions: [
            { key: 'team', operator: 'NotIn', values: ['a'] },
            { key: 'x', operator: 'Exists' },
          ],
        },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'web' }, matchExpressions: [] },
      },
    ],
    [
      'node selector',
      { nodeSelector: { matchLabels: { agentpool: 'system' } } },
      { nodeSelector: { matchLabels: { agentpool: 'system' }, matchExpressions: [] } },
    ],
    [
      'service selector',
      { serviceSelector: { matchLabels: { app: 'db' } } },
      { serviceSelector: { matchLabels: { app: 'db' }, matchExpressions: [] } },
    ],
    [
      'empty ipBlock (Go zero value) is absent',
      { ipBlock: { cidr: '' }, serviceSelector: {} },
      { serviceSelector: EMPTY_SELECTOR },
    ],
  ])('peer: %s', (_name, peer, expected) => {
    expect(firstTarget(documented(fromPeer(peer))).from).toEqual([expected]);
  });

  it.each<[string, unknown, PortRule]>([
    ['number', { port: 80 }, { protocol: 'TCP', port: 80 }],
    ['numeric string (upstream)', { port: '80', protocol: 'udp' }, { protocol: 'UDP', port: 80 }],
    ['named port', { port: 'http', protocol: 'Sctp' }, { protocol: 'SCTP', port: 'http' }],
    ['range', { port: 8000, endPort: '8010' }, { protocol: 'TCP', port: 8000, endPort: 8010 }],
    ['endPort equal to port is no range', { port: 8000, endPort: 8000 }, { protocol: 'TCP', port: 8000 }],
    ['upstream empty endPort', { port: '53', endPort: '', protocol: 'UDP' }, { protocol: 'UDP', port: 53 }],
    ['upstream "0" endPort', { port: '53', endPort: '0' }, { protocol: 'TCP', port: 53 }],
    ['any port of a protocol', { protocol: 'UDP' }, { protocol: 'UDP' }],
  ])('port: %s', (_name, rule, expected) => {
    expect(firstTarget(documented(port(rule))).ports).toEqual([expected]);
  });

  it.each<[string, unknown, string[], boolean]>([
    ['absent', undefined, ALL, false],
    ['empty', [], ALL, false],
    ['pod is both pod directions', ['pod'], ['PodToNode', 'NodeToPod'], true],
    [
      'case-insensitive, deduplicated, canonical order',
      ['NETWORKTONODE', 'nodeToPod', 'NodeToPod'],
      ['NodeToPod', 'NetworkToNode'],
      true,
    ],
  ])('documented tracePoints: %s', (_name, tracePoints, expected, restricted) => {
    const target = firstTarget(
      documented(port({ port: 1 }), tracePoints === undefined ? {} : { tracePoints }),
    );
    expect(target.tracePoints).toEqual(expected);
    expect(target.tracePointsRestricted).toBe(restricted);
  });

  it.each([
    ['allpackets', 'AllPackets'],
    ['FIRSTPACKET', 'FirstPacket'],
    ['firstPacket', 'FirstPacket'],
  ])('captureLevel %s is %s', (text, expected) => {
    expect(spec(documented({ captureLevel: text, ports: [{ port: 1 }] })).rules[0]?.captureLevel).toBe(
      expected,
    );
  });

  it.each([
    [{ destination: 'AzureTable' }, { destination: 'azuretable', connection: 'TRACES_AZURETABLE' }],
    [
      { destination: 'loganalytics', connectionConfiguration: '' },
      { destination: 'loganalytics', connection: 'TRACES_LOGANALYTICS' },
    ],
    [
      { destination: 'OpenTelemetry', connectionConfiguration: ' TRACES_OTEL_A ' },
      { destination: 'opentelemetry', connection: 'TRACES_OTEL_A' },
    ],
  ])('output %j', (output, expected) => {
    expect(spec(documented(port({ port: 1 }), { outputConfiguration: output })).output).toEqual(expected);
  });

  it('normalises the upstream form: one rule per configuration, one target per traceTarget', () => {
    const manifest = upstream(
      [
        { from: { namespaceSelector: { matchLabels: { a: 'b' } } }, tracePoints: ['NodeToNetwork'] },
        { to: { ipBlock: { cidr: '10.0.0.0/8' } }, ports: [{ port: '443', protocol: 'TCP', endPort: '' }] },
      ],
      { captureLevel: 'AllPackets', includeLayer7Data: true },
    );
    expect(spec(manifest).rules).toEqual([
      {
        captureLevel: 'AllPackets',
        includeLayer7Data: true,
        targets: [
          {
            from: [{ namespaceSelector: { matchLabels: { a: 'b' }, matchExpressions: [] } }],
            to: [],
            ports: [],
            tracePoints: ['NodeToNetwork'],
            tracePointsRestricted: true,
          },
          {
            from: [],
            to: [{ ipBlock: { cidr: '10.0.0.0/8', except: [] } }],
            ports: [{ protocol: 'TCP', port: 443 }],
            tracePoints: ALL,
            tracePointsRestricted: false,
          },
        ],
      },
    ]);
  });

  it('accepts Go-serialised nulls (absent pointers) as absent fields', () => {
    const manifest = upstream([
      {
        from: {
          ipBlock: { cidr: '', except: null },
          namespaceSelector: { matchLabels: { a: 'b' } },
          podSelector: null,
          nodeSelector: null,
          serviceSelector: null,
        },
        to: null,
        ports: null,
        tracePoints: null,
      },
    ]);
    const result = validateTraceConfigurationObject({ ...manifest, status: null });
    expect(result.state).toBe('Accepted');
    expect(result.spec?.rules[0]?.targets[0]?.from).toEqual([
      { namespaceSelector: { matchLabels: { a: 'b' }, matchExpressions: [] } },
    ]);
  });

  it('reports identity fields and the form', () => {
    const result = validateTraceConfigurationObject(
      documented(port({ port: 1 }), {}, { name: 'x', namespace: 'team-a' }),
    );
    expect(result).toMatchObject({
      apiVersion: 'retina.sh/v1alpha1',
      kind: 'TraceConfiguration',
      namespace: 'team-a',
      name: 'x',
      state: 'Accepted',
      reason: '',
      form: 'documented',
    });
    expect(validateTraceConfigurationObject(upstream([{ ports: [{ port: 1 }] }])).form).toBe('upstream');
  });
});
