/**
 * Traffic direction relative to the observed pod or node, derived from the trace point.
 */
import type { CaptureDirection, TracePoint } from '../packet/decodedPacket';

/** `ingress` (towards the pod or node) or `egress` (away from it). */
export type TrafficDirection = 'ingress' | 'egress';

/**
 * - `NodeToPod`: ingress (into the pod). `PodToNode`: egress (out of the pod).
 * - `NetworkToNode`: ingress (into the node). `NodeToNetwork`: egress (out of the node).
 * - No trace point: the capture direction (`inbound` ⇒ ingress, `outbound` ⇒ egress), else none.
 */
export function trafficDirection(
  tracePoint: TracePoint | undefined,
  direction: CaptureDirection,
): TrafficDirection | undefined {
  switch (tracePoint) {
    case 'NodeToPod':
    case 'NetworkToNode':
      return 'ingress';
    case 'PodToNode':
    case 'NodeToNetwork':
      return 'egress';
    case undefined:
      return direction === 'inbound' ? 'ingress' : direction === 'outbound' ? 'egress' : undefined;
  }
}
