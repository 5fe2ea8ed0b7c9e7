import { FIELD_LIMITS, truncateField } from './truncate';

/** What replaces a redacted value. */
export const REDACTED = 'REDACTED';

/**
 * Query parameter names whose values are always redacted (compared case-insensitively, after
 * percent-decoding the name).
 */
export const DEFAULT_SECRET_QUERY_KEYS: readonly string[] = [
  'sig',
  'signature',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'code',
  'password',
  'pwd',
  'passwd',
  'secret',
  'client_secret',
  'key',
  'apikey',
  'api_key',
  'api-key',
  'auth',
  'session',
  'sessionid',
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
  'x-goog-signature',
  'x-goog-credential',
];

/** Fragments that mark a name as secret wherever they appear in it (e.g. `X-Upload-Token`). */
const SECRET_FRAGMENTS = [
  'token',
  'secret',
  'password',
  'passwd',
  'signature',
  'apikey',
  'api_key',
  'credential',
];

/** Decides whether a query parameter name is secret. Build once, call per request. */
export type SecretKeyTest = (name: string) => boolean;

/** A {@link SecretKeyTest} for `keys` (default {@link DEFAULT_SECRET_QUERY_KEYS}) plus the built-in fragments. */
export function secretKeyTest(keys: readonly string[] = DEFAULT_SECRET_QUERY_KEYS): SecretKeyTest {
  const exact = new Set(keys.map((k) => k.toLowerCase()));
  return (name) => {
    const lower = safeDecode(name).toLowerCase();
    if (exact.has(lower)) return true;
    return SECRET_FRAGMENTS.some((fragment) => lower.includes(fragment));
  };
}

function safeDecode(text: string): string {
  if (!text.includes('%') && !text.includes('+')) return text;
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

const defaultTest = secretKeyTest();

/**
 * The HTTP request-target with the values of secret query parameters replaced by
 * {@link REDACTED}, userinfo of an absolute-form target (`http://user:pass@host/`) replaced by
 * `REDACTED@`, and the result bounded to {@link FIELD_LIMITS.path} characters. Everything else,
 * including parameter order and encoding, is kept as sent.
 */
export function redactRequestTarget(target: string, isSecret: SecretKeyTest = defaultTest): string {
  let result = redactUserinfo(target);
  const question = result.indexOf('?');
  if (question >= 0) {
    const hash = result.indexOf('#', question);
    const queryEnd = hash < 0 ? result.length : hash;
    const query = result.slice(question + 1, queryEnd);
    const redacted = query
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        if (eq < 0) return pair;
        return isSecret(pair.slice(0, eq)) ? `${pair.slice(0, eq)}=${REDACTED}` : pair;
      })
      .join('&');
    result = result.slice(0, question + 1) + redacted + result.slice(queryEnd);
  }
  return truncateField(result, FIELD_LIMITS.path);
}

function redactUserinfo(target: string): string {
  const scheme = target.indexOf('://');
  if (scheme < 0 || target.charCodeAt(0) === 0x2f) return target;
  const authorityStart = scheme + 3;
  let authorityEnd = target.length;
  for (const stop of ['/', '?', '#']) {
    const at = target.indexOf(stop, authorityStart);
    if (at >= 0 && at < authorityEnd) authorityEnd = at;
  }
  const at = target.lastIndexOf('@', authorityEnd - 1);
  if (at < authorityStart) return target;
  return `${target.slice(0, authorityStart)}${REDACTED}${target.slice(at)}`;
}
