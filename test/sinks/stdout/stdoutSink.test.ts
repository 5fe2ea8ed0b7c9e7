import { PassThrough } from 'node:stream';
import { FaultPlan } from '../../../shared/local/faults';
import { StdoutSink, streamWriter, type TextWriter } from '../../../shared/sinks/stdout/stdoutSink';
import { sinkContract } from '../sinkContract';

/**
 * stdout has no service to fail, so faults are a failing stream: EPIPE for "retryable" statuses
 * (a transient pipe error), a closed stream for permanent ones, and a write that never completes.
 */
let stream: PassThrough;
let lines: string[];
const faults = new FaultPlan();

const faultyWriter: TextWriter = async (text, abortSignal) => {
  const fault = faults.take();
  if (fault?.kind === 'hang') {
    await new Promise((_resolve, reject) =>
      abortSignal.addEventListener('abort', () => reject(abortSignal.reason as Error)),
    );
  } else if (fault?.kind === 'status') {
    if (fault.status >= 500 || fault.status === 429)
      throw Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    throw Object.assign(new Error('stdout is closed'), { statusCode: fault.status });
  }
  await streamWriter(stream)(text, abortSignal);
};

sinkContract('stdout', {
  manyCount: 2500,
  idempotent: false,
  retryableCode: 'EPIPE',
  async start() {
    stream = new PassThrough();
    lines = [];
    let rest = '';
    stream.on('data', (chunk: Buffer) => {
      const parts = (rest + chunk.toString('utf8')).split('\n');
      rest = parts.pop() ?? '';
      lines.push(...parts);
    });
  },
  async stop() {
    stream.end();
  },
  createSink: () => new StdoutSink(faultyWriter),
  faults: () => faults,
  async stored() {
    const out = new Map<string, string[]>();
    for (const line of lines) {
      const id = (JSON.parse(line) as { RecordId: string }).RecordId;
      out.set(id, [...(out.get(id) ?? []), line]);
    }
    return out;
  },
  extraTests() {
    it('writes one JSON object per line with absent values omitted', async () => {
      const sink = new StdoutSink(streamWriter(stream));
      const encoded = sink.encode({
        TimeGenerated: '2026-01-01T00:00:00.000Z',
        TimestampNs: '1767225600000000000',
        RecordId: 'only',
      });
      expect(encoded).toEqual({
        ok: true,
        value: expect.objectContaining({
          payload:
            '{"TimeGenerated":"2026-01-01T00:00:00.000Z","TimestampNs":"1767225600000000000","RecordId":"only"}\n',
        }),
      });
    });
  },
});
