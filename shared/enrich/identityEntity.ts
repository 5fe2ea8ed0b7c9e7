/**
 * The Azure Table form of identity entries: PartitionKey = cluster, RowKey = the address bytes in
 * lower-case hex (8 characters for IPv4, 32 for IPv6: fixed width, sortable, no forbidden
 * characters). Complete-snapshot times of each scope are kept in rows `complete:<node>`.
 */
import { parseIp } from '../net/ipAddress';
import type { Endpoint, EndpointKind } from './identity';
import type { IdentityEntry } from './identityTable';

/** RowKey prefix of the rows recording complete-snapshot times. */
export const COMPLETE_ROW_PREFIX = 'complete:';

/** An identity entity as written to Azure Table (all properties are strings). */
// A type alias (not an interface) so it satisfies the SDK's index-signature entity type.
export type IdentityEntity = {
  partitionKey: string;
  rowKey: string;
  Ip: string;
  Kind: string;
  Name: string;
  Namespace?: string;
  NodeName?: string;
  WorkloadKind?: string;
  WorkloadName?: string;
  /** JSON object. */
  Labels?: string;
  /** JSON object. */
  NamespaceLabels?: string;
  /** JSON array. */
  ServiceNames?: string;
  /** JSON array of `{name, port, protocol}`. */
  Ports?: string;
  GeneratedAt: string;
  Scope: string;
  RefreshedAt: string;
};

/** The RowKey of an address in text form, or undefined when it does not parse. */
export function identityRowKey(ip: string): string | undefined {
  const bytes = parseIp(ip);
  return bytes ? Buffer.from(bytes).toString('hex') : undefined;
}

/** Converts an entry to its entity. */
export function toIdentityEntity(cluster: string, rowKey: string, entry: IdentityEntry): IdentityEntity {
  const e = entry.endpoint;
  const entity: IdentityEntity = {
    partitionKey: cluster,
    rowKey,
    Ip: e.ip,
    Kind: e.kind,
    Name: e.name,
    GeneratedAt: new Date(entry.generatedAtMs).toISOString(),
    Scope: entry.scope,
    RefreshedAt: new Date(entry.refreshedAtMs).toISOString(),
  };
  if (e.namespace !== undefined) entity.Namespace = e.namespace;
  if (e.nodeName !== undefined) entity.NodeName = e.nodeName;
  if (e.workload) {
    entity.WorkloadKind = e.workload.kind;
    entity.WorkloadName = e.workload.name;
  }
  if (e.labels) entity.Labels = JSON.stringify(e.labels);
  if (e.namespaceLabels) entity.NamespaceLabels = JSON.stringify(e.namespaceLabels);
  if (e.serviceNames) entity.ServiceNames = JSON.stringify(e.serviceNames);
  if (e.ports) entity.Ports = JSON.stringify(e.ports);
  return entity;
}

const KINDS: readonly string[] = ['pod', 'service', 'node'];

/** Converts a stored entity back, or returns a reason when it is damaged (never throws). */
export function fromIdentityEntity(
  entity: Record<string, unknown>,
): { ok: true; entry: IdentityEntry } | { ok: false; reason: string } {
  const str = (name: string): string | undefined => {
    const value = entity[name];
    return typeof value === 'string' ? value : undefined;
  };
  const ip = str('Ip');
  const kind = str('Kind');
  const name = str('Name');
  const generatedAtMs = Date.parse(str('GeneratedAt') ?? '');
  const refreshedAtMs = Date.parse(str('RefreshedAt') ?? '');
  if (
    !ip ||
    !kind ||
    !KINDS.includes(kind) ||
    !name ||
    Number.isNaN(generatedAtMs) ||
    Number.isNaN(refreshedAtMs)
  ) {
    return { ok: false, reason: `identity row ${String(entity.rowKey)} lacks Ip, Kind, Name or a timestamp` };
  }
  const endpoint: Endpoint = { ip, kind: kind as EndpointKind, name };
  try {
    const namespace = str('Namespace');
    if (namespace !== undefined) endpoint.namespace = namespace;
    const nodeName = str('NodeName');
    if (nodeName !== undefined) endpoint.nodeName = nodeName;
    const workloadKind = str('WorkloadKind');
    const workloadName = str('WorkloadName');
    if (workloadKind !== undefined && workloadName !== undefined) {
      endpoint.workload = { kind: workloadKind, name: workloadName };
    }
    const labels = str('Labels');
    if (labels !== undefined) endpoint.labels = JSON.parse(labels) as Record<string, string>;
    const namespaceLabels = str('NamespaceLabels');
    if (namespaceLabels !== undefined)
      endpoint.namespaceLabels = JSON.parse(namespaceLabels) as Record<string, string>;
    const serviceNames = str('ServiceNames');
    if (serviceNames !== undefined) endpoint.serviceNames = JSON.parse(serviceNames) as string[];
    const ports = str('Ports');
    if (ports !== undefined) endpoint.ports = JSON.parse(ports) as Endpoint['ports'];
  } catch {
    return { ok: false, reason: `identity row ${String(entity.rowKey)} holds malformed JSON` };
  }
  return { ok: true, entry: { endpoint, generatedAtMs, scope: str('Scope') ?? '', refreshedAtMs } };
}
