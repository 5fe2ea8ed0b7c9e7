import { validateTraceConfigurationObject } from '../../shared/config/validateObject';
import { documented, fromPeer, port, upstream } from './manifests';

const P = 'spec.traceConfigurations[0]';
const U = 'spec.traceConfiguration[0].traceTargets[0]';

describe('validateTraceConfigurationObject: errors', () => {
  // Each row breaks exactly one rule and asserts the exact path and message.
  it.each<[string, unknown, string, string]>([
    [
      'not a mapping',
      ['a'],
      '',
      'a TraceConfiguration must be a mapping with apiVersion, kind, metadata and spec, got a list',
    ],
    ['empty document', {}, 'apiVersion', 'is required: retina.sh/v1alpha1'],
    [
      'wrong apiVersion',
      { ...documented(fromPeer({ namespaceSelector: {} })), apiVersion: 'retina.sh/v1' },
      'apiVersion',
      'must be retina.sh/v1alpha1, got "retina.sh/v1"',
    ],
    [
      'wrong kind',
      { ...documented(fromPeer({ namespaceSelector: {} })), kind: 'Capture' },
      'kind',
      'must be TraceConfiguration (or the upstream TracesConfiguration), got "Capture"',
    ],
    ['missing name', documented(fromPeer({ namespaceSelector: {} }), {}, {}), 'metadata.name', 'is required'],
    [
      'name not DNS-1123',
      documented(fromPeer({ namespaceSelector: {} }), {}, { name: 'My_Trace' }),
      'metadata.name',
      '"My_Trace" must consist of lower case letters, digits, "-" and ".", and start and end with a letter or digit (e.g. "http-to-storage")',
    ],
    [
      'namespace not DNS-1123 label',
      documented(fromPeer({ namespaceSelector: {} }), {}, { name: 'a', namespace: 'a.b' }),
      'metadata.namespace',
      'must consist of lower case letters, digits and "-", and start and end with a letter or digit (e.g. "kube-system")',
    ],
    [
      'missing spec',
      { apiVersion: 'retina.sh/v1alpha1', kind: 'TraceConfiguration', metadata: { name: 'a' } },
      'spec',
      'is required',
    ],
    [
      'no configurations',
      documented({}, { traceConfigurations: [] }),
      'spec.traceConfigurations',
      'needs at least one trace configuration',
    ],
    [
      'configurations missing',
      documented({}, { traceConfigurations: undefined }),
      'spec.traceConfigurations',
      'is required',
    ],
    [
      'upstream without targets',
      upstream([]),
      'spec.traceConfiguration[0].traceTargets',
      'needs at least one trace target',
    ],
    [
      'both spellings',
      documented(fromPeer({ namespaceSelector: {} }), { traceConfiguration: [] }),
      'spec',
      'has both traceConfigurations (documented form) and traceConfiguration (upstream form); use one of them',
    ],
    [
      'empty target (documented)',
      documented({ captureLevel: 'AllPackets' }),
      P,
      'needs at least one of from, to or ports',
    ],
    [
      'empty target (upstream)',
      upstream([{ tracePoints: ['PodToNode'] }]),
      U,
      'needs at least one of from, to or ports',
    ],
    [
      'peer without selector',
      documented(fromPeer({})),
      `${P}.from[0]`,
      'needs at least one selector: ipBlock, namespaceSelector (optionally with podSelector), nodeSelector or serviceSelector',
    ],
    [
      'ipBlock with selector',
      documented(fromPeer({ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {}, namespaceSelector: {} })),
      `${P}.from[0]`,
      'ipBlock cannot be combined with namespaceSelector, podSelector; use a separate entry for each',
    ],
    [
      'podSelector alone',
      documented(fromPeer({ podSelector: { matchLabels: { app: 'a' } } })),
      `${P}.from[0]`,
      'podSelector needs a namespaceSelector beside it (namespaceSelector: {} selects pods in every namespace)',
    ],
    [
      'node and service',
      upstream([{ to: { nodeSelector: {}, serviceSelector: {} } }]),
      `${U}.to`,
      'nodeSelector and serviceSelector cannot be combined; use a separate entry for each',
    ],
    [
      'node with namespace',
      documented(fromPeer({ nodeSelector: {}, namespaceSelector: {} })),
      `${P}.from[0]`,
      'nodeSelector cannot be combined with namespaceSelector or podSelector; use a separate entry for each',
    ],
    [
      'service with namespace',
      documented(fromPeer({ serviceSelector: {}, namespaceSelector: {} })),
      `${P}.from[0]`,
      'serviceSelector cannot be combined with namespaceSelector or podSelector; use a separate entry for each',
    ],
    [
      'bad cidr',
      documented(fromPeer({ ipBlock: { cidr: '10.0.0.300/8' } })),
      `${P}.from[0].ipBlock.cidr`,
      '"10.0.0.300/8" is not an IPv4 or IPv6 address; write a CIDR such as 10.0.0.0/16 or fd00::/64, or a single address',
    ],
    [
      'bad prefix',
      documented(fromPeer({ ipBlock: { cidr: 'fd00::/129' } })),
      `${P}.from[0].ipBlock.cidr`,
      '"fd00::/129" has an invalid prefix length (0–128); write a CIDR such as 10.0.0.0/16 or fd00::/64, or a single address',
    ],
    [
      'except outside cidr',
      documented(fromPeer({ ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.1.0/24', '10.1.0.0/24'] } })),
      `${P}.from[0].ipBlock.except[1]`,
      "10.1.0.0/24 is not inside the ipBlock's cidr 10.0.0.0/16",
    ],
    [
      'except of the other IP version',
      documented(fromPeer({ ipBlock: { cidr: 'fd00::/64', except: ['10.0.0.1'] } })),
      `${P}.from[0].ipBlock.except[0]`,
      "10.0.0.1/32 is not inside the ipBlock's cidr fd00::/64",
    ],
    [
      'except wider than cidr (IPv6)',
      documented(fromPeer({ ipBlock: { cidr: 'fd00::/64', except: ['fd00::/48'] } })),
      `${P}.from[0].ipBlock.except[0]`,
      "fd00::/48 is not inside the ipBlock's cidr fd00::/64",
    ],
    [
      'except without ipBlock',
      documented(fromPeer({ except: ['10.0.0.1'], namespaceSelector: {} })),
      `${P}.from[0].except`,
      'except needs an ipBlock (put it inside ipBlock, next to cidr)',
    ],
    [
      'except but no cidr',
      documented(fromPeer({ ipBlock: { except: ['10.0.0.1'] } })),
      `${P}.from[0].ipBlock.cidr`,
      'is required when ipBlock has except entries',
    ],
    ['port 0', documented(port({ port: 0 })), `${P}.ports[0].port`, 'must be between 1 and 65535, got 0'],
    [
      'port too big',
      documented(port({ port: '65536' })),
      `${P}.ports[0].port`,
      'must be between 1 and 65535, got 65536',
    ],
    [
      'port wrong type',
      documented(port({ port: true })),
      `${P}.ports[0].port`,
      'must be a port number (1–65535) or a port name such as "http"',
    ],
    [
      'bad port name',
      documented(port({ port: 'HTTP_ALT' })),
      `${P}.ports[0].port`,
      'port "HTTP_ALT" is neither a number (1–65535) nor a port name (lower case letters, digits and "-", with at least one letter, e.g. "http")',
    ],
    [
      'endPort below port',
      documented(port({ port: 8080, endPort: 80 })),
      `${P}.ports[0].endPort`,
      'must be greater than or equal to port (8080), got 80',
    ],
    [
      'endPort with named port',
      documented(port({ port: 'http', endPort: 90 })),
      `${P}.ports[0].endPort`,
      'cannot be used with the named port "http"',
    ],
    [
      'endPort without port',
      documented(port({ endPort: 90 })),
      `${P}.ports[0].endPort`,
      'needs a numeric port to start the range',
    ],
    [
      'endPort out of range',
      documented(port({ port: 1, endPort: 70000 })),
      `${P}.ports[0].endPort`,
      'must be between 1 and 65535, got 70000',
    ],
    [
      'endPort named',
      documented(port({ port: 1, endPort: 'http' })),
      `${P}.ports[0].endPort`,
      'must be a number; port ranges cannot use port names',
    ],
    [
      'protocol',
      documented(port({ port: 80, protocol: 'ICMP' })),
      `${P}.ports[0].protocol`,
      'must be one of TCP, UDP, SCTP (any letter case), got "ICMP"',
    ],
    [
      'captureLevel',
      documented({ captureLevel: 'some', ports: [{ port: 1 }] }),
      `${P}.captureLevel`,
      'must be one of FirstPacket, AllPackets, FlowSummary (any letter case), got "some"',
    ],
    [
      'includeLayer7Data type',
      documented({ includeLayer7Data: 'yes', ports: [{ port: 1 }] }),
      `${P}.includeLayer7Data`,
      'must be true or false, got "yes"',
    ],
    [
      'tracePoint',
      documented(port({ port: 1 }), { tracePoints: ['podToPod'] }),
      'spec.tracePoints[0]',
      'must be one of Pod, PodToNode, NodeToPod, NodeToNetwork, NetworkToNode (any letter case), got "podToPod"',
    ],
    [
      'from not a list',
      documented({ from: { namespaceSelector: {} } }),
      `${P}.from`,
      'must be a list, got a mapping',
    ],
    [
      'label key',
      documented(fromPeer({ namespaceSelector: { matchLabels: { 'bad key': 'v' } } })),
      `${P}.from[0].namespaceSelector.matchLabels["bad key"]`,
      'label key "bad key" must be letters, digits, "-", "_" and ".", starting and ending with a letter or digit, with an optional "prefix/"',
    ],
    [
      'label key prefix',
      documented(fromPeer({ namespaceSelector: { matchLabels: { 'Example.com/app': 'v' } } })),
      `${P}.from[0].namespaceSelector.matchLabels["Example.com/app"]`,
      'label key "Example.com/app" has an invalid prefix "Example.com": it must be a DNS subdomain such as "app.kubernetes.io"',
    ],
    [
      'label value',
      documented(fromPeer({ namespaceSelector: { matchLabels: { app: '-web' } } })),
      `${P}.from[0].namespaceSelector.matchLabels.app`,
      'label value "-web" must be letters, digits, "-", "_" and ".", starting and ending with a letter or digit',
    ],
    [
      'label value type',
      documented(fromPeer({ namespaceSelector: { matchLabels: { app: 1 } } })),
      `${P}.from[0].namespaceSelector.matchLabels.app`,
      'must be a string, got 1',
    ],
    [
      'shorthand value type',
      documented(fromPeer({ namespaceSelector: { tier: true } })),
      `${P}.from[0].namespaceSelector.tier`,
      'label value must be a string, got true; quote numbers and booleans (e.g. "1")',
    ],
    [
      'operator',
      documented(fromPeer({ namespaceSelector: { matchExpressions: [{ key: 'a', operator: 'Equals' }] } })),
      `${P}.from[0].namespaceSelector.matchExpressions[0].operator`,
      'must be one of In, NotIn, Exists, DoesNotExist (any letter case), got "Equals"',
    ],
    [
      'In without values',
      documented(
        fromPeer({ namespaceSelector: { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] } }),
      ),
      `${P}.from[0].namespaceSelector.matchExpressions[0].values`,
      'operator In needs at least one value',
    ],
    [
      'Exists with values',
      documented(
        fromPeer({
          namespaceSelector: { matchExpressions: [{ key: 'a', operator: 'exists', values: ['x'] }] },
        }),
      ),
      `${P}.from[0].namespaceSelector.matchExpressions[0].values`,
      'operator Exists takes no values; remove "values" or use In/NotIn',
    ],
    [
      'expression value',
      documented(
        fromPeer({
          namespaceSelector: {
            matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['ok', 'not ok'] }],
          },
        }),
      ),
      `${P}.from[0].namespaceSelector.matchExpressions[0].values[1]`,
      'label value "not ok" must be letters, digits, "-", "_" and ".", starting and ending with a letter or digit',
    ],
    [
      'missing output',
      documented(port({ port: 1 }), { outputConfiguration: undefined }),
      'spec.outputConfiguration',
      'is required',
    ],
    [
      'destination',
      documented(port({ port: 1 }), { outputConfiguration: { destination: 'kafka' } }),
      'spec.outputConfiguration.destination',
      'must be one of stdout, azuretable, loganalytics, opentelemetry (any letter case), got "kafka"',
    ],
    [
      'connection not a name',
      documented(port({ port: 1 }), {
        outputConfiguration: {
          destination: 'stdout',
          connectionConfiguration: 'https://x.table.core.windows.net',
        },
      }),
      'spec.outputConfiguration.connectionConfiguration',
      'must be a connection name (letters, digits and "_", starting with a letter, e.g. TRACES_STORAGE) whose settings are the app settings <NAME>__<property>; the value is not shown in case it holds a secret',
    ],
  ])('%s', (_name, manifest, path, message) => {
    const result = validateTraceConfigurationObject(manifest);
    expect(result.state).toBe('Errored');
    expect(result.spec).toBeUndefined();
    expect(result.errors).toContainEqual({ path, message });
    expect(result.reason).toContain(`${path === '' ? '' : `${path}: `}${message}`);
  });

  it.each([
    [
      'AccountKey',
      'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=c2VjcmV0c2VjcmV0;EndpointSuffix=core.windows.net',
      'an AccountKey=',
    ],
    [
      'SharedAccessKey',
      'Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=n;SharedAccessKey=c2VjcmV0c2VjcmV0',
      'a SharedAccessKey=',
    ],
    ['SAS', 'https://a.table.core.windows.net/t?sv=2022&sig=c2VjcmV0c2VjcmV0', 'a SAS signature (sig=)'],
    ['password', 'Server=x;User=y;Password=c2VjcmV0c2VjcmV0', 'a password='],
    ['bearer', 'Bearer c2VjcmV0c2VjcmV0', 'a bearer token'],
    ['JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2VjcmV0c2VjcmV0', 'a JSON Web Token'],
  ])('inline secret (%s) is Errored and never echoed', (_name, secret, kind) => {
    const result = validateTraceConfigurationObject(
      documented(port({ port: 1 }), {
        outputConfiguration: { destination: 'azuretable', connectionConfiguration: secret },
      }),
    );
    expect(result.state).toBe('Errored');
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]?.path).toBe('spec.outputConfiguration.connectionConfiguration');
    expect(result.errors[0]?.message).toMatch(
      new RegExp(`^contains ${kind.replace(/[()]/g, '\\$&')}: credentials must not be written`),
    );
    expect(JSON.stringify(result)).not.toContain('c2VjcmV0c2VjcmV0');
  });

  it('reports every problem, not just the first', () => {
    const result = validateTraceConfigurationObject(
      documented(
        { captureLevel: 'x', from: [{}], ports: [{ port: 0 }, { port: 1, endPort: 'a' }] },
        { outputConfiguration: { destination: 'nowhere' } },
        { name: 'UPPER' },
      ),
    );
    expect(result.errors.map((e) => e.path).sort()).toEqual(
      [
        'metadata.name',
        `${P}.captureLevel`,
        `${P}.from[0]`,
        `${P}.ports[0].port`,
        `${P}.ports[1].endPort`,
        'spec.outputConfiguration.destination',
      ].sort(),
    );
  });
});

