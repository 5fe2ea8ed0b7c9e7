import type { EncodedRecord } from '../../../shared/sinks/sink';
import { splitIntoBatches } from '../../../shared/sinks/send/batching';
import { makeRecord } from '../../support/traceRecords';

const item = (i: number, bytes: number, group?: string): EncodedRecord<number> =>
  group === undefined
    ? { record: makeRecord(i), payload: i, bytes }
    : { record: makeRecord(i), payload: i, bytes, group };
const shape = (items: Array<EncodedRecord<number>>) => {
  const { batches, oversized } = splitIntoBatches(items, { maxRecords: 3, maxBytes: 100 });
  return { batches: batches.map((b) => b.map((x) => x.payload)), oversized: oversized.map((x) => x.payload) };
};

describe('splitIntoBatches', () => {
  it.each([
    ['empty input', [], { batches: [], oversized: [] }],
    ['one record', [item(1, 10)], { batches: [[1]], oversized: [] }],
    [
      'count limit',
      [1, 2, 3, 4, 5, 6, 7].map((i) => item(i, 1)),
      { batches: [[1, 2, 3], [4, 5, 6], [7]], oversized: [] },
    ],
    [
      'byte limit (exactly full, then over)',
      [item(1, 60), item(2, 40), item(3, 1)],
      { batches: [[1, 2], [3]], oversized: [] },
    ],
    ['byte limit splits', [item(1, 60), item(2, 41)], { batches: [[1], [2]], oversized: [] }],
    [
      'oversized record set aside',
      [item(1, 10), item(2, 101), item(3, 10)],
      { batches: [[1, 3]], oversized: [2] },
    ],
    [
      'groups never mix',
      [item(1, 1, 'a'), item(2, 1, 'b'), item(3, 1, 'a'), item(4, 1, 'b')],
      {
        batches: [
          [1, 3],
          [2, 4],
        ],
        oversized: [],
      },
    ],
    [
      'group overflow keeps order',
      [1, 2, 3, 4].map((i) => item(i, 1, 'a')),
      { batches: [[1, 2, 3], [4]], oversized: [] },
    ],
  ])('%s', (_name, items, expected) => {
    expect(shape(items)).toEqual(expected);
  });
});
