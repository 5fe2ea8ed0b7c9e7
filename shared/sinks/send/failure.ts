/**
 * Failure classification, done once for every destination (STYLE.md): a failure is permanent
 * (retrying cannot help: dead-letter now) or retryable (after `retryAfterMs` when the service said
 * so). Partial failures are a push result carrying only the failed records plus one of these.
 */
import { errorMessage } from '../../errors';
import { parseRetryAfter } from './retryAfter';

/** Why a send did not succeed, and whether trying again may help. */
export type SendFailure =
  | { kind: 'permanent'; code: string; reason: string }
  | { kind: 'retryable'; code: string; reason: string; retryAfterMs?: number };

/** Statuses a later attempt may get past: timeout, throttling, server errors. */
const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/** Network error codes (Node/undici) that mean "not reached" rather than "rejected". */
const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'REQUEST_SEND_ERROR',
]);

/** An HTTP answer that was not success, from a sink that talks HTTP itself (OTLP). */
export class HttpStatusError extends Error {
  override readonly name = 'HttpStatusError';
  /** Stable code: `HTTP_<status>`. */
  readonly code: string;
  constructor(
    readonly statusCode: number,
    message: string,
    /** Response headers, lower-case names. */
    readonly headers: Readonly<Record<string, string | undefined>> = {},
  ) {
    super(message);
    this.code = `HTTP_${statusCode}`;
  }
}

/** Builds the failure for an HTTP status, honouring Retry-After headers. */
export function classifyStatus(
  statusCode: number,
  reason: string,
  header: (name: string) => string | undefined,
  nowMs: number = Date.now(),
): SendFailure {
  const code = `HTTP_${statusCode}`;
  if (!RETRYABLE_STATUS.has(statusCode)) return { kind: 'permanent', code, reason };
  const retryAfterMs =
    parseRetryAfter(header('retry-after-ms'), nowMs, 1) ??
    parseRetryAfter(header('x-ms-retry-after-ms'), nowMs, 1) ??
    parseRetryAfter(header('retry-after'), nowMs, 1000);
  return retryAfterMs === undefined
    ? { kind: 'retryable', code, reason }
    : { kind: 'retryable', code, reason, retryAfterMs };
}

/**
 * Classifies anything thrown by a push: Azure `RestError`s (`statusCode`, `response.headers`),
 * our {@link HttpStatusError}, aborts/timeouts and network errors are understood; anything else is
 * permanent, because retrying an unknown bug only delays the dead-letter.
 */
export function classifyError(error: unknown, nowMs: number = Date.now()): SendFailure {
  const reason = errorMessage(error);
  if (error instanceof HttpStatusError) {
    return classifyStatus(error.statusCode, reason, (name) => error.headers[name], nowMs);
  }
  const fields = error as {
    statusCode?: unknown;
    code?: unknown;
    name?: unknown;
    response?: unknown;
    cause?: unknown;
  };
  if (typeof error === 'object' && error !== null) {
    if (typeof fields.statusCode === 'number') {
      const headers = (
        fields.response as { headers?: { get?: (name: string) => string | undefined } } | undefined
      )?.headers;
      const header = (name: string): string | undefined =>
        typeof headers?.get === 'function' ? headers.get(name) : undefined;
      return classifyStatus(fields.statusCode, reason, header, nowMs);
    }
    if (fields.name === 'AbortError' || fields.name === 'TimeoutError') {
      return { kind: 'retryable', code: 'TIMEOUT', reason };
    }
    if (typeof fields.code === 'string' && RETRYABLE_NETWORK_CODES.has(fields.code)) {
      return { kind: 'retryable', code: fields.code, reason };
    }
    if (fields.cause !== undefined && fields.cause !== error) {
      const inner = classifyError(fields.cause, nowMs);
      if (inner.kind === 'retryable') return { ...inner, reason };
    }
  }
  return { kind: 'permanent', code: 'SEND_FAILED', reason };
}