describe('validateTraceConfigurationObject: warnings', () => {
  it.each<[string, unknown, string, string]>([
    [
      'shorthand selector',
      documented(fromPeer({ namespaceSelector: { team: 'a', tier: 'web' } })),
      `${P}.from[0].namespaceSelector`,
      'shorthand selector map is read as matchLabels: {team: a, tier: web}; write matchLabels explicitly (a plain map is not a Kubernetes label selector)',
    ],
    [
      'except beside ipBlock',
      documented(fromPeer({ ipBlock: { cidr: '10.0.0.0/8' }, except: ['10.1.0.0/16'] })),
      `${P}.from[0].except`,
      'except belongs inside ipBlock; read as ipBlock.except',
    ],
    [
      'host bits',
      documented(fromPeer({ ipBlock: { cidr: '10.0.0.5/16' } })),
      `${P}.from[0].ipBlock.cidr`,
      '"10.0.0.5/16" has host bits set beyond /16; read as 10.0.0.0/16',
    ],
    [
      'unknown top-level field',
      { ...documented(port({ port: 1 })), extra: 1 },
      'extra',
      'unknown field "extra" is ignored',
    ],
    [
      'unknown spec field with suggestion',
      documented(port({ port: 1 }), { tracepoint: ['pod'] }),
      'spec.tracepoint',
      'unknown field "tracepoint" is ignored (did you mean "tracePoints"?)',
    ],
    [
      'unknown entry field',
      documented({ ...port({ port: 1 }), captureLvl: 'AllPackets' }),
      `${P}.captureLvl`,
      'unknown field "captureLvl" is ignored (did you mean "captureLevel"?)',
    ],
    [
      'unknown port field',
      documented(port({ port: 1, protcol: 'UDP' })),
      `${P}.ports[0].protcol`,
      'unknown field "protcol" is ignored (did you mean "protocol"?)',
    ],
    [
      'unknown peer field',
      documented(fromPeer({ namespaceSelector: {}, podSelektor: {} })),
      `${P}.from[0].podSelektor`,
      'unknown field "podSelektor" is ignored (did you mean "podSelector"?)',
    ],
    [
      'unknown selector field',
      documented(fromPeer({ namespaceSelector: { matchLabels: { a: 'b' }, matchLabel: { c: 'd' } } })),
      `${P}.from[0].namespaceSelector.matchLabel`,
      'unknown field "matchLabel" is ignored (a selector has matchLabels and matchExpressions)',
    ],
    [
      'unknown output field',
      documented(port({ port: 1 }), { outputConfiguration: { destination: 'stdout', format: 'json' } }),
      'spec.outputConfiguration.format',
      'unknown field "format" is ignored',
    ],
    [
      'kind and layout disagree',
      { ...upstream([{ ports: [{ port: 1 }] }]), kind: 'TraceConfiguration' },
      'kind',
      'kind TraceConfiguration with the upstream layout (spec.traceConfiguration); read as the upstream form',
    ],
  ])('%s', (_name, manifest, path, message) => {
    const result = validateTraceConfigurationObject(manifest);
    expect(result.errors).toEqual([]);
    expect(result.state).toBe('Warning');
    expect(result.warnings).toContainEqual({ path, message });
    expect(result.spec).toBeDefined();
  });
});
