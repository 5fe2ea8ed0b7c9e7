import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { TraceRecord } from '../../../shared/record/traceRecord';
import type { DeadLetterBatch } from '../../../shared/sinks/send/deadLetter';
import { combinedBatchRef, DeliveryQueue } from '../../../shared/sinks/send/deliveryQueue';
import { InFlightLimit } from '../../../shared/sinks/send/inFlightLimit';
import { OpenTelemetrySink } from '../../../shared/sinks/openTelemetry/openTelemetrySink';
import type { EncodeResult, EncodedRecord, PushResult, Sink } from '../../../shared/sinks/sink';
import { makeRecord, makeRecords } from '../../support/traceRecords';

/**
 * A sink whose records carry their size and group in the RecordId (`<id>:<bytes>:<group>`), that
 * records every push and answers when `gate` resolves (so tests see what is in flight).
 */
class PackingSink implements Sink<string> {
  readonly destination = 'stdout' as const;
  readonly connection = 'X';
  readonly limits = { maxRecords: 3, maxBytes: 100 };
  readonly pushed: string[][] = [];
  inFlight = 0;
  peak = 0;
  constructor(
    private readonly answer: (
      batch: ReadonlyArray<EncodedRecord<string>>,
    ) => Promise<PushResult<string>> = async () => ({ ok: true }),
  ) {}
  encode(record: TraceRecord): EncodeResult<string> {
    const [id = '', bytes = '10', group] = record.RecordId.split(':');
    if (id === 'bad') return { ok: false, code: 'RECORD_INVALID', reason: 'bad record' };
    const value: EncodedRecord<string> = { record, payload: id, bytes: Number(bytes) };
    if (group !== undefined) value.group = group;
    return { ok: true, value };
  }
  async push(batch: ReadonlyArray<EncodedRecord<string>>): Promise<PushResult<string>> {
    this.pushed.push(batch.map((b) => b.payload));
    this.inFlight += 1;
    this.peak = Math.max(this.peak, this.inFlight);
    try {
      return await this.answer(batch);
    } finally {
      this.inFlight -= 1;
    }
  }
  async close(): Promise<void> {}
}

const rec = (id: string | number, bytes = 10, group?: string): TraceRecord =>
  makeRecord(0, { RecordId: group === undefined ? `${id}:${bytes}` : `${id}:${bytes}:${group}` });
