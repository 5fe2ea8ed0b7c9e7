import { addRttSample, RTT_SAMPLE_SIZE, rttMedian } from '../../shared/flow/rttSample';

function sampled(values: readonly number[]): number | undefined {
  const ring = new Float64Array(RTT_SAMPLE_SIZE);
  values.forEach((value, count) => addRttSample(ring, count, value));
  return rttMedian(ring, values.length);
}

describe('rttSample', () => {
  it.each<[string, number[], number | undefined]>([
    ['no round trip', [], undefined],
    ['one', [7], 7],
    ['an odd number: the middle one', [30, 10, 20], 20],
    ['an even number: the mean of the middle two, rounded', [10, 20, 25, 40], 23],
    [
      'more than the ring holds: the median of the latest ones',
      [...Array<number>(RTT_SAMPLE_SIZE).fill(1_000), ...Array<number>(RTT_SAMPLE_SIZE).fill(5)],
      5,
    ],
  ])('%s', (_name, values, median) => {
    expect(sampled(values)).toBe(median);
  });

  it('has no median without a ring', () => {
    expect(rttMedian(undefined, 3)).toBeUndefined();
  });
});
