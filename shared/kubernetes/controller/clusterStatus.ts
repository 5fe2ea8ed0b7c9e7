/**
 * The `status` the controller writes on a TraceConfiguration object: the backend's verdict
 * (state, reason, last accepted spec) plus what `kubectl get` and operators need to know whether
 * the cluster and the backend agree (observed generation, the backend's generation, sync error).
 */
import { nextStatus } from '../../config/status';
import type { TraceConfigurationSpec, TraceConfigurationStatus } from '../../config/model';
import type { ConfigurationCounters } from '../../store/configurationCounters';
import type { TraceConfigurationValidation } from '../../config/validateObject';

/** The status subresource of a TraceConfiguration object. */
export interface ClusterStatus {
  state: 'Initialized' | 'Accepted' | 'Warning' | 'Errored';
  /** All errors and warnings with field paths; empty when Accepted. */
  reason: string;
  /** The last accepted spec, normalised; tracing continues with it while an update is Errored. */
  lastKnownSpec?: TraceConfigurationSpec;
  /** `metadata.generation` this status describes. */
  observedGeneration: number;
  /** The backend's generation of the configuration after the last successful sync. */
  backendGeneration?: number;
  /** Why the last sync with the backend failed; absent when it succeeded. */
  syncError?: string;
  /** The backend's per-configuration counters (refreshed at most once per interval). */
  counters?: ConfigurationCounters;
}

/** What the backend answered to a sync, when it answered. */
export interface BackendVerdict {
  status: TraceConfigurationStatus;
  generation: number;
}

/**
 * The status after a reconcile. A manifest the controller refuses (Errored: a secret, a bad
 * field) never reaches the backend, so the backend keeps the last accepted spec, and the
 * status says so by keeping `lastKnownSpec`. Otherwise the backend's verdict is the status.
 *
 * @param previous - the status on the object now, if any
 * @param validation - the controller's own validation of the object
 * @param generation - `metadata.generation` of the object validated
 * @param backend - the backend's answer, or the error that prevented one
 */
export function clusterStatus(
  previous: Partial<ClusterStatus> | undefined,
  validation: Pick<TraceConfigurationValidation, 'state' | 'reason' | 'spec'>,
  generation: number,
  backend: BackendVerdict | { error: string } | undefined,
  counters?: ConfigurationCounters,
): ClusterStatus {
  const shownCounters = counters ?? previous?.counters;
  const prior: TraceConfigurationStatus | undefined =
    previous?.state === undefined
      ? undefined
      : {
          state: previous.state,
          reason: previous.reason ?? '',
          ...(previous.lastKnownSpec === undefined ? {} : { lastKnownSpec: previous.lastKnownSpec }),
        };
  const verdict =
    backend !== undefined && 'status' in backend ? backend.status : nextStatus(prior, validation);
  const backendGeneration =
    backend !== undefined && 'generation' in backend ? backend.generation : previous?.backendGeneration;
  return {
    state: verdict.state,
    reason: verdict.reason,
    ...(verdict.lastKnownSpec === undefined ? {} : { lastKnownSpec: verdict.lastKnownSpec }),
    observedGeneration: generation,
    ...(backendGeneration === undefined ? {} : { backendGeneration }),
    ...(backend !== undefined && 'error' in backend ? { syncError: backend.error } : {}),
    ...(shownCounters === undefined ? {} : { counters: shownCounters }),
  };
}
