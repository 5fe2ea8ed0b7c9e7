/**
 * What an OTLP/HTTP logs endpoint answered: the number of log records it rejected
 * (`ExportLogsServiceResponse.partial_success.rejected_log_records`) and, for a failure, its
 * message (`google.rpc.Status.message`). The answer comes in the encoding of the request: JSON, or
 * protobuf when the `Content-Type` says so. Unreadable answers count as nothing rejected.
 */
import { ProtobufReader } from './protobufReader';

/** True when `contentType` is OTLP's binary protobuf. */
export function isProtobufContentType(contentType: string | null | undefined): boolean {
  return (contentType ?? '').toLowerCase().startsWith('application/x-protobuf');
}

/** `partialSuccess.rejectedLogRecords` of an ExportLogsServiceResponse in JSON (0 when absent or unparsable). */
export function rejectedCount(responseText: string): number {
  try {
    const parsed = JSON.parse(responseText) as { partialSuccess?: { rejectedLogRecords?: unknown } };
    return Number(parsed.partialSuccess?.rejectedLogRecords ?? 0) || 0;
  } catch {
    return 0;
  }
}

/** `partial_success.rejected_log_records` of an ExportLogsServiceResponse in protobuf (0 when absent or unparsable). */
export function rejectedCountProtobuf(body: Uint8Array): number {
  try {
    for (const field of fields(body)) {
      if (field.field !== 1 || field.wireType !== 2) continue;
      for (const inner of fields(field.value))
        if (inner.field === 1 && inner.wireType === 0) return Number(BigInt.asIntN(64, inner.value));
    }
  } catch {
    // A malformed answer rejects nothing we can count.
  }
  return 0;
}

/** The readable message of a failure answer: `google.rpc.Status.message` in protobuf, else the text. */
export function responseMessage(body: Uint8Array, contentType: string | null | undefined): string {
  if (isProtobufContentType(contentType)) {
    try {
      for (const field of fields(body))
        if (field.field === 2 && field.wireType === 2) return Buffer.from(field.value).toString('utf8');
    } catch {
      // Not a Status after all: show the bytes as text below.
    }
  }
  return Buffer.from(body).toString('utf8');
}

function* fields(body: Uint8Array) {
  const reader = new ProtobufReader(body);
  for (let field = reader.next(); field !== undefined; field = reader.next()) yield field;
}
