import type { TraceRecord } from '../../../shared/record/traceRecord';
import type { DeadLetterBatch } from '../../../shared/sinks/send/deadLetter';
import { CircuitBreaker } from '../../../shared/sinks/send/circuitBreaker';
import { deadLetterTimeoutMs, deliver } from '../../../shared/sinks/send/deliver';
import type { SendFailure } from '../../../shared/sinks/send/failure';
import type { EncodeResult, EncodedRecord, PushOptions, PushResult, Sink } from '../../../shared/sinks/sink';
import { makeRecords } from '../../support/traceRecords';

/**
 * The send stack's own logic (partial failures, deadlines, encode errors, dead-letter failure),
 * driven by a scripted in-memory sink; every real sink is covered by the contract suites.
 */
class ScriptedSink implements Sink<string> {
  readonly destination = 'stdout' as const;
  readonly connection = 'X';
  readonly limits = { maxRecords: 4, maxBytes: 1000 };
  readonly delivered: string[] = [];
  pushes = 0;
  constructor(
    private readonly script: Array<
      (batch: ReadonlyArray<EncodedRecord<string>>) => PushResult<string> | Error
    >,
  ) {}
  encode(record: TraceRecord): EncodeResult<string> {
    if (record.RecordId.endsWith('bad')) return { ok: false, code: 'RECORD_INVALID', reason: 'bad record' };
    return { ok: true, value: { record, payload: record.RecordId, bytes: 10 } };
  }
  async push(batch: ReadonlyArray<EncodedRecord<string>>): Promise<PushResult<string>> {
    const step = this.script[this.pushes++];
    const result = step === undefined ? { ok: true as const } : step(batch);
    if (result instanceof Error) throw result;
    const failed = new Set(result.ok ? [] : result.failed);
    this.delivered.push(...batch.filter((b) => !failed.has(b)).map((b) => b.payload));
    return result;
  }
  async close(): Promise<void> {}
}

const retryable: SendFailure = { kind: 'retryable', code: 'HTTP_503', reason: 'busy' };
const permanent: SendFailure = { kind: 'permanent', code: 'HTTP_400', reason: 'bad' };
const collect = () => {
  const written: DeadLetterBatch[] = [];
  return {
    written,
    deadLetter: { write: async (b: DeadLetterBatch) => (written.push(b), `blob${written.length}`) },
  };
};
const ids = (b: DeadLetterBatch | undefined) =>
  b?.entries.map((e) => (e.kind === 'record' ? e.record.RecordId : ''));

