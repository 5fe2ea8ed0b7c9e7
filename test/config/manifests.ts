/** Builders of small TraceConfiguration objects for table-driven tests. */

/** A documented-form manifest with one configuration entry; `spec` fields override the defaults. */
export function documented(
  entry: unknown,
  spec: Record<string, unknown> = {},
  metadata: unknown = { name: 't' },
): Record<string, unknown> {
  return {
    apiVersion: 'retina.sh/v1alpha1',
    kind: 'TraceConfiguration',
    metadata,
    spec: { traceConfigurations: [entry], outputConfiguration: { destination: 'stdout' }, ...spec },
  };
}

/** An upstream-form manifest with one configuration holding `targets`. */
export function upstream(
  targets: unknown[],
  entry: Record<string, unknown> = {},
  spec: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    apiVersion: 'retina.sh/v1alpha1',
    kind: 'TracesConfiguration',
    metadata: { name: 'u' },
    spec: {
      traceConfiguration: [{ captureLevel: 'FirstPacket', traceTargets: targets, ...entry }],
      outputConfiguration: { destination: 'stdout' },
      ...spec,
    },
  };
}

/** A documented entry with one `from` peer. */
export function fromPeer(peer: unknown): Record<string, unknown> {
  return { from: [peer] };
}

/** A documented entry with one port rule. */
export function port(rule: unknown): Record<string, unknown> {
  return { ports: [rule] };
}
