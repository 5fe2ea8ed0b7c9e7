import { bpfFilterFor } from '../../shared/agent/bpfFilter';
import type { Peer, PortRule, TraceConfigurationSpec } from '../../shared/config/model';

function spec(targets: { from?: Peer[]; to?: Peer[]; ports?: PortRule[] }[]): TraceConfigurationSpec {
  return {
    rules: [{ captureLevel: 'FirstPacket', includeLayer7Data: false, targets: targets.map((t) => ({ from: t.from ?? [], to: t.to ?? [], ports: t.ports ?? [], tracePoints: [], tracePointsRestricted: false })) }],
    output: { destination: 'stdout', connection: 'TRACES_STDOUT' },
  };
}

const block = (cidr: string, except: string[] = []): Peer => ({ ipBlock: { cidr, except } });
const namespace: Peer = { namespaceSelector: { matchLabels: { team: 'a' }, matchExpressions: [] } };

describe('bpfFilterFor', () => {
  it.each([
    ['no configurations', [], '', 0],
    ['a target without constraints', [spec([{}])], '', 0],
    ['one CIDR', [spec([{ to: [block('10.0.0.0/8')] }])], 'net 10.0.0.0/8', 0],
    ['a CIDR with excepts', [spec([{ to: [block('10.0.0.0/8', ['10.1.0.0/16'])] }])], '(net 10.0.0.0/8 and not net 10.1.0.0/16)', 0],
    ['two CIDRs OR-ed', [spec([{ from: [block('10.0.0.0/8'), block('2001:db8::/32')] }])], '(net 10.0.0.0/8 or net 2001:db8::/32)', 0],
    ['a port', [spec([{ ports: [{ protocol: 'UDP', port: 53 }] }])], '(udp port 53)', 0],
    ['a port range', [spec([{ ports: [{ protocol: 'TCP', port: 8000, endPort: 8999 }] }])], '(tcp portrange 8000-8999)', 0],
    ['any port of a protocol', [spec([{ ports: [{ protocol: 'SCTP' }] }])], 'sctp', 0],
    ['from AND ports', [spec([{ from: [block('10.0.0.0/8')], ports: [{ protocol: 'TCP', port: 443 }] }])], 'net 10.0.0.0/8 and (tcp port 443)', 0],
    ['targets OR-ed', [spec([{ ports: [{ protocol: 'TCP', port: 80 }] }, { ports: [{ protocol: 'TCP', port: 443 }] }])], '((tcp port 80)) or ((tcp port 443))', 0],
    ['a selector widened to ports only', [spec([{ from: [namespace], ports: [{ protocol: 'TCP', port: 80 }] }])], '(tcp port 80)', 1],
    ['a named port widened to its protocol', [spec([{ ports: [{ protocol: 'TCP', port: 'http' }] }])], 'tcp', 1],
    ['a selector-only target captures everything', [spec([{ to: [namespace] }])], '', 1],
  ])('%s', (_name, specs, expression, notes) => {
    const filter = bpfFilterFor(specs.map((s, i) => ({ key: `ns/c${i}`, spec: s })));
    expect(filter.expression).toBe(expression);
    expect(filter.notes).toHaveLength(notes);
  });
});
