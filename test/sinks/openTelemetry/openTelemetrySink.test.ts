import { gunzipSync } from 'node:zlib';
import { OtlpReceiver } from '../../../shared/local/otlpReceiver';
import { OpenTelemetrySink } from '../../../shared/sinks/openTelemetry/openTelemetrySink';
import { deliver } from '../../../shared/sinks/send/deliver';
import { makeRecords } from '../../support/traceRecords';
import { sinkContract } from '../sinkContract';

let receiver: OtlpReceiver;
const newSink = (headers: Record<string, string> = { authorization: 'Bearer otlp-test' }) =>
  new OpenTelemetrySink({ name: 'TRACES_OPENTELEMETRY', endpoint: receiver.endpoint, headers });
const uid = (log: { logRecord: Record<string, unknown> }): string => {
  const attributes = log.logRecord.attributes as Array<{ key: string; value: { stringValue?: string } }>;
  return attributes.find((a) => a.key === 'log.record.uid')?.value.stringValue ?? '';
};
/** What a receiver kept, by RecordId (the sink contract's view of the destination). */
function storedBy(received: OtlpReceiver['received']): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const log of received)
    out.set(uid(log), [...(out.get(uid(log)) ?? []), JSON.stringify(log.logRecord)]);
  return out;
}

sinkContract('opentelemetry', {
  manyCount: 4500,
  idempotent: false,
  async start() {
    receiver = new OtlpReceiver({ requiredHeaders: { authorization: 'Bearer otlp-test' } });
    await receiver.start();
  },
  stop: () => receiver.stop(),
  createSink: () => newSink(),
  faults: () => receiver.faults,
  stored: async () => storedBy(receiver.received),
  extraTests() {
    it('puts cluster and node on the resource and one node per request', async () => {
      const before = receiver.received.length;
      await deliver(newSink(), makeRecords(4, 700_000), {
        deadLetter: { write: () => Promise.reject(new Error('none')) },
        batchRef: 'x',
      });
      const logs = receiver.received.slice(before);
      expect(logs).toHaveLength(4);
      const resources = logs.map((l) => JSON.stringify(l.resource));
      expect(new Set(resources).size).toBe(2);
      expect(resources[0]).toContain('k8s.cluster.name');
      expect(logs[0]?.logRecord.timeUnixNano).toMatch(/^\d{19}$/);
    });

    it('sends the configured headers (401 without them is permanent)', async () => {
      const written: string[] = [];
      const report = await deliver(newSink({}), makeRecords(1, 800_000), {
        deadLetter: { write: async (b) => (written.push(b.entries[0]?.code ?? ''), 'blob') },
        batchRef: 'x',
      });
      expect(report).toMatchObject({ attempts: 1, deadLettered: 1 });
      expect(written).toEqual(['HTTP_401']);
    });
  },
});

let protobufReceiver: OtlpReceiver;
sinkContract('opentelemetry (http/protobuf)', {
  manyCount: 4500,
  idempotent: false,
  async start() {
    protobufReceiver = new OtlpReceiver({ requiredHeaders: { authorization: 'Bearer otlp-test' } });
    await protobufReceiver.start();
  },
  stop: () => protobufReceiver.stop(),
  createSink: () =>
    new OpenTelemetrySink({
      name: 'TRACES_OPENTELEMETRY',
      endpoint: protobufReceiver.endpoint,
      headers: { authorization: 'Bearer otlp-test' },
      protocol: 'http/protobuf',
    }),
  faults: () => protobufReceiver.faults,
  stored: async () => storedBy(protobufReceiver.received),
  extraTests() {
    it('sends what the JSON encoding sends, in protobuf, and reads a Status message on failure', async () => {
      const records = makeRecords(3, 900_000);
      const before = protobufReceiver.received.length;
      const protobufSink = new OpenTelemetrySink({
        name: 'P',
        endpoint: protobufReceiver.endpoint,
        headers: { authorization: 'Bearer otlp-test' },
        protocol: 'http/protobuf',
      });
      const jsonSink = new OpenTelemetrySink({
        name: 'J',
        endpoint: protobufReceiver.endpoint,
        headers: { authorization: 'Bearer otlp-test' },
      });
      const deadLetter = { write: () => Promise.reject(new Error('none')) };
      await deliver(protobufSink, records, { deadLetter, batchRef: 'p' });
      await deliver(jsonSink, records, { deadLetter, batchRef: 'j' });
      const [fromProtobuf, fromJson] = [
        protobufReceiver.received.slice(before, before + 3),
        protobufReceiver.received.slice(before + 3),
      ];
      expect(fromProtobuf).toHaveLength(3);
      expect(fromProtobuf).toEqual(fromJson);
      const encoded = records.map((record) => {
        const result = protobufSink.encode(record);
        if (!result.ok) throw new Error(result.reason);
        return result.value;
      });
      protobufReceiver.faults.enqueue({ kind: 'status', status: 400, message: 'no such stream' });
      await expect(
        protobufSink.push(encoded, { abortSignal: new AbortController().signal }),
      ).rejects.toMatchObject({
        code: 'HTTP_400',
        message: expect.stringMatching(/answered 400: no such stream$/),
      });
    });
  },
});

describe('OpenTelemetrySink with an injected fetch', () => {
  it('posts the gzip request through it, and classifies its answer', async () => {
    const seen: Array<{ url: string; records: number }> = [];
    let status = 200;
    const sink = new OpenTelemetrySink(
      { name: 'OTLP', endpoint: 'http://collector.invalid:4318', headers: {} },
      {
        fetch: async (input, init) => {
          const body = JSON.parse(gunzipSync(init?.body as Buffer).toString()) as {
            resourceLogs: Array<{ scopeLogs: Array<{ logRecords: unknown[] }> }>;
          };
          seen.push({
            url: input instanceof Request ? input.url : input.toString(),
            records: body.resourceLogs[0]!.scopeLogs[0]!.logRecords.length,
          });
          return new Response('{}', { status });
        },
      },
    );
    const encoded = makeRecords(3).map((record) => {
      const result = sink.encode(record);
      if (!result.ok) throw new Error(result.reason);
      return result.value;
    });
    await expect(sink.push(encoded, { abortSignal: new AbortController().signal })).resolves.toEqual({
      ok: true,
    });
    expect(seen).toEqual([{ url: 'http://collector.invalid:4318/v1/logs', records: 3 }]);
    status = 503;
    await expect(sink.push(encoded, { abortSignal: new AbortController().signal })).rejects.toMatchObject({
      code: 'HTTP_503',
    });
  });
});
