/**
 * OTLP in protobuf: an independent decoder (protobufjs, from the OTLP .proto subset below) reads
 * back exactly what the JSON encoding says, for real-looking and for arbitrary records; the local
 * receiver's decoder agrees; the writer's wire details hold at their edges.
 */
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { exportLogsRequestFromProtobuf } from '../../../shared/local/otlpLogsProtobuf';
import type { TraceRecord } from '../../../shared/record/traceRecord';
import { encodeOtlpLogRecord, OTLP_MAX_STRING_CHARS } from '../../../shared/sinks/openTelemetry/encode';
import {
  encodeOtlpLogRecordProtobuf,
  exportRequestProtobuf,
} from '../../../shared/sinks/openTelemetry/encodeProtobuf';
import { rejectedCountProtobuf, responseMessage } from '../../../shared/sinks/openTelemetry/exportResponse';
import { exportRequest } from '../../../shared/sinks/openTelemetry/openTelemetrySink';
import {
  int64Length,
  ProtobufWriter,
  varintLength,
} from '../../../shared/sinks/openTelemetry/protobufWriter';
import { makeRecord } from '../../support/traceRecords';

/** The messages of opentelemetry-proto (collector/logs/v1, logs/v1, common/v1, resource/v1) we send. */
const OTLP_PROTO = `
syntax = "proto3";
message AnyValue {
  oneof value {
    string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope { string name = 1; string version = 2; }
message Resource { repeated KeyValue attributes = 1; }
message LogRecord {
  fixed64 time_unix_nano = 1; fixed64 observed_time_unix_nano = 11; int32 severity_number = 2;
  string severity_text = 3; AnyValue body = 5; repeated KeyValue attributes = 6;
}
message ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; }
message ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; }
message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
message ExportLogsPartialSuccess { int64 rejected_log_records = 1; string error_message = 2; }
message ExportLogsServiceResponse { ExportLogsPartialSuccess partial_success = 1; }
message Status { int32 code = 1; string message = 2; }
`;
const root = protobuf.parse(OTLP_PROTO).root;
const Request = root.lookupType('ExportLogsServiceRequest');

/** protobufjs's reading of `bytes`, in the OTLP/JSON form (64-bit integers as decimal strings). */
function oracle(bytes: Uint8Array): unknown {
  const message = Request.decode(bytes);
  return Request.toObject(message, { longs: String, arrays: true, oneofs: false, defaults: false });
}

function both(records: TraceRecord[]): { json: unknown; protobuf: Uint8Array } {
  const json = records.map(encodeOtlpLogRecord).flatMap((r) => (r.ok ? [r.value] : []));
  const binary = records.map(encodeOtlpLogRecordProtobuf).flatMap((r) => (r.ok ? [r.value] : []));
  expect(binary).toHaveLength(json.length);
  return { json: JSON.parse(exportRequest(json)), protobuf: exportRequestProtobuf(binary) };
}

describe('OTLP logs in protobuf', () => {
  it.each([
    ['an HTTP request', makeRecord(2, { HttpStatusCode: 404 })],
    [
      'a TLS hello with ALPN',
      makeRecord(3, { TlsAlpn: ['h2', 'http/1.1'], TlsServerName: 'bücher.example' }),
    ],
    [
      'a DNS answer set, labels, flags and a long string',
      makeRecord(4, {
        DnsAnswers: [
          { type: 'A', value: '10.0.0.1', ttl: 30 },
          { type: 'CNAME', value: 'a.example', ttl: 0 },
        ],
        SourceLabels: { app: 'web', 'k"8s': 'v\n' },
        L7Partial: false,
        L7Unanswered: true,
        HttpUserAgent: 'x'.repeat(OTLP_MAX_STRING_CHARS + 10),
      }),
    ],
  ])('protobufjs reads back what the JSON encoding says: %s', (_name, record) => {
    const { json, protobuf: bytes } = both([record, makeRecord(9)]);
    expect(oracle(bytes)).toEqual(json);
    expect(exportLogsRequestFromProtobuf(bytes)).toEqual(json);
  });

  it('is the JSON encoding, read back, for arbitrary records', () => {
    const text = fc.string({ unit: 'binary', maxLength: 20 });
    const integer = fc.oneof(
      fc.integer(),
      fc.constantFrom(0, -1, 2 ** 31, 2 ** 53 - 1, -(2 ** 53) + 1, 2 ** 53 + 2, 2 ** 60),
    );
    const record = fc.record(
      {
        HttpPath: text,
        HttpHost: text,
        DnsQuery: text,
        SourcePort: integer,
        PacketBytes: integer,
        L7LatencyNs: integer,
        DnsIsResponse: fc.boolean(),
        SourceLabels: fc.dictionary(text, text, { maxKeys: 3 }),
        TlsAlpn: fc.array(text, { maxLength: 3 }),
        DnsAnswers: fc.array(fc.record({ type: text, value: text, ttl: fc.nat() }), { maxLength: 2 }),
        TimestampNs: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String),
      },
      { requiredKeys: ['TimestampNs'] },
    );
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 3 }), (partials) => {
        const records = partials.map((partial, i) => ({ ...makeRecord(i), ...partial }));
        const { json, protobuf: bytes } = both(records);
        expect(oracle(bytes)).toEqual(json);
        expect(exportLogsRequestFromProtobuf(bytes)).toEqual(json);
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['not digits', '12a'],
    ['more than 64 bits', '18446744073709551616'],
  ])('refuses a TimestampNs that is %s, naming it', (_name, timestampNs) => {
    const result = encodeOtlpLogRecordProtobuf({ ...makeRecord(1), TimestampNs: timestampNs });
    expect(result).toEqual({
      ok: false,
      code: 'RECORD_INVALID',
      reason: `TimestampNs '${timestampNs}' is not epoch nanoseconds`,
    });
  });

  it('takes the largest 64-bit timestamp and leading zeros', () => {
    for (const timestampNs of ['18446744073709551615', '000000000000000000001']) {
      const { protobuf: bytes } = both([{ ...makeRecord(1), TimestampNs: timestampNs.slice(-20) }]);
      const decoded = oracle(bytes) as {
        resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: string }] }] }];
      };
      expect(decoded.resourceLogs[0].scopeLogs[0].logRecords[0].timeUnixNano).toBe(
        BigInt(timestampNs.slice(-20)).toString(),
      );
    }
  });

  it.each([1, 2, 2000])(
    'counts %i records at their share of the request: what the push limit adds up stays within it',
    (count) => {
      const encoded = Array.from({ length: count }, (_, i) => makeRecord(i))
        .map(encodeOtlpLogRecordProtobuf)
        .flatMap((r) => (r.ok ? [r.value] : []));
      // The resource (cluster, node), the scope and the envelope: well under a kilobyte.
      const envelope = 1024;
      expect(exportRequestProtobuf(encoded).length).toBeLessThanOrEqual(
        encoded.reduce((sum, item) => sum + item.bytes, 0) + envelope,
      );
    },
  );
});