const collect = () => {
  const written: DeadLetterBatch[] = [];
  return {
    written,
    deadLetter: { write: async (b: DeadLetterBatch) => (written.push(b), `blob${written.length}`) },
  };
};
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('DeliveryQueue', () => {
  it.each<[string, TraceRecord[], string[][], string[]]>([
    ['no records', [], [], []],
    ['one record', [rec(1)], [['1']], []],
    [
      'count limit',
      [1, 2, 3, 4, 5, 6, 7].map((i) => rec(i, 1)),
      [['1', '2', '3'], ['4', '5', '6'], ['7']],
      [],
    ],
    ['byte limit, exactly full then over', [rec(1, 60), rec(2, 40), rec(3, 1)], [['1', '2'], ['3']], []],
    ['byte limit splits', [rec(1, 60), rec(2, 41)], [['1'], ['2']], []],
    [
      'a record over the request limit is dead-lettered',
      [rec(1), rec(2, 101), rec(3)],
      [['1', '3']],
      ['RECORD_TOO_LARGE'],
    ],
    [
      'a record that fails to encode is dead-lettered',
      [rec(1), rec('bad'), rec(3)],
      [['1', '3']],
      ['RECORD_INVALID'],
    ],
    [
      'groups never mix',
      [rec(1, 1, 'a'), rec(2, 1, 'b'), rec(3, 1, 'a'), rec(4, 1, 'b')],
      [
        ['1', '3'],
        ['2', '4'],
      ],
      [],
    ],
    [
      'a group overflowing keeps its order',
      [1, 2, 3, 4].map((i) => rec(i, 1, 'a')),
      [['1', '2', '3'], ['4']],
      [],
    ],
  ])('packs pushes: %s', async (_name, records, pushes, deadCodes) => {
    const sink = new PackingSink();
    const { written, deadLetter } = collect();
    const queue = new DeliveryQueue(sink, { deadLetter });
    queue.add(records, 'eventhub:0:1');
    const report = await queue.finish();
    expect(sink.pushed).toEqual(pushes);
    expect(written.flatMap((b) => b.entries.map((e) => e.code))).toEqual(deadCodes);
    expect(report).toMatchObject({
      records: records.length,
      delivered: records.length - deadCodes.length,
      batches: pushes.length,
    });
    expect(report.delivered + report.deadLettered).toBe(report.records);
  });

  it('merges the records of several input batches into full pushes, each in arrival order', async () => {
    const sink = new PackingSink();
    const queue = new DeliveryQueue(sink, collect());
    queue.add([rec(1, 1, 'a'), rec(2, 1, 'b')], 'eventhub:0:1');
    queue.add([rec(3, 1, 'a'), rec(4, 1, 'a'), rec(5, 1, 'b')], 'eventhub:0:2');
    // The 'a' push filled with the second batch and is already on its way.
    await tick();
    expect(sink.pushed).toEqual([['1', '3', '4']]);
    await queue.finish();
    expect(sink.pushed).toEqual([
      ['1', '3', '4'],
      ['2', '5'],
    ]);
  });

  it('sends open pushes early once more records than maxPendingRecords wait, so memory stays bounded', async () => {
    const sink = new PackingSink();
    const queue = new DeliveryQueue(sink, { ...collect(), maxPendingRecords: 3 });
    // Four groups of one record each: no push ever fills.
    queue.add([rec(1, 1, 'a'), rec(2, 1, 'b'), rec(3, 1, 'c')], 'eventhub:0:1');
    expect(sink.pushed).toEqual([]);
    queue.add([rec(4, 1, 'd')], 'eventhub:0:2');
    await tick();
    expect(sink.pushed).toEqual([['1'], ['2'], ['3'], ['4']]);
    await queue.finish();
    expect(sink.pushed).toHaveLength(4);
  });

  it('sends open pushes early once more bytes than maxPendingBytes wait', async () => {
    const sink = new PackingSink();
    const queue = new DeliveryQueue(sink, { ...collect(), maxPendingBytes: 50 });
    queue.add([rec(1, 30, 'a'), rec(2, 30, 'b')], 'r');
    await tick();
    expect(sink.pushed).toEqual([['1'], ['2']]);
    await queue.finish();
  });

  it('never has more pushes in flight than its limit, shared by every queue of the destination', async () => {
    let open: Array<() => void> = [];
    const sink = new PackingSink(() => new Promise((resolve) => open.push(() => resolve({ ok: true }))));
    const limit = new InFlightLimit(2);
    const queues = [0, 1].map(() => new DeliveryQueue(sink, { ...collect(), inFlightLimit: limit }));
    queues[0]!.add(
      makeRecords(9).map((_, i) => rec(`a${i}`)),
      'eventhub:0:1',
    );
    queues[1]!.add(
      makeRecords(9).map((_, i) => rec(`b${i}`)),
      'eventhub:1:1',
    );
    const done = Promise.all(queues.map((q) => q.finish()));
    for (let round = 0; round < 20 && sink.pushed.length < 6; round++) {
      await tick();
      expect(sink.inFlight).toBeLessThanOrEqual(2);
      const answering = open;
      open = [];
      for (const answer of answering) answer();
    }
    const reports = await done;
    expect(sink.pushed).toHaveLength(6);
    expect(sink.peak).toBe(2);
    expect(limit.peak).toBe(2);
    expect(limit.inFlight).toBe(0);
    expect(reports.map((r) => r.delivered)).toEqual([9, 9]);
  });

  it('writes dead-lettered records in parts once maxPendingRecords have gathered, naming every blob', async () => {
    const sink = new PackingSink(async () => {
      throw Object.assign(new Error('forbidden'), { statusCode: 403 });
    });
    const { written, deadLetter } = collect();
    const queue = new DeliveryQueue(sink, { deadLetter, maxPendingRecords: 3 });
    queue.add(
      [1, 2, 3].map((i) => rec(i)),
      'eventhub:0:7',
    );
    queue.add(
      [4, 5, 6].map((i) => rec(i)),
      'eventhub:0:8',
    );
    const report = await queue.finish();
    expect(report).toMatchObject({
      records: 6,
      delivered: 0,
      deadLettered: 6,
      failures: [{ code: 'HTTP_403', count: 6 }],
    });
    expect(written.map((b) => b.entries.length)).toEqual([3, 3]);
    expect(written.map((b) => b.batchRef)).toEqual(['eventhub:0:7', 'eventhub:0:8']);
    expect(report.deadLetterBlob).toBe('blob1');
    expect(report.deadLetterBlobs).toEqual(['blob1', 'blob2']);
  });

  it('throws from finish when the dead-letter store fails, and sends nothing more afterwards', async () => {
    const sink = new PackingSink(async () => {
      throw Object.assign(new Error('forbidden'), { statusCode: 403 });
    });
    const queue = new DeliveryQueue(sink, {
      deadLetter: { write: () => Promise.reject(new Error('blob store unavailable')) },
      maxPendingRecords: 1,
    });
    queue.add([rec(1), rec(2), rec(3)], 'r1');
    for (let i = 0; i < 5; i++) await tick();
    expect(queue.hasFailed).toBe(true);
    queue.add([rec(4), rec(5), rec(6)], 'r2');
    await expect(queue.finish()).rejects.toThrow('blob store unavailable');
    expect(sink.pushed).toEqual([['1', '2']]);
  });

  it('past the deadline, waiting pushes are dead-lettered without being sent', async () => {
    const sink = new PackingSink();
    const { written, deadLetter } = collect();
    const queue = new DeliveryQueue(sink, { deadLetter, deadlineMs: Date.now() - 1 });
    queue.add([rec(1), rec(2)], 'eventhub:2:5');
    const report = await queue.finish();
    expect(sink.pushed).toEqual([]);
    expect(report.failures.map((f) => f.code)).toEqual(['DEADLINE_EXCEEDED']);
    expect(written[0]).toMatchObject({ destination: 'stdout', connection: 'X', batchRef: 'eventhub:2:5' });
  });

  describe('against an HTTP server that counts the requests it is answering at once', () => {
    let server: Server;
    let current = 0;
    let peak = 0;
    let requests = 0;
    let received = 0;
    beforeAll(async () => {
      server = createServer((request, response) => {
        current += 1;
        requests += 1;
        peak = Math.max(peak, current);
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          const body = JSON.parse(gunzipSync(Buffer.concat(chunks)).toString()) as {
            resourceLogs: Array<{ scopeLogs: Array<{ logRecords: unknown[] }> }>;
          };
          received += body.resourceLogs[0]!.scopeLogs[0]!.logRecords.length;
          setTimeout(() => {
            current -= 1;
            response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
          }, 20);
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('overlaps requests up to the limit and never beyond', async () => {
      const port = (server.address() as AddressInfo).port;
      const sink = new OpenTelemetrySink({ name: 'OTLP', endpoint: `http://127.0.0.1:${port}`, headers: {} });
      const limit = new InFlightLimit(3);
      // Pushes of at most 10 records: at least 12 requests from two invocations writing at once.
      const queues = [0, 1].map(
        () => new DeliveryQueue(sink, { ...collect(), inFlightLimit: limit, maxPendingRecords: 9 }),
      );
      for (const [q, queue] of queues.entries())
        for (let event = 0; event < 6; event++)
          queue.add(makeRecords(10, q * 1000 + event * 10), `eventhub:${q}:${event}`);
      const reports = await Promise.all(queues.map((q) => q.finish()));
      expect(reports.map((r) => r.delivered)).toEqual([60, 60]);
      expect(received).toBe(120);
      expect(requests).toBeGreaterThanOrEqual(12);
      expect(peak).toBe(3);
    });
  });
});

describe('combinedBatchRef', () => {
  it.each<[string, string[], string]>([
    ['nothing', [], ''],
    ['one reference', ['eventhub:3:1200'], 'eventhub:3:1200'],
    ['one partition', ['eventhub:3:1200', 'eventhub:3:1201', 'eventhub:3:1200'], 'eventhub:3:1200,1201'],
    ['several partitions', ['eventhub:3:1', 'eventhub:4:1'], 'eventhub:3:1 eventhub:4:1'],
    ['no prefix', ['a', 'b'], 'a b'],
    [
      'a long list is cut',
      Array.from({ length: 40 }, (_, i) => `eventhub:1:${i}`),
      `eventhub:1:${Array.from({ length: 32 }, (_, i) => i).join(',')} +8`,
    ],
  ])('%s', (_name, refs, expected) => {
    expect(combinedBatchRef(refs)).toBe(expected);
  });
});