describe('deliver', () => {
  it('retries only the failed records of a partial failure', async () => {
    const records = makeRecords(4);
    const sink = new ScriptedSink([(batch) => ({ ok: false, failed: batch.slice(2), failure: retryable })]);
    const { written, deadLetter } = collect();
    const report = await deliver(sink, records, { deadLetter, batchRef: 'b', baseDelayMs: 1 });
    expect(report).toMatchObject({ delivered: 4, deadLettered: 0, attempts: 2 });
    expect(sink.delivered).toEqual(records.map((r) => r.RecordId));
    expect(written).toEqual([]);
  });

  it('dead-letters only the failed records of a permanent partial failure', async () => {
    const records = makeRecords(3);
    const sink = new ScriptedSink([
      (batch) => ({ ok: false, failed: batch.slice(1, 2), failure: permanent }),
    ]);
    const { written, deadLetter } = collect();
    const report = await deliver(sink, records, { deadLetter, batchRef: 'b' });
    expect(report).toMatchObject({ delivered: 2, deadLettered: 1, attempts: 1, deadLetterBlob: 'blob1' });
    expect(ids(written[0])).toEqual([records[1]!.RecordId]);
  });

  it('dead-letters records that fail to encode, with attempts 0, and sends the rest', async () => {
    const records = [...makeRecords(2), { ...makeRecords(1, 9)[0]!, RecordId: 'x-bad' }];
    const sink = new ScriptedSink([]);
    const { written, deadLetter } = collect();
    const report = await deliver(sink, records, { deadLetter, batchRef: 'b' });
    expect(report).toMatchObject({
      delivered: 2,
      deadLettered: 1,
      failures: [{ code: 'RECORD_INVALID', count: 1 }],
    });
    expect(written[0]?.entries[0]).toMatchObject({ attempts: 0, code: 'RECORD_INVALID' });
  });

  it('gives up before a retry that would pass the deadline', async () => {
    const failing = new ScriptedSink([
      (batch) => ({ ok: false, failed: batch, failure: { ...retryable, retryAfterMs: 60_000 } }),
    ]);
    const { written, deadLetter } = collect();
    const report = await deliver(failing, makeRecords(2), {
      deadLetter,
      batchRef: 'b',
      deadlineMs: Date.now() + 5000,
    });
    expect(report).toMatchObject({ delivered: 0, deadLettered: 2, attempts: 1 });
    expect(written[0]?.entries[0]?.reason).toContain('deadline');
    expect(failing.pushes).toBe(1);
  });

  it('stops after maxAttempts on retryable errors', async () => {
    const sink = new ScriptedSink(
      Array.from({ length: 10 }, () => () => Object.assign(new Error('reset'), { code: 'ECONNRESET' })),
    );
    const { written, deadLetter } = collect();
    const report = await deliver(sink, makeRecords(1), {
      deadLetter,
      batchRef: 'b',
      maxAttempts: 3,
      baseDelayMs: 1,
    });
    expect(report).toMatchObject({ attempts: 3, deadLettered: 1, failures: [{ code: 'ECONNRESET' }] });
    expect(written[0]?.entries[0]).toMatchObject({ attempts: 3 });
  });

  it('throws when the dead-letter store cannot be written, so the invocation is retried', async () => {
    const sink = new ScriptedSink([() => new Error('bug')]);
    const deadLetter = { write: async () => Promise.reject(new Error('storage down')) };
    await expect(deliver(sink, makeRecords(1), { deadLetter, batchRef: 'b' })).rejects.toThrow(
      'storage down',
    );
  });

  it('splits records into batches of the sink limit and sends them all', async () => {
    const sink = new ScriptedSink([]);
    const report = await deliver(sink, makeRecords(10), { ...collect(), batchRef: 'b', concurrency: 2 });
    expect(report).toMatchObject({ batches: 3, attempts: 3, delivered: 10 });
    expect([...sink.delivered].sort()).toEqual(
      makeRecords(10)
        .map((r) => r.RecordId)
        .sort(),
    );
  });

  it('cuts an attempt that hangs at the deadline and dead-letters DEADLINE_EXCEEDED (a destination that never answers)', async () => {
    const sink = new HangingSink();
    const { written, deadLetter } = collect();
    const started = Date.now();
    const report = await deliver(sink, makeRecords(3), {
      deadLetter,
      batchRef: 'b',
      attemptTimeoutMs: 60_000,
      deadlineMs: started + 300,
    });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(report).toMatchObject({
      delivered: 0,
      deadLettered: 3,
      failures: [{ code: 'DEADLINE_EXCEEDED' }],
    });
    expect(written).toHaveLength(1);
  });

  it('dead-letters at once when the deadline has already passed', async () => {
    const sink = new ScriptedSink([]);
    const report = await deliver(sink, makeRecords(2), {
      ...collect(),
      batchRef: 'b',
      deadlineMs: Date.now() - 1,
    });
    expect(report).toMatchObject({ attempts: 0, deadLettered: 2, failures: [{ code: 'DEADLINE_EXCEEDED' }] });
    expect(sink.pushes).toBe(0);
  });

  it.each([
    ['a Retry-After above the cap waits only the cap', 40_000, 50, 50],
    ['a Retry-After below the cap is honoured', 30, 1000, 30],
  ])('%s', async (_name, retryAfterMs, maxRetryAfterMs, expectedMs) => {
    const sink = new ScriptedSink([
      (batch) => ({ ok: false, failed: batch, failure: { ...retryable, retryAfterMs } }),
    ]);
    const started = Date.now();
    const report = await deliver(sink, makeRecords(1), {
      ...collect(),
      batchRef: 'b',
      baseDelayMs: 1,
      maxDelayMs: 1,
      maxRetryAfterMs,
    });
    const elapsed = Date.now() - started;
    expect(report).toMatchObject({ delivered: 1, attempts: 2 });
    expect(elapsed).toBeGreaterThanOrEqual(expectedMs - 5);
    expect(elapsed).toBeLessThan(expectedMs + 1000);
  });

  it('with an open circuit, dead-letters CIRCUIT_OPEN without trying; a probe after openMs closes it', async () => {
    let clock = 1_000_000;
    const breaker = new CircuitBreaker({ failureThreshold: 2, openMs: 5000, now: () => clock });
    const down = new ScriptedSink(
      Array.from({ length: 2 }, () => () => Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })),
    );
    const first = await deliver(down, makeRecords(1), {
      ...collect(),
      batchRef: 'b',
      breaker,
      maxAttempts: 2,
      baseDelayMs: 1,
    });
    expect(first).toMatchObject({ attempts: 2, deadLettered: 1, failures: [{ code: 'ECONNREFUSED' }] });
    expect(breaker.state).toBe('open');

    const healthy = new ScriptedSink([]);
    const whileOpen = await deliver(healthy, makeRecords(5), { ...collect(), batchRef: 'b', breaker });
    expect(whileOpen).toMatchObject({
      attempts: 0,
      delivered: 0,
      deadLettered: 5,
      failures: [{ code: 'CIRCUIT_OPEN' }],
    });
    expect(healthy.pushes).toBe(0);

    clock += 5000;
    expect(breaker.state).toBe('half-open');
    const probe = await deliver(healthy, makeRecords(2), { ...collect(), batchRef: 'b', breaker });
    expect(probe).toMatchObject({ delivered: 2, deadLettered: 0 });
    expect(breaker.state).toBe('closed');
  });

  it('times out a dead-letter write that hangs, so the invocation fails instead of hanging', async () => {
    const sink = new ScriptedSink([() => new Error('bug')]);
    const deadLetter = {
      write: (_b: DeadLetterBatch, options?: { abortSignal?: AbortSignal }) =>
        new Promise<string>((_resolve, reject) =>
          options?.abortSignal?.addEventListener('abort', () =>
            reject(new Error('dead-letter write timed out')),
          ),
        ),
    };
    await expect(
      deliver(sink, makeRecords(1), { deadLetter, batchRef: 'b', deadLetterTimeoutMs: 100 }),
    ).rejects.toThrow('timed out');
  });
});

