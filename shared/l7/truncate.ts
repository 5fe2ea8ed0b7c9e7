/** Appended to a field value cut to its length limit, so readers know it is incomplete. */
export const TRUNCATION_MARKER = '...[truncated]';

/** Length limits, in characters, of free-text layer-7 fields (marker included). */
export const FIELD_LIMITS = {
  /** `HttpPath`: the request-target after redaction. */
  path: 2048,
  /** `HttpUserAgent`. */
  userAgent: 512,
  /** `HttpHost`, `HttpContentType`, `TlsServerName`, DNS names. */
  short: 256,
  /** One DNS answer value (TXT, SVCB, unknown types in hex). */
  answer: 512,
  /** `GrpcMessage` after percent-decoding. */
  grpcMessage: 512,
} as const;

/**
 * `value` unchanged when it fits in `limit` characters, otherwise cut so that the value plus
 * {@link TRUNCATION_MARKER} is exactly `limit` characters.
 */
export function truncateField(value: string, limit: number): string {
  if (value.length <= limit) return value;
  return value.slice(0, Math.max(0, limit - TRUNCATION_MARKER.length)) + TRUNCATION_MARKER;
}
