/**
 * Trace record → OTLP log record in protobuf (OTLP/HTTP `application/x-protobuf`, the OpenTelemetry
 * SDKs' default protocol). The same attributes, values and truncation as the JSON encoding
 * (`encode.ts`, one shared mapping); only the wire form differs. Field numbers are those of
 * `opentelemetry/proto/logs/v1/logs.proto` and `common/v1/common.proto`. Pure.
 */
import type { DnsAnswer, TraceRecord } from '../../record/traceRecord';
import type { EncodeResult, EncodedRecord } from '../sink';
import { truncateText } from '../truncate';
import {
  OTLP_MAX_STRING_CHARS,
  OTLP_SCOPE,
  resourceAttributes,
  summary,
  TIMESTAMP_NS,
  writeLogAttributes,
  type AnyValue,
  type AttributeWriter,
  type KeyValue,
} from './encode';
import { int64Length, ProtobufWriter, utf8Length, varintLength } from './protobufWriter';

/** One OTLP LogRecord message, encoded (without its field key and length). */
export type OtlpLogRecordProtobuf = Uint8Array;

// Field numbers (opentelemetry-proto).
const ANY_STRING = 1;
const ANY_BOOL = 2;
const ANY_INT = 3;
const ANY_ARRAY = 5;
const ANY_KVLIST = 6;
const KEY_VALUE_KEY = 1;
const KEY_VALUE_VALUE = 2;
const LIST_VALUES = 1;
const LOG_TIME_UNIX_NANO = 1;
const LOG_SEVERITY_NUMBER = 2;
const LOG_SEVERITY_TEXT = 3;
const LOG_BODY = 5;
const LOG_ATTRIBUTES = 6;

const limited = (value: string): string => truncateText(value, OTLP_MAX_STRING_CHARS);

/** Writes one `KeyValue` in `field` whose value is written by `value`. */
function keyValue(w: ProtobufWriter, field: number, key: string, value: () => void): void {
  const mark = w.begin(field);
  w.string(KEY_VALUE_KEY, key);
  const valueMark = w.begin(KEY_VALUE_VALUE);
  value();
  w.end(valueMark);
  w.end(mark);
}

function stringValue(w: ProtobufWriter, field: number, text: string): void {
  const mark = w.begin(field);
  w.string(ANY_STRING, limited(text));
  w.end(mark);
}

// Keys of length-delimited fields and of varint fields, as written (field number × 8 + wire type).
const ATTRIBUTE_KEY = LOG_ATTRIBUTES * 8 + 2;
const KEY_VALUE_KEY_KEY = KEY_VALUE_KEY * 8 + 2;
const KEY_VALUE_VALUE_KEY = KEY_VALUE_VALUE * 8 + 2;
const ANY_STRING_KEY = ANY_STRING * 8 + 2;

/**
 * Starts a `LogRecord.attributes` entry whose `AnyValue` content is `anyLength` bytes: the entry's
 * key and length, its key string, and the value's key and length; the caller writes the content.
 * Attribute keys are our own ASCII names, so their length is their byte count.
 */
function attributeHead(w: ProtobufWriter, key: string, anyLength: number): void {
  const entryLength = 2 + varintLength(key.length) + key.length + varintLength(anyLength) + anyLength;
  w.raw(ATTRIBUTE_KEY);
  w.raw(entryLength);
  w.raw(KEY_VALUE_KEY_KEY);
  w.raw(key.length);
  w.text(key, key.length);
  w.raw(KEY_VALUE_VALUE_KEY);
  w.raw(anyLength);
}

/** Appends `LogRecord.attributes` entries (field 6): the attributes {@link writeLogAttributes} maps. */
class ProtobufAttributeWriter implements AttributeWriter {
  constructor(private readonly w: ProtobufWriter) {}
  // The common attributes are written with their lengths computed first: no nested-message marks.
  string(key: string, value: string): void {
    const text = limited(value);
    const bytes = utf8Length(text);
    attributeHead(this.w, key, 1 + varintLength(bytes) + bytes);
    this.w.raw(ANY_STRING_KEY);
    this.w.raw(bytes);
    this.w.text(text, bytes);
  }
  int(key: string, value: number): void {
    attributeHead(this.w, key, 1 + int64Length(value));
    this.w.int64(ANY_INT, value);
  }
  bool(key: string, value: boolean): void {
    attributeHead(this.w, key, 2);
    this.w.bool(ANY_BOOL, value);
  }
  labels(key: string, map: Record<string, string>): void {
    keyValue(this.w, LOG_ATTRIBUTES, key, () => {
      const list = this.w.begin(ANY_KVLIST);
      for (const [k, v] of Object.entries(map))
        keyValue(this.w, LIST_VALUES, k, () => this.w.string(ANY_STRING, limited(v)));
      this.w.end(list);
    });
  }
  strings(key: string, values: readonly string[]): void {
    keyValue(this.w, LOG_ATTRIBUTES, key, () => {
      const array = this.w.begin(ANY_ARRAY);
      for (const value of values) stringValue(this.w, LIST_VALUES, value);
      this.w.end(array);
    });
  }
  dnsAnswers(key: string, answers: readonly DnsAnswer[]): void {
    keyValue(this.w, LOG_ATTRIBUTES, key, () => {
      const array = this.w.begin(ANY_ARRAY);
      for (const answer of answers) {
        const item = this.w.begin(LIST_VALUES);
        const list = this.w.begin(ANY_KVLIST);
        keyValue(this.w, LIST_VALUES, 'type', () => this.w.string(ANY_STRING, limited(answer.type)));
        keyValue(this.w, LIST_VALUES, 'value', () => this.w.string(ANY_STRING, limited(answer.value)));
        keyValue(this.w, LIST_VALUES, 'ttl', () => this.w.int64(ANY_INT, answer.ttl));
        this.w.end(list);
        this.w.end(item);
      }
      this.w.end(array);
    });
  }
}