/** A destination that accepts the request and never answers: the push ends only when aborted. */
class HangingSink implements Sink<string> {
  readonly destination = 'stdout' as const;
  readonly connection = 'H';
  readonly limits = { maxRecords: 100, maxBytes: 100_000 };
  encode(record: TraceRecord): EncodeResult<string> {
    return { ok: true, value: { record, payload: record.RecordId, bytes: 10 } };
  }
  push(_batch: ReadonlyArray<EncodedRecord<string>>, options: PushOptions): Promise<PushResult<string>> {
    return new Promise((_resolve, reject) =>
      options.abortSignal.addEventListener('abort', () =>
        reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
      ),
    );
  }
  async close(): Promise<void> {}
}

describe('deadLetterTimeoutMs', () => {
  it.each<[string, { deadlineMs?: number; deadLetterTimeoutMs?: number }, number, number]>([
    ['no deadline: the timeout', { deadLetterTimeoutMs: 500 }, 10_000, 500],
    ['default timeout', {}, 0, 30_000],
    ['before the deadline: the whole timeout', { deadlineMs: 4000, deadLetterTimeoutMs: 500 }, 1000, 500],
    [
      'after the deadline: what is left of deadline + timeout',
      { deadlineMs: 4000, deadLetterTimeoutMs: 500 },
      4300,
      200,
    ],
    ['long after: 1 ms, never negative', { deadlineMs: 4000, deadLetterTimeoutMs: 500 }, 9000, 1],
  ])('%s', (_name, options, now, expected) => {
    expect(deadLetterTimeoutMs(options, now)).toBe(expected);
  });
});
