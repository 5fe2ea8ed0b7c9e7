import { FIELD_LIMITS, truncateField } from './truncate';

/** Whether a content type is gRPC's (`application/grpc`, `application/grpc+proto`, `application/grpc-web`...). */
export function isGrpcContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.toLowerCase().startsWith('application/grpc');
}

/**
 * Service and method of a gRPC path `/package.Service/Method` (gRPC over HTTP/2, "Path"), or
 * undefined when the path does not have that shape.
 */
export function grpcPath(path: string): { service: string; method: string } | undefined {
  if (path.charCodeAt(0) !== 0x2f) return undefined;
  const slash = path.indexOf('/', 1);
  if (slash <= 1 || slash === path.length - 1 || path.indexOf('/', slash + 1) >= 0) return undefined;
  const query = path.indexOf('?');
  if (query >= 0) return undefined;
  return {
    service: truncateField(path.slice(1, slash), FIELD_LIMITS.short),
    method: truncateField(path.slice(slash + 1), FIELD_LIMITS.short),
  };
}

/** A `grpc-status` value as a number 0–2^31, or undefined when it is not a decimal integer. */
export function grpcStatusCode(value: string): number | undefined {
  if (!/^\d{1,10}$/.test(value)) return undefined;
  const code = Number(value);
  return code <= 0x7fffffff ? code : undefined;
}

/**
 * A `grpc-message` value decoded: it is percent-encoded UTF-8 (gRPC over HTTP/2, "Status-Message").
 * Malformed escapes are kept as sent, as the spec asks of receivers. Bounded to `FIELD_LIMITS.grpcMessage`.
 */
export function grpcMessageText(value: string): string {
  if (!value.includes('%')) return truncateField(value, FIELD_LIMITS.grpcMessage);
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (
      code === 0x25 &&
      i + 2 < value.length &&
      isHex(value.charCodeAt(i + 1)) &&
      isHex(value.charCodeAt(i + 2))
    ) {
      bytes.push(parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(code & 0xff);
    }
  }
  return truncateField(Buffer.from(bytes).toString('utf8'), FIELD_LIMITS.grpcMessage);
}

function isHex(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
}
