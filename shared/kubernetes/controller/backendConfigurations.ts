/**
 * The backend's configuration store, as the controller reaches it: the backend's HTTP API
 * (`PUT|DELETE /api/traceconfigurations/{namespace}/{name}`), the same one `tracectl apply` uses.
 */
import { callBackend, describeProblem, type BackendOptions } from '../../cli/backendClient';
import type { TraceConfigurationStatus } from '../../config/model';
import type { BackendVerdict } from './clusterStatus';
import type { ConfigurationCounters } from '../../store/configurationCounters';

/** Where a sync went wrong, with the backend's own words. */
export class BackendSyncError extends Error {
  override readonly name = 'BackendSyncError';
  readonly code = 'BACKEND_SYNC_FAILED';
}

/** Writes one manifest; resolves to the backend's status and generation (an Errored verdict included). */
export async function putConfiguration(
  backend: BackendOptions,
  manifest: {
    metadata: { namespace: string; name: string; labels?: Record<string, string> };
    [field: string]: unknown;
  },
): Promise<BackendVerdict> {
  const { namespace, name } = manifest.metadata;
  const response = await callBackend(
    backend,
    'PUT',
    `traceconfigurations/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`,
    {
      body: JSON.stringify(manifest),
      contentType: 'application/json',
    },
  );
  // 422: the backend refused this version and keeps the last accepted one; its status says so.
  const resource = (
    response.status === 422 ? (response.body as { resource?: unknown }).resource : response.body
  ) as { metadata?: { generation?: number }; status?: TraceConfigurationStatus } | undefined;
  if (
    (response.status === 200 || response.status === 201 || response.status === 422) &&
    resource?.status !== undefined
  ) {
    return { status: resource.status, generation: resource.metadata?.generation ?? 0 };
  }
  throw new BackendSyncError(`PUT ${namespace}/${name}: ${describeProblem(response)}`);
}

/** Removes one configuration; a configuration the backend does not have counts as removed. */
export async function deleteConfiguration(
  backend: BackendOptions,
  namespace: string,
  name: string,
): Promise<void> {
  const response = await callBackend(
    backend,
    'DELETE',
    `traceconfigurations/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`,
  );
  if (response.status === 204 || response.status === 200 || response.status === 404) return;
  throw new BackendSyncError(`DELETE ${namespace}/${name}: ${describeProblem(response)}`);
}

/**
 * The backend's counters of one configuration (`status.counters` of
 * `GET /api/traceconfigurations/{namespace}/{name}/status`); undefined when the backend has none
 * or cannot be reached (counters are best effort).
 */
export async function getCounters(
  backend: BackendOptions,
  namespace: string,
  name: string,
): Promise<ConfigurationCounters | undefined> {
  try {
    const response = await callBackend(
      backend,
      'GET',
      `traceconfigurations/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/status`,
    );
    const counters = (response.body as { counters?: ConfigurationCounters } | undefined)?.counters;
    return response.status === 200 && typeof counters?.records === 'number' ? counters : undefined;
  } catch {
    return undefined;
  }
}
