import {
  DEFAULT_MAX_IN_FLIGHT,
  InFlightLimit,
  inFlightLimitFor,
} from '../../../shared/sinks/send/inFlightLimit';
import { StdoutSink } from '../../../shared/sinks/stdout/stdoutSink';

describe('InFlightLimit', () => {
  it.each<[string, number, number]>([
    ['a positive size', 3, 3],
    ['zero (at least one)', 0, 1],
    ['a fraction (rounded down)', 2.7, 2],
  ])('%s', (_name, size, max) => {
    expect(new InFlightLimit(size).max).toBe(max);
  });

  it('lets waiters in first come, first served, as slots are given back (each only once)', async () => {
    const limit = new InFlightLimit(1);
    const order: string[] = [];
    const first = await limit.acquire();
    const second = limit.acquire().then((release) => (order.push('second'), release));
    const third = limit.acquire().then((release) => (order.push('third'), release));
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([]);
    first();
    first();
    (await second)();
    (await third)();
    expect(order).toEqual(['second', 'third']);
    expect(limit.inFlight).toBe(0);
    expect(limit.peak).toBe(1);
  });

  it('is one limit per sink', () => {
    const sink = new StdoutSink(async () => undefined);
    expect(inFlightLimitFor(sink)).toBe(inFlightLimitFor(sink, 4));
    expect(inFlightLimitFor(sink).max).toBe(DEFAULT_MAX_IN_FLIGHT);
    expect(inFlightLimitFor(new StdoutSink(async () => undefined), 4).max).toBe(4);
  });
});
