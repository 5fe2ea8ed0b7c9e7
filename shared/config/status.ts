/** Status of a TraceConfiguration resource across updates (docs/trace-configuration.md). */
import type { TraceConfigurationStatus } from './model';
import type { TraceConfigurationValidation } from './validateObject';

/** The status of a resource nothing has been decided about yet. */
export function initialStatus(): TraceConfigurationStatus {
  return { state: 'Initialized', reason: '' };
}

/**
 * The status after validating an update. Accepted or Warning adopt the new spec as
 * `lastKnownSpec`; Errored keeps the previous `lastKnownSpec`, so tracing continues with the last
 * accepted spec. Pure: the inputs are not modified.
 *
 * @param previous - the status before the update; `undefined` for a new resource
 * @param validation - the result of validating the update
 */
export function nextStatus(
  previous: TraceConfigurationStatus | undefined,
  validation: Pick<TraceConfigurationValidation, 'state' | 'reason' | 'spec'>,
): TraceConfigurationStatus {
  if (validation.state === 'Errored' || validation.spec === undefined) {
    const kept = previous?.lastKnownSpec;
    return {
      state: 'Errored',
      reason: validation.reason,
      ...(kept === undefined ? {} : { lastKnownSpec: kept }),
    };
  }
  return { state: validation.state, reason: validation.reason, lastKnownSpec: validation.spec };
}
