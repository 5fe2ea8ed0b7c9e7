import { compileTracePoints, tracePointBit, tracePointMask } from '../../shared/match/tracePoints';
import type { TracePoint } from '../../shared/packet/decodedPacket';

describe('trace points', () => {
  it.each<[TracePoint[], boolean, TracePoint | undefined, boolean]>([
    [['NodeToPod'], true, 'NodeToPod', true],
    [['NodeToPod'], true, 'PodToNode', false],
    [['NodeToPod'], true, undefined, false],
    [['PodToNode', 'NodeToPod', 'NodeToNetwork', 'NetworkToNode'], false, undefined, true],
    [['PodToNode', 'NodeToPod', 'NodeToNetwork', 'NetworkToNode'], true, undefined, false],
    [['NetworkToNode'], false, 'NetworkToNode', true],
    [[], true, 'NodeToPod', false],
  ])('%j restricted=%s, packet at %s → %s', (points, restricted, packetPoint, expected) => {
    expect(compileTracePoints(points, restricted)(tracePointBit(packetPoint))).toBe(expected);
  });

  it('masks are distinct bits', () => {
    expect(tracePointMask(['PodToNode', 'NodeToPod', 'NodeToNetwork', 'NetworkToNode'])).toBe(15);
    expect(tracePointMask([])).toBe(0);
  });
});
