import { FaultPlan, type Fault } from '../../shared/local/faults';

describe('FaultPlan', () => {
  const a: Fault = { kind: 'status', status: 429, retryAfterSeconds: 1 };
  const b: Fault = { kind: 'hang', ms: 10 };
  const standing: Fault = { kind: 'status', status: 503 };
  it.each([
    ['nothing planned', [], undefined, [undefined, undefined]],
    ['one-shot faults in order', [a, b], undefined, [a, b, undefined]],
    ['standing fault after the queue', [a], standing, [a, standing, standing]],
  ])('%s', (_name, queue: Fault[], stand, expected) => {
    const plan = new FaultPlan();
    plan.enqueue(...queue);
    plan.setStanding(stand);
    expect(expected.map(() => plan.take())).toEqual(expected);
  });
  it('clears everything', () => {
    const plan = new FaultPlan();
    plan.enqueue(a);
    plan.setStanding(standing);
    plan.clear();
    expect(plan.take()).toBeUndefined();
  });
});
