import type { TraceConfigurationSpec } from '../config';

/** A TraceConfiguration as the backend's API returns it. */
export interface ConfigurationResource {
  apiVersion?: string;
  kind?: string;
  metadata: {
    namespace: string;
    name: string;
    generation?: number;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: {
    outputConfiguration?: { destination?: string; connectionConfiguration?: string };
    traceConfigurations?: unknown[];
  } & Record<string, unknown>;
  status?: { state?: string; reason?: string; lastKnownSpec?: TraceConfigurationSpec };
}

/** The fields the server sets, which a manifest sent back with `apply` must not carry. */
export function withoutServerFields(manifest: Record<string, unknown>): Record<string, unknown> {
  const { status: _status, ...rest } = manifest;
  const metadata = rest.metadata;
  if (typeof metadata !== 'object' || metadata === null) return rest;
  const {
    generation: _g,
    resourceVersion: _r,
    uid: _u,
    creationTimestamp: _c,
    managedFields: _m,
    ...kept
  } = metadata as Record<string, unknown>;
  return { ...rest, metadata: kept };
}