describe('ProtobufWriter', () => {
  it.each([0, 1, 127, 128, 16_383, 16_384, 2 ** 21, 2 ** 35, Number.MAX_SAFE_INTEGER])(
    'writes varint %i as protobufjs does',
    (value) => {
      const ours = new ProtobufWriter(4);
      ours.uint(1, value);
      const theirs = protobuf.Writer.create().uint32(8).uint64(value).finish();
      expect(Buffer.from(ours.copy()).toString('hex')).toBe(Buffer.from(theirs).toString('hex'));
      expect(varintLength(value)).toBe(theirs.length - 1);
    },
  );

  it.each([
    -1,
    -(2 ** 31),
    -(2 ** 53) + 1,
    2 ** 53 + 2,
    2 ** 60,
    2 ** 63 - 2 ** 11,
    1.9,
    -1.9,
    Number.NaN,
    Infinity,
  ])('writes int64 %p as protobufjs does (truncated; not finite: 0), in the length it announces', (value) => {
    const ours = new ProtobufWriter(4);
    ours.int64(3, value);
    const whole = Number.isFinite(value) ? Math.trunc(value) : 0;
    const theirs = protobuf.Writer.create().uint32(24).int64(whole).finish();
    expect(Buffer.from(ours.copy()).toString('hex')).toBe(Buffer.from(theirs).toString('hex'));
    expect(int64Length(value)).toBe(ours.length - 1);
  });

  it.each([0, 1, 127, 128, 300, 16_383, 16_384, 70_000])(
    'puts the length of a nested message of %i bytes in front of it',
    (size) => {
      const ours = new ProtobufWriter(8);
      ours.uint(1, 7);
      const mark = ours.begin(2);
      ours.bytes(1, new Uint8Array(Math.max(0, size - 1 - varintLength(Math.max(0, size - 1)))).fill(0xab));
      const inner = ours.length - mark - 1;
      ours.end(mark);
      ours.uint(3, 9);
      const fields = [] as { field: number; length?: number }[];
      const reader = protobuf.Reader.create(ours.copy());
      while (reader.pos < reader.len) {
        const key = reader.uint32();
        if (key >>> 3 === 2) fields.push({ field: 2, length: reader.bytes().length });
        else {
          fields.push({ field: key >>> 3 });
          reader.skipType(key & 7);
        }
      }
      expect(fields).toEqual([{ field: 1 }, { field: 2, length: inner }, { field: 3 }]);
    },
  );
});

describe('OTLP answers in protobuf', () => {
  const Response = root.lookupType('ExportLogsServiceResponse');
  const Status = root.lookupType('Status');

  it.each<[string, Uint8Array, number]>([
    ['an empty (full success) answer', new Uint8Array(), 0],
    [
      'a partial success',
      Response.encode({ partialSuccess: { rejectedLogRecords: 7, errorMessage: 'x' } }).finish(),
      7,
    ],
    ['garbage', Uint8Array.from([0xff, 0xff, 0xff]), 0],
  ])('reads the rejected count of %s', (_name, body, expected) => {
    expect(rejectedCountProtobuf(body)).toBe(expected);
  });

  it('reads a failure message from a google.rpc.Status, and from text otherwise', () => {
    const status = Status.encode({ code: 3, message: 'bad attribute' }).finish();
    expect(responseMessage(status, 'application/x-protobuf')).toBe('bad attribute');
    expect(responseMessage(Buffer.from('{"code":3}'), 'application/json')).toBe('{"code":3}');
    expect(responseMessage(Buffer.from('oops'), 'application/x-protobuf')).toBe('oops');
  });
});
