import { emptyL7Stats } from '../../shared/l7/l7Stats';
import type { StreamSink } from '../../shared/l7/reassembly';
import { DEFAULT_REASSEMBLY_LIMITS, seqDiff, TcpDirection } from '../../shared/l7/reassembly';
import { bytes } from './support/builders';

/** A sink that records delivered text and gaps as `[gap N]`. */
function recorder(): StreamSink & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    data: (chunk) => log.push(Buffer.from(chunk).toString('latin1')),
    gap: (missing) => log.push(`[gap ${missing}]`),
  };
}

type Step = [seq: number, text: string] | ['ack', number];

function run(isn: number, steps: Step[], limits = DEFAULT_REASSEMBLY_LIMITS) {
  const stats = emptyL7Stats();
  const direction = new TcpDirection(limits, stats);
  direction.start(isn);
  const sink = recorder();
  for (const step of steps) {
    if (step[0] === 'ack') direction.acknowledged(step[1], sink);
    else direction.segment(step[0], bytes(step[1]), sink);
  }
  return { text: sink.log.join('|'), stats, direction };
}

describe('seqDiff', () => {
  it.each([
    [10, 5, 5],
    [5, 10, -5],
    [0, 0xffffffff, 1],
    [0xfffffff0, 0x10, -0x20],
    [0, 0, 0],
  ])('%d - %d = %d', (a, b, d) => expect(seqDiff(a, b)).toBe(d));
});

describe('TcpDirection', () => {
  it.each<[string, number, Step[], string]>([
    [
      'in order',
      100,
      [
        [100, 'abc'],
        [103, 'def'],
      ],
      'abc|def',
    ],
    ['nothing', 100, [], ''],
    [
      'out of order',
      100,
      [
        [103, 'def'],
        [100, 'abc'],
      ],
      'abc|def',
    ],
    [
      'three reversed',
      0,
      [
        [6, 'ghi'],
        [3, 'def'],
        [0, 'abc'],
      ],
      'abc|def|ghi',
    ],
    [
      'exact retransmission',
      100,
      [
        [100, 'abc'],
        [100, 'abc'],
        [103, 'd'],
      ],
      'abc|d',
    ],
    [
      'overlap trimmed',
      100,
      [
        [100, 'abc'],
        [101, 'bcdef'],
      ],
      'abc|def',
    ],
    [
      'held duplicates',
      100,
      [
        [105, 'fg'],
        [105, 'fg'],
        [100, 'abcde'],
      ],
      'abcde|fg',
    ],
    [
      'held overlapping each other',
      100,
      [
        [103, 'def'],
        [104, 'efgh'],
        [100, 'abc'],
      ],
      'abc|def|gh',
    ],
    [
      'wrap-around',
      0xfffffffe,
      [
        [0xfffffffe, 'ab'],
        [0, 'cd'],
        [2, 'ef'],
      ],
      'ab|cd|ef',
    ],
    [
      'wrap-around out of order',
      0xfffffffe,
      [
        [0, 'cd'],
        [0xfffffffe, 'ab'],
      ],
      'ab|cd',
    ],
    [
      'peer ack over a hole skips to the held segment',
      100,
      [
        [100, 'abc'],
        [110, 'xyz'],
        ['ack', 113],
      ],
      'abc|[gap 7]|xyz',
    ],
    [
      'peer ack with nothing held',
      100,
      [
        [100, 'abc'],
        ['ack', 120],
        [120, 'z'],
      ],
      'abc|[gap 17]|z',
    ],
    [
      'old ack ignored',
      100,
      [
        [100, 'abc'],
        ['ack', 50],
      ],
      'abc',
    ],
    [
      'stale data after a gap is dropped',
      100,
      [
        ['ack', 110],
        [105, 'late'],
        [110, 'now'],
      ],
      '[gap 10]|now',
    ],
  ])('%s', (_name, isn, steps, expected) => {
    expect(run(isn, steps).text).toBe(expected);
  });

  it('declares a gap when too many segments are held, then resumes', () => {
    const steps: Step[] = [[0, 'a']];
    for (let i = 0; i < 5; i++) steps.push([10 + i, String.fromCharCode(0x62 + i)]);
    const { text, stats } = run(0, steps, { maxOutOfOrderBytes: 1000, maxOutOfOrderSegments: 4 });
    expect(text).toBe('a|[gap 9]|b|c|d|e|f');
    expect(stats.gaps).toBe(9);
  });

  it('declares a gap when too many bytes are held', () => {
    const { text, direction } = run(
      0,
      [
        [100, 'x'.repeat(40)],
        [140, 'y'.repeat(40)],
      ],
      { maxOutOfOrderBytes: 64, maxOutOfOrderSegments: 64 },
    );
    expect(text).toBe(`[gap 100]|${'x'.repeat(40)}|${'y'.repeat(40)}`);
    expect(direction.bufferedBytes).toBe(0);
  });

  it('counts retransmissions and out-of-order segments', () => {
    const { stats } = run(0, [
      [0, 'ab'],
      [0, 'ab'],
      [4, 'ef'],
      [2, 'cd'],
    ]);
    expect(stats.retransmissions).toBe(1);
    expect(stats.outOfOrder).toBe(1);
  });

  it('starts at the first segment when no SYN was seen', () => {
    const stats = emptyL7Stats();
    const direction = new TcpDirection(DEFAULT_REASSEMBLY_LIMITS, stats);
    const sink = recorder();
    direction.segment(777, bytes('mid'), sink);
    expect(sink.log).toEqual(['mid']);
    expect(direction.nextSeq).toBe(780);
  });
});
