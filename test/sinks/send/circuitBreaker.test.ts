import { CircuitBreaker, circuitBreakerFor } from '../../../shared/sinks/send/circuitBreaker';
import { StdoutSink } from '../../../shared/sinks/stdout/stdoutSink';

describe('CircuitBreaker', () => {
  let clock = 0;
  const breaker = (failureThreshold = 3, openMs = 1000) =>
    new CircuitBreaker({ failureThreshold, openMs, now: () => clock });
  beforeEach(() => {
    clock = 0;
  });

  it.each([
    ['no failure', 0, 'closed'],
    ['failures below the threshold', 2, 'closed'],
    ['failures reaching the threshold', 3, 'open'],
  ] as const)('%s → %s', (_name, failures, state) => {
    const b = breaker();
    for (let i = 0; i < failures; i++) b.recordFailure();
    expect(b.state).toBe(state);
  });

  it('a success resets the count of consecutive failures', () => {
    const b = breaker();
    b.recordFailure();
    b.recordFailure();
    b.recordSuccess();
    b.recordFailure();
    expect(b.state).toBe('closed');
  });

  it('refuses while open, admits exactly one probe after openMs, and reopens when the probe fails', () => {
    const b = breaker(1, 1000);
    b.recordFailure();
    expect(b.admit()).toEqual({ admitted: false, retryInMs: 1000 });
    clock = 1000;
    expect(b.admit()).toEqual({ admitted: true, probe: true });
    expect(b.admit()).toMatchObject({ admitted: false });
    b.recordFailure();
    expect(b.state).toBe('open');
    clock = 1500;
    expect(b.admit()).toEqual({ admitted: false, retryInMs: 500 });
    clock = 2000;
    expect(b.admit()).toEqual({ admitted: true, probe: true });
    b.recordSuccess();
    expect(b.state).toBe('closed');
    expect(b.admit()).toEqual({ admitted: true, probe: false });
  });

  it('a zero or negative threshold still opens after one failure', () => {
    const b = breaker(0);
    b.recordFailure();
    expect(b.state).toBe('open');
  });

  it('keeps one breaker per sink', () => {
    const a = new StdoutSink(async () => undefined);
    const b = new StdoutSink(async () => undefined);
    expect(circuitBreakerFor(a)).toBe(circuitBreakerFor(a));
    expect(circuitBreakerFor(a)).not.toBe(circuitBreakerFor(b));
  });
});
