/**
 * The shared sink contract (STYLE.md rule 6): every sink, driven through the real send stack
 * against its real (local) service, must pass these cases.
 */
import { BlobServiceClient } from '@azure/storage-blob';
import type { FaultPlan } from '../../shared/local/faults';
import type { TraceRecord } from '../../shared/record/traceRecord';
import type { Sink } from '../../shared/sinks/sink';
import { BlobDeadLetterStore } from '../../shared/sinks/send/blobDeadLetterStore';
import { deliver, type DeliverOptions } from '../../shared/sinks/send/deliver';
import { replayDeadLetters } from '../../shared/sinks/send/replay';
import { TRUNCATION_MARKER } from '../../shared/sinks/truncate';
import { useAzurite } from '../support/azurite';
import { makeRecord, makeRecords } from '../support/traceRecords';

/** How the contract drives one sink. */
export interface SinkHarness {
  /** Starts the sink's local service (Azurite is started by the contract itself). */
  start(azuriteConnectionString: string): Promise<void>;
  stop(): Promise<void>;
  /** A new sink bound to the service. */
  createSink(): Sink;
  /** Fault injection in front of the service. */
  faults(): FaultPlan;
  /** What the service holds now, read back from it: RecordId → stored text of each copy. */
  stored(): Promise<Map<string, string[]>>;
  /** Records for the "many" case: enough to need several pushes. */
  manyCount: number;
  /** True when a re-delivery must not create duplicates (Azure Table upserts). */
  idempotent: boolean;
  /** Failure code a standing 503 fault produces; default `HTTP_503`. */
  retryableCode?: string;
  /** Sink-specific tests that need the running services, registered inside the contract suite. */
  extraTests?: () => void;
}

const RETRYABLE = { kind: 'status', status: 503 } as const;
const THROTTLED = { kind: 'status', status: 429, retryAfterSeconds: 0 } as const;
const PERMANENT = { kind: 'status', status: 403 } as const;

