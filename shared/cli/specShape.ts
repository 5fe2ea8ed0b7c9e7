import type { IpBlock, LabelSelector, Peer, PortRule, TraceConfigurationSpec, TraceTarget } from '../config';

/**
 * Writes a normalised spec (what the backend keeps as `status.lastKnownSpec`) back in the shape a
 * user writes in a manifest, the documented `TraceConfiguration` form: one
 * `spec.traceConfigurations[]` entry per target, trace points at `spec.tracePoints`, the output's
 * connection as `connectionConfiguration`. Empty selectors and lists are left out. Returns
 * undefined when the spec cannot be written that way (targets observing different trace points,
 * which only the upstream form expresses).
 */
export function toManifestSpec(spec: TraceConfigurationSpec): Record<string, unknown> | undefined {
  const targets = spec.rules.flatMap((rule) => rule.targets.map((target) => ({ rule, target })));
  const restricted = targets.filter(({ target }) => target.tracePointsRestricted);
  const pointSets = new Set(restricted.map(({ target }) => target.tracePoints.join(',')));
  if (pointSets.size > 1 || (restricted.length > 0 && restricted.length < targets.length)) return undefined;
  const tracePoints = restricted[0]?.target.tracePoints;
  return {
    traceConfigurations: targets.map(({ rule, target }) => ({
      captureLevel: rule.captureLevel,
      ...(rule.includeLayer7Data ? { includeLayer7Data: true } : {}),
      ...peers('from', target),
      ...peers('to', target),
      ...(target.ports.length > 0 ? { ports: target.ports.map(port) } : {}),
    })),
    ...(tracePoints ? { tracePoints: [...tracePoints] } : {}),
    outputConfiguration: {
      destination: spec.output.destination,
      connectionConfiguration: spec.output.connection,
    },
  };
}

function peers(key: 'from' | 'to', target: TraceTarget): Record<string, unknown> {
  return target[key].length > 0 ? { [key]: target[key].map(peer) } : {};
}

function peer(value: Peer): Record<string, unknown> {
  return {
    ...(value.ipBlock ? { ipBlock: ipBlock(value.ipBlock) } : {}),
    ...(value.namespaceSelector ? { namespaceSelector: selector(value.namespaceSelector) } : {}),
    ...(value.podSelector ? { podSelector: selector(value.podSelector) } : {}),
    ...(value.nodeSelector ? { nodeSelector: selector(value.nodeSelector) } : {}),
    ...(value.serviceSelector ? { serviceSelector: selector(value.serviceSelector) } : {}),
  };
}

function ipBlock(value: IpBlock): Record<string, unknown> {
  return { cidr: value.cidr, ...(value.except.length > 0 ? { except: [...value.except] } : {}) };
}

function selector(value: LabelSelector): Record<string, unknown> {
  return {
    ...(Object.keys(value.matchLabels).length > 0 ? { matchLabels: { ...value.matchLabels } } : {}),
    ...(value.matchExpressions.length > 0
      ? {
          matchExpressions: value.matchExpressions.map((requirement) => ({
            key: requirement.key,
            operator: requirement.operator,
            ...(requirement.values ? { values: [...requirement.values] } : {}),
          })),
        }
      : {}),
  };
}

function port(value: PortRule): Record<string, unknown> {
  return {
    protocol: value.protocol,
    ...(value.port !== undefined ? { port: value.port } : {}),
    ...(value.endPort !== undefined ? { endPort: value.endPort } : {}),
  };
}