/** Reused between records: each record's bytes are copied out of it. */
const scratch = new ProtobufWriter(16 * 1024);

/**
 * Encodes a record as an OTLP LogRecord in protobuf; records of one cluster and node share a group
 * (one OTLP resource), as in the JSON encoding.
 */
export function encodeOtlpLogRecordProtobuf(record: TraceRecord): EncodeResult<OtlpLogRecordProtobuf> {
  if (!TIMESTAMP_NS.test(record.TimestampNs) || !fitsUint64(record.TimestampNs)) {
    return {
      ok: false,
      code: 'RECORD_INVALID',
      reason: `TimestampNs '${record.TimestampNs}' is not epoch nanoseconds`,
    };
  }
  const w = scratch;
  w.reset();
  w.fixed64Decimal(LOG_TIME_UNIX_NANO, record.TimestampNs);
  w.uint(LOG_SEVERITY_NUMBER, 9);
  w.string(LOG_SEVERITY_TEXT, 'INFO');
  stringValue(w, LOG_BODY, summary(record));
  writeLogAttributes(record, new ProtobufAttributeWriter(w));
  const payload = w.copy();
  return {
    ok: true,
    value: {
      record,
      payload,
      // The record's share of the request: the message plus its key and length.
      bytes: payload.length + 4,
      group: `${record.ClusterName ?? ''}\u0000${record.NodeName ?? ''}`,
    },
  };
}

const MAX_UINT64_DIGITS = '18446744073709551615';

function fitsUint64(decimal: string): boolean {
  const digits = decimal.replace(/^0+(?=\d)/, '');
  return (
    digits.length < MAX_UINT64_DIGITS.length ||
    (digits.length === MAX_UINT64_DIGITS.length && digits <= MAX_UINT64_DIGITS)
  );
}

function writeAnyValue(w: ProtobufWriter, field: number, value: AnyValue): void {
  const mark = w.begin(field);
  if ('stringValue' in value) w.string(ANY_STRING, value.stringValue);
  else if ('intValue' in value) w.int64(ANY_INT, Number(value.intValue));
  else if ('boolValue' in value) w.bool(ANY_BOOL, value.boolValue);
  else if ('arrayValue' in value) {
    const array = w.begin(ANY_ARRAY);
    for (const item of value.arrayValue.values) writeAnyValue(w, LIST_VALUES, item);
    w.end(array);
  } else {
    const list = w.begin(ANY_KVLIST);
    for (const item of value.kvlistValue.values) writeKeyValue(w, LIST_VALUES, item);
    w.end(list);
  }
  w.end(mark);
}

function writeKeyValue(w: ProtobufWriter, field: number, attribute: KeyValue): void {
  const mark = w.begin(field);
  w.string(KEY_VALUE_KEY, attribute.key);
  writeAnyValue(w, KEY_VALUE_VALUE, attribute.value);
  w.end(mark);
}

/**
 * The ExportLogsServiceRequest of one group (one resource) in protobuf: the encoded log records
 * are already messages, so they are appended, not encoded again.
 */
export function exportRequestProtobuf(
  batch: ReadonlyArray<EncodedRecord<OtlpLogRecordProtobuf>>,
): Uint8Array {
  const w = new ProtobufWriter(batch.reduce((sum, item) => sum + item.payload.length + 4, 256));
  const resourceLogs = w.begin(1);
  const resource = w.begin(1);
  const first = batch[0];
  for (const attribute of first === undefined ? [] : resourceAttributes(first.record))
    writeKeyValue(w, 1, attribute);
  w.end(resource);
  const scopeLogs = w.begin(2);
  const scope = w.begin(1);
  w.string(1, OTLP_SCOPE.name);
  w.string(2, OTLP_SCOPE.version);
  w.end(scope);
  for (const item of batch) w.bytes(2, item.payload);
  w.end(scopeLogs);
  w.end(resourceLogs);
  return w.copy();
}