/** Registers the contract suite for `name`. */
export function sinkContract(name: string, harness: SinkHarness): void {
  describe(`sink contract: ${name}`, () => {
    const azurite = useAzurite();
    let store: BlobDeadLetterStore;
    let next = 0;
    // Each case uses its own RecordIds so cases never see each other's rows.
    const fresh = (count: number): TraceRecord[] => {
      const records = makeRecords(count, next);
      next += count + 1000;
      return records;
    };
    const options = (extra: Partial<DeliverOptions> = {}): DeliverOptions => ({
      deadLetter: store,
      batchRef: 'test:batch',
      baseDelayMs: 5,
      maxDelayMs: 20,
      attemptTimeoutMs: 5000,
      ...extra,
    });
    const copies = async (records: readonly TraceRecord[]): Promise<number[]> => {
      const stored = await harness.stored();
      return records.map((r) => stored.get(r.RecordId)?.length ?? 0);
    };

    beforeAll(async () => {
      await harness.start(azurite().connectionString);
      const service = BlobServiceClient.fromConnectionString(azurite().connectionString);
      store = new BlobDeadLetterStore(
        service.getContainerClient(`dl-${name.toLowerCase().replace(/[^a-z0-9]/g, '')}`),
      );
    }, 40_000);
    afterAll(async () => harness.stop());
    afterEach(() => harness.faults().clear());

    it('treats an empty input as a no-op', async () => {
      const report = await deliver(harness.createSink(), [], options());
      expect(report).toMatchObject({ records: 0, delivered: 0, deadLettered: 0, attempts: 0, batches: 0 });
      expect(report.deadLetterBlob).toBeUndefined();
    });

    it('encodes deterministically', () => {
      const sink = harness.createSink();
      const record = makeRecord(7);
      expect(sink.encode(record)).toEqual(sink.encode(structuredClone(record)));
    });

    it('delivers one record', async () => {
      const records = fresh(1);
      const report = await deliver(harness.createSink(), records, options());
      expect(report).toMatchObject({ records: 1, delivered: 1, deadLettered: 0, attempts: 1 });
      expect(await copies(records)).toEqual([1]);
    });

    it('delivers many records over several service batches', async () => {
      const records = fresh(harness.manyCount);
      const report = await deliver(harness.createSink(), records, options());
      expect(report.delivered).toBe(records.length);
      expect(report.batches).toBeGreaterThanOrEqual(3);
      expect(await copies(records)).toEqual(records.map(() => 1));
    });

    it('truncates or dead-letters an oversized record and still delivers the others', async () => {
      const [a, b] = fresh(2);
      const huge = makeRecord(next++, {
        HttpPath: `/${'x'.repeat(1_500_000)}`,
        HttpUserAgent: 'y'.repeat(40_000),
      });
      const records = [a!, huge, b!];
      const report = await deliver(harness.createSink(), records, options());
      expect(report.delivered + report.deadLettered).toBe(3);
      const [ca, ch, cb] = await copies(records);
      expect([ca, cb]).toEqual([1, 1]);
      if (ch === 1) {
        const text = (await harness.stored()).get(huge.RecordId)?.[0] ?? '';
        // Kept whole (stdout has no size limit) or cut with the marker; a boolean keeps failures short.
        expect(text.includes(TRUNCATION_MARKER) || text.includes(huge.HttpPath ?? '-')).toBe(true);
      } else {
        const dead = await store.read(report.deadLetterBlob ?? '');
        expect(dead.entries.map((e) => (e.kind === 'record' ? e.record.RecordId : ''))).toEqual([
          huge.RecordId,
        ]);
      }
    });

    it('retries transient failures (5xx, 429 with Retry-After) and then succeeds', async () => {
      const records = fresh(3);
      harness.faults().enqueue(RETRYABLE, THROTTLED);
      const report = await deliver(harness.createSink(), records, options());
      expect(report).toMatchObject({ delivered: 3, deadLettered: 0 });
      // Concurrent pushes may share one failed request (e.g. table creation), so only a lower bound.
      expect(report.attempts).toBeGreaterThan(report.batches);
      expect(await copies(records)).toEqual([1, 1, 1]);
    });

    it('dead-letters on a permanent failure without retrying', async () => {
      const records = fresh(4);
      harness.faults().setStanding(PERMANENT);
      const report = await deliver(harness.createSink(), records, options({ maxAttempts: 5 }));
      expect(report).toMatchObject({ delivered: 0, deadLettered: 4, attempts: report.batches });
      const dead = await store.read(report.deadLetterBlob ?? '');
      expect(dead).toMatchObject({ destination: harness.createSink().destination, batchRef: 'test:batch' });
      const entries = dead.entries.map((e) => [e.code, e.kind === 'record' ? e.record.RecordId : '']);
      expect(entries.sort()).toEqual(records.map((r) => ['HTTP_403', r.RecordId]));
    });

    it('times out a hung attempt and retries it', async () => {
      const records = fresh(2);
      harness.faults().enqueue({ kind: 'hang', ms: 1500 });
      const report = await deliver(harness.createSink(), records, options({ attemptTimeoutMs: 300 }));
      expect(report).toMatchObject({ delivered: 2, deadLettered: 0 });
      expect(report.attempts).toBeGreaterThanOrEqual(2);
      expect((await copies(records)).every((n) => n >= 1)).toBe(true);
    });

    it('dead-letters everything when the caller aborts', async () => {
      const records = fresh(2);
      const report = await deliver(
        harness.createSink(),
        records,
        options({ abortSignal: AbortSignal.abort() }),
      );
      expect(report).toMatchObject({
        delivered: 0,
        deadLettered: 2,
        failures: [{ code: 'ABORTED', count: 2 }],
      });
    });

    it('survives an outage for the whole retry budget: dead-letter, then replay delivers every record', async () => {
      const records = fresh(5);
      harness.faults().setStanding(RETRYABLE);
      const down = await deliver(harness.createSink(), records, options({ maxAttempts: 3 }));
      expect(down).toMatchObject({
        delivered: 0,
        deadLettered: 5,
        failures: [{ code: harness.retryableCode ?? 'HTTP_503', count: 5 }],
      });
      const blob = down.deadLetterBlob ?? '';
      expect((await store.list()).map((b) => b.name)).toContain(blob);

      const failedReplay = await replayDeadLetters({
        store,
        names: [blob],
        sinkFor: () => harness.createSink(),
        deliverOptions: { maxAttempts: 1 },
      });
      expect(failedReplay).toMatchObject([{ outcome: 'failed', delivered: 0 }]);
      expect((await store.list()).find((b) => b.name === blob)?.lastReplayError).toContain(
        harness.retryableCode ?? 'HTTP_503',
      );

      harness.faults().clear();
      const replayed = await replayDeadLetters({ store, names: [blob], sinkFor: () => harness.createSink() });
      expect(replayed).toMatchObject([{ outcome: 'replayed', records: 5, delivered: 5 }]);
      expect((await store.list()).map((b) => b.name)).not.toContain(blob);
      const counts = await copies(records);
      if (harness.idempotent) {
        expect(counts).toEqual([1, 1, 1, 1, 1]);
        await deliver(harness.createSink(), records, options());
        expect(await copies(records)).toEqual([1, 1, 1, 1, 1]);
      } else expect(counts.every((n) => n >= 1)).toBe(true);
    });

    it('closes idempotently', async () => {
      const sink = harness.createSink();
      await sink.close();
      await expect(sink.close()).resolves.toBeUndefined();
    });

    harness.extraTests?.();
  });
}
