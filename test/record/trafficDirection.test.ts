import type { CaptureDirection, TracePoint } from '../../shared/packet/decodedPacket';
import { trafficDirection } from '../../shared/record/trafficDirection';

describe('trafficDirection', () => {
  it.each<[TracePoint | undefined, CaptureDirection, string | undefined]>([
    ['NodeToPod', 'unknown', 'ingress'],
    ['PodToNode', 'unknown', 'egress'],
    ['NetworkToNode', 'outbound', 'ingress'],
    ['NodeToNetwork', 'inbound', 'egress'],
    [undefined, 'inbound', 'ingress'],
    [undefined, 'outbound', 'egress'],
    [undefined, 'unknown', undefined],
  ])('%s / %s → %s', (tracePoint, direction, expected) => {
    expect(trafficDirection(tracePoint, direction)).toBe(expected);
  });
});
