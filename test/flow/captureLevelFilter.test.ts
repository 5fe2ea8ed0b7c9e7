import { CaptureLevelFilter } from '../../shared/flow/captureLevelFilter';
import type { CaptureLevel } from '../../shared/config/model';
import type { TracePoint } from '../../shared/packet/decodedPacket';
import { packet } from '../match/support/builders';

interface Step {
  /** Flow letter: A/B/C are distinct 5-tuples; a lower-case letter is the reply direction. */
  flow: string;
  sec: number;
  config?: string;
  tracePoint?: TracePoint;
  l7?: boolean;
  expected: boolean;
}

const ends: Record<string, [string, number, string, number]> = {
  A: ['10.0.0.1', 40000, '10.0.0.2', 80],
  B: ['10.0.0.1', 40001, '10.0.0.2', 80],
  C: ['10.0.0.3', 5353, '10.0.0.4', 53],
};

function flowPacket(step: Step) {
  const [src, sport, dst, dport] = ends[step.flow.toUpperCase()]!;
  const reply = step.flow !== step.flow.toUpperCase();
  return packet({
    src: reply ? dst : src,
    dst: reply ? src : dst,
    sport: reply ? dport : sport,
    dport: reply ? sport : dport,
    sec: step.sec,
    tracePoint: step.tracePoint ?? 'NodeToPod',
  });
}

function run(
  steps: Step[],
  level: CaptureLevel,
  l7: boolean,
  filter = new CaptureLevelFilter({ idleTimeoutInMs: 10_000 }),
) {
  return steps.map((step) =>
    filter.shouldRecord(step.config ?? 'ns/a', level, l7, flowPacket(step), step.l7 ?? false),
  );
}

