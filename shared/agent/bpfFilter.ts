/**
 * A tcpdump (BPF) filter that captures a superset of what TraceConfigurations match, so a node
 * without an eBPF agent captures little more than needed. Exact matching still happens in the
 * backend. Selectors by namespace/pod/node/service have no addresses without identities, so
 * targets using them are narrowed by ports only, and the result says so.
 */
import type { Peer, PortRule, TraceConfigurationSpec } from '../config/model';

/** The filter and what could not be expressed. */
export interface BpfFilter {
  /** tcpdump expression; empty string means "everything". */
  expression: string;
  /** Human-readable notes about widened targets. */
  notes: string[];
}

function peerExpression(peers: readonly Peer[], notes: string[], where: string): string | undefined {
  if (peers.length === 0) return undefined;
  const parts: string[] = [];
  for (const peer of peers) {
    if (peer.ipBlock === undefined) {
      notes.push(`${where}: a selector without addresses; capturing any address for it`);
      return undefined;
    }
    const excepts = peer.ipBlock.except.map((cidr) => ` and not net ${cidr}`).join('');
    parts.push(excepts === '' ? `net ${peer.ipBlock.cidr}` : `(net ${peer.ipBlock.cidr}${excepts})`);
  }
  return parts.length === 1 ? parts[0] : `(${parts.join(' or ')})`;
}

function portExpression(rules: readonly PortRule[], notes: string[], where: string): string | undefined {
  if (rules.length === 0) return undefined;
  const parts: string[] = [];
  for (const rule of rules) {
    const protocol = rule.protocol.toLowerCase();
    if (rule.port === undefined) parts.push(protocol);
    else if (typeof rule.port === 'string') {
      notes.push(`${where}: named port '${rule.port}' cannot be resolved here; capturing all ${rule.protocol}`);
      parts.push(protocol);
    } else if (rule.endPort !== undefined) parts.push(`(${protocol} portrange ${rule.port}-${rule.endPort})`);
    else parts.push(`(${protocol} port ${rule.port})`);
  }
  return parts.length === 1 ? parts[0] : `(${parts.join(' or ')})`;
}

/** Builds the filter for a set of configuration specs (targets of all of them OR-ed). */
export function bpfFilterFor(specs: readonly { key: string; spec: TraceConfigurationSpec }[]): BpfFilter {
  const notes: string[] = [];
  const alternatives: string[] = [];
  for (const { key, spec } of specs) {
    spec.rules.forEach((rule, r) =>
      rule.targets.forEach((target, t) => {
        const where = `${key} rule ${r} target ${t}`;
        const parts = [peerExpression(target.from, notes, `${where} from`), peerExpression(target.to, notes, `${where} to`), portExpression(target.ports, notes, `${where} ports`)].filter(
          (part): part is string => part !== undefined,
        );
        alternatives.push(parts.length === 0 ? '' : parts.join(' and '));
      }),
    );
  }
  // Any target without constraints means everything must be captured.
  if (alternatives.length === 0 || alternatives.includes('')) return { expression: '', notes };
  const unique = [...new Set(alternatives)];
  return { expression: unique.length === 1 ? unique[0]! : unique.map((a) => `(${a})`).join(' or '), notes };
}
