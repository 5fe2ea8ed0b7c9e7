import { PassThrough } from 'node:stream';
import { OtlpReceiver } from '../../../shared/local/otlpReceiver';
import { OpenTelemetrySink } from '../../../shared/sinks/openTelemetry/openTelemetrySink';
import type { DeadLetterBatch } from '../../../shared/sinks/send/deadLetter';
import { FanOutError, fanOut } from '../../../shared/sinks/send/fanOut';
import { StdoutSink, streamWriter } from '../../../shared/sinks/stdout/stdoutSink';
import { makeRecords } from '../../support/traceRecords';

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = new OtlpReceiver();
  await receiver.start();
});
afterAll(() => receiver.stop());

const stdout = () => new StdoutSink(streamWriter(new PassThrough().resume()));
const otlp = () => new OpenTelemetrySink({ name: 'O', endpoint: receiver.endpoint, headers: {} });

describe('fanOut', () => {
  it('returns no reports for no targets', async () => {
    expect(await fanOut([], { deadLetter: { write: async () => 'x' }, batchRef: 'b' })).toEqual([]);
  });

  it('delivers to a healthy destination while another one is down and dead-letters', async () => {
    receiver.faults.setStanding({ kind: 'status', status: 400 });
    const written: DeadLetterBatch[] = [];
    const reports = await fanOut(
      [
        { sink: otlp(), records: makeRecords(3) },
        { sink: stdout(), records: makeRecords(5) },
      ],
      { deadLetter: { write: async (b) => (written.push(b), 'blob') }, batchRef: 'b' },
    );
    receiver.faults.clear();
    expect(reports.map((r) => [r.destination, r.delivered, r.deadLettered])).toEqual([
      ['opentelemetry', 0, 3],
      ['stdout', 5, 0],
    ]);
    expect(written.map((b) => b.destination)).toEqual(['opentelemetry']);
  });

  it('finishes every destination, then throws when dead-lettering failed', async () => {
    receiver.faults.setStanding({ kind: 'status', status: 400 });
    const promise = fanOut(
      [
        { sink: otlp(), records: makeRecords(1) },
        { sink: stdout(), records: makeRecords(2) },
      ],
      { deadLetter: { write: () => Promise.reject(new Error('storage down')) }, batchRef: 'b' },
    );
    await expect(promise).rejects.toBeInstanceOf(FanOutError);
    const error = (await promise.catch((e: unknown) => e)) as FanOutError;
    receiver.faults.clear();
    expect(error.reports.map((r) => [r.destination, r.delivered])).toEqual([['stdout', 2]]);
  });
});