describe('CaptureLevelFilter', () => {
  it.each<[string, CaptureLevel, boolean, Step[]]>([
    [
      'AllPackets records everything',
      'AllPackets',
      false,
      [
        { flow: 'A', sec: 1, expected: true },
        { flow: 'A', sec: 2, expected: true },
        { flow: 'a', sec: 2, expected: true },
      ],
    ],
    [
      'FirstPacket: interleaved flows, replies are the same flow',
      'FirstPacket',
      false,
      [
        { flow: 'A', sec: 1, expected: true },
        { flow: 'B', sec: 1, expected: true },
        { flow: 'a', sec: 1, expected: false },
        { flow: 'C', sec: 2, expected: true },
        { flow: 'b', sec: 2, expected: false },
        { flow: 'A', sec: 3, expected: false },
        { flow: 'c', sec: 3, expected: false },
      ],
    ],
    [
      'FirstPacket: per configuration and trace point',
      'FirstPacket',
      false,
      [
        { flow: 'A', sec: 1, expected: true },
        { flow: 'A', sec: 1, config: 'ns/b', expected: true },
        { flow: 'A', sec: 1, tracePoint: 'PodToNode', expected: true },
        { flow: 'a', sec: 1, tracePoint: 'PodToNode', expected: false },
        { flow: 'a', sec: 1, config: 'ns/b', expected: false },
      ],
    ],
    [
      'FirstPacket with layer 7: every layer-7 packet too',
      'FirstPacket',
      true,
      [
        { flow: 'A', sec: 1, expected: true },
        { flow: 'A', sec: 1, l7: true, expected: true },
        { flow: 'a', sec: 1, l7: true, expected: true },
        { flow: 'a', sec: 1, expected: false },
      ],
    ],
    [
      'FirstPacket without layer 7: layer-7 packets are not extra',
      'FirstPacket',
      false,
      [
        { flow: 'A', sec: 1, expected: true },
        { flow: 'A', sec: 1, l7: true, expected: false },
      ],
    ],
    [
      'FirstPacket: idle flows are reported again',
      'FirstPacket',
      false,
      [
        { flow: 'A', sec: 1, expected: true },
        { flow: 'A', sec: 11, expected: false },
        { flow: 'A', sec: 22, expected: true },
        { flow: 'a', sec: 23, expected: false },
      ],
    ],
    [
      'FirstPacket: out-of-order timestamps do not expire a flow',
      'FirstPacket',
      false,
      [
        { flow: 'A', sec: 100, expected: true },
        { flow: 'B', sec: 50, expected: true },
        { flow: 'A', sec: 60, expected: false },
      ],
    ],
    ['FirstPacket: empty input', 'FirstPacket', false, []],
  ])('%s', (_name, level, l7, steps) => {
    expect(run(steps, level, l7)).toEqual(steps.map((s) => s.expected));
  });

  it('records a flow once when its node clock lags another node of the partition, across sweeps', () => {
    // Two nodes publish to one partition; node-b's clock is 15 minutes behind node-a's.
    const filter = new CaptureLevelFilter({ idleTimeoutInMs: 10_000 });
    const seen = (flow: string, sec: number, node: string) =>
      filter.shouldRecord(
        'ns/a',
        'FirstPacket',
        false,
        flowPacket({ flow, sec, expected: true }),
        false,
        node,
      );
    expect(seen('A', 1000, 'node-a')).toBe(true);
    expect(seen('B', 100, 'node-b')).toBe(true);
    expect(seen('b', 101, 'node-b')).toBe(false);
    filter.sweep();
    expect(seen('A', 1001, 'node-a')).toBe(false);
    expect(seen('B', 102, 'node-b')).toBe(false);
    filter.sweep();
    expect(seen('B', 103, 'node-b')).toBe(false);
    expect(filter.stats()).toMatchObject({ trackedFlows: 2, expiredIdle: 0 });
    // Idle for longer than the timeout on its own clock: reported again.
    expect(seen('B', 120, 'node-b')).toBe(true);
  });

  it('keeps a busy flow (a packet every 100 ms for a minute, sweeps every second) recorded once, then expires it when idle', () => {
    const filter = new CaptureLevelFilter({ idleTimeoutInMs: 10_000 });
    const at = (ms: number, flow = 'A') => {
      const p = flowPacket({ flow, sec: 0, expected: true });
      p.timestampSec = Math.floor(ms / 1000);
      p.timestampNsec = (ms % 1000) * 1_000_000;
      return filter.shouldRecord('ns/a', 'FirstPacket', false, p, false);
    };
    const recorded: number[] = [];
    for (let ms = 0; ms <= 60_000; ms += 100) {
      if (at(ms)) recorded.push(ms);
      if (ms % 1000 === 0) filter.sweep();
    }
    expect(recorded).toEqual([0]);
    // Another flow moves the clock on; A, idle for more than the timeout, is swept and new again.
    expect(at(71_000, 'B')).toBe(true);
    filter.sweep();
    expect(filter.stats()).toMatchObject({ trackedFlows: 1, expiredIdle: 1 });
    expect(at(71_100)).toBe(true);
  });

  it('when full, evicts the flow idle longest on its own node clock', () => {
    const filter = new CaptureLevelFilter({ maxFlows: 2, idleTimeoutInMs: 10_000 });
    const seen = (flow: string, sec: number, node: string) =>
      filter.shouldRecord(
        'ns/a',
        'FirstPacket',
        false,
        flowPacket({ flow, sec, expected: true }),
        false,
        node,
      );
    expect(seen('A', 1000, 'node-a')).toBe(true);
    expect(seen('B', 100, 'node-b')).toBe(true);
    expect(seen('C', 105, 'node-b')).toBe(true);
    // B (5 s idle on node-b) goes, not A (0 s idle on node-a, however far ahead its clock).
    expect(filter.stats()).toMatchObject({ trackedFlows: 2, evictedForSize: 1 });
    expect(seen('A', 1001, 'node-a')).toBe(false);
    expect(seen('B', 106, 'node-b')).toBe(true);
  });

  it('evicts the least recently seen flow when full, and counts it', () => {
    const filter = new CaptureLevelFilter({ maxFlows: 2, idleTimeoutInMs: 1e9 });
    const steps: Step[] = [
      { flow: 'A', sec: 1, expected: true },
      { flow: 'B', sec: 2, expected: true },
      { flow: 'a', sec: 3, expected: false },
      { flow: 'C', sec: 4, expected: true }, // evicts B (A was touched at 3)
      { flow: 'A', sec: 5, expected: false },
      { flow: 'B', sec: 6, expected: true }, // reported again after eviction; evicts C
      { flow: 'C', sec: 7, expected: true },
    ];
    expect(run(steps, 'FirstPacket', false, filter)).toEqual(steps.map((s) => s.expected));
    expect(filter.stats()).toEqual({ trackedFlows: 2, evictedForSize: 3, expiredIdle: 0 });
  });

  it('sweep forgets idle flows by packet time and counts them', () => {
    const filter = new CaptureLevelFilter({ idleTimeoutInMs: 10_000 });
    run(
      [
        { flow: 'A', sec: 1, expected: true },
        { flow: 'B', sec: 5, expected: true },
        { flow: 'C', sec: 14, expected: true },
      ],
      'FirstPacket',
      false,
      filter,
    );
    filter.sweep();
    expect(filter.stats()).toEqual({ trackedFlows: 2, evictedForSize: 0, expiredIdle: 1 });
  });

  it('records packets without addresses (nothing to deduplicate)', () => {
    const filter = new CaptureLevelFilter();
    const bare = {
      frame: 1,
      timestampSec: 0,
      timestampNsec: 0,
      direction: 'unknown' as const,
      originalLength: 0,
      data: new Uint8Array(),
    };
    expect(filter.shouldRecord('ns/a', 'FirstPacket', false, bare, false)).toBe(true);
    expect(filter.shouldRecord('ns/a', 'FirstPacket', false, bare, false)).toBe(true);
  });
});
