import type { TraceConfigurationSpec } from '../config/model';
import { TRACE_POINTS } from '../packet/decodedPacket';

/** Key of the configuration `tracectl inspect` uses when given none. */
export const PERMISSIVE_CONFIGURATION_KEY = 'inspect/every-packet';

/**
 * A configuration that traces every packet with layer 7 on, at every trace point and at none
 * (`tracePointsRestricted: false`), so plain captures are traced too.
 */
export function permissiveSpec(): TraceConfigurationSpec {
  return {
    rules: [
      {
        captureLevel: 'AllPackets',
        includeLayer7Data: true,
        targets: [{ from: [], to: [], ports: [], tracePoints: [...TRACE_POINTS], tracePointsRestricted: false }],
      },
    ],
    output: { destination: 'stdout', connection: '' },
  };
}
