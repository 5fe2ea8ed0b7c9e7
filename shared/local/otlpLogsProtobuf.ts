/**
 * An OTLP `ExportLogsServiceRequest` in protobuf, turned into its OTLP/JSON form (the same object
 * `JSON.parse` gives for the JSON encoding: 64-bit integers as decimal strings, bytes as base64),
 * so the local receiver treats both encodings alike. Unknown fields are skipped, as protobuf
 * readers do; the repeated fields the receiver walks (resource logs, scope logs, log records) are
 * always arrays. Malformed input throws a RangeError naming the byte offset.
 */
import { ProtobufReader, type ProtobufField } from '../sinks/openTelemetry/protobufReader';

type Json = Record<string, unknown>;

function text(field: ProtobufField): string {
  if (field.wireType !== 2) throw new RangeError(`protobuf: field ${field.field} should be a string`);
  return Buffer.from(field.value.buffer, field.value.byteOffset, field.value.length).toString('utf8');
}

function nested(field: ProtobufField): Uint8Array {
  if (field.wireType !== 2) throw new RangeError(`protobuf: field ${field.field} should be a message`);
  return field.value;
}

function varint(field: ProtobufField): bigint {
  if (field.wireType !== 0) throw new RangeError(`protobuf: field ${field.field} should be a varint`);
  return field.value;
}

function fixed64(field: ProtobufField): bigint {
  if (field.wireType !== 1) throw new RangeError(`protobuf: field ${field.field} should be fixed64`);
  return Buffer.from(field.value).readBigUInt64LE(0);
}

function messageOf(bytes: Uint8Array, read: (field: ProtobufField, out: Json) => void, out: Json = {}): Json {
  const reader = new ProtobufReader(bytes);
  for (let field = reader.next(); field !== undefined; field = reader.next()) read(field, out);
  return out;
}

function push(out: Json, key: string, value: unknown): void {
  ((out[key] ??= []) as unknown[]).push(value);
}

/** `AnyValue` in its JSON form. */
function anyValue(bytes: Uint8Array): Json {
  return messageOf(bytes, (field, out) => {
    switch (field.field) {
      case 1:
        out.stringValue = text(field);
        break;
      case 2:
        out.boolValue = varint(field) !== 0n;
        break;
      case 3:
        out.intValue = BigInt.asIntN(64, varint(field)).toString();
        break;
      case 4:
        out.doubleValue = Buffer.from(fixed64Bytes(field)).readDoubleLE(0);
        break;
      case 5:
        out.arrayValue = messageOf(
          nested(field),
          (item, array) => {
            if (item.field === 1) push(array, 'values', anyValue(nested(item)));
          },
          { values: [] },
        );
        break;
      case 6:
        out.kvlistValue = keyValueList(nested(field));
        break;
      case 7:
        out.bytesValue = Buffer.from(nested(field)).toString('base64');
        break;
    }
  });
}

function fixed64Bytes(field: ProtobufField): Uint8Array {
  if (field.wireType !== 1) throw new RangeError(`protobuf: field ${field.field} should be a double`);
  return field.value;
}

function keyValue(bytes: Uint8Array): Json {
  return messageOf(bytes, (field, out) => {
    if (field.field === 1) out.key = text(field);
    else if (field.field === 2) out.value = anyValue(nested(field));
  });
}

function keyValueList(bytes: Uint8Array): Json {
  return messageOf(
    bytes,
    (field, out) => {
      if (field.field === 1) push(out, 'values', keyValue(nested(field)));
    },
    { values: [] },
  );
}

function logRecord(bytes: Uint8Array): Json {
  return messageOf(bytes, (field, out) => {
    switch (field.field) {
      case 1:
        out.timeUnixNano = fixed64(field).toString();
        break;
      case 11:
        out.observedTimeUnixNano = fixed64(field).toString();
        break;
      case 2:
        out.severityNumber = Number(varint(field));
        break;
      case 3:
        out.severityText = text(field);
        break;
      case 5:
        out.body = anyValue(nested(field));
        break;
      case 6:
        push(out, 'attributes', keyValue(nested(field)));
        break;
    }
  });
}

function scopeLogs(bytes: Uint8Array): Json {
  return messageOf(
    bytes,
    (field, out) => {
      if (field.field === 1)
        out.scope = messageOf(nested(field), (scopeField, scope) => {
          if (scopeField.field === 1) scope.name = text(scopeField);
          else if (scopeField.field === 2) scope.version = text(scopeField);
        });
      else if (field.field === 2) push(out, 'logRecords', logRecord(nested(field)));
    },
    { logRecords: [] },
  );
}

function resourceLogs(bytes: Uint8Array): Json {
  return messageOf(
    bytes,
    (field, out) => {
      if (field.field === 1)
        out.resource = messageOf(nested(field), (resourceField, resource) => {
          if (resourceField.field === 1) push(resource, 'attributes', keyValue(nested(resourceField)));
        });
      else if (field.field === 2) push(out, 'scopeLogs', scopeLogs(nested(field)));
    },
    { scopeLogs: [] },
  );
}

/** The OTLP/JSON form of an `ExportLogsServiceRequest` given in protobuf. */
export function exportLogsRequestFromProtobuf(bytes: Uint8Array): Json {
  return messageOf(
    bytes,
    (field, out) => {
      if (field.field === 1) push(out, 'resourceLogs', resourceLogs(nested(field)));
    },
    { resourceLogs: [] },
  );
}
