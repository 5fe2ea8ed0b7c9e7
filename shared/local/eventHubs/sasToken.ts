import { createHmac, timingSafeEqual } from 'node:crypto';

/** The fields of `SharedAccessSignature sr=<resource>&sig=<signature>&se=<expiry>&skn=<key name>`. */
export interface SasToken {
  /** The resource URI exactly as it appears in the token (URL-encoded); it is what was signed. */
  encodedResource: string;
  /** The decoded resource URI, e.g. `sb://localhost:5672/retina-traces`. */
  resource: string;
  /** Base64 HMAC-SHA256 signature, decoded from the token. */
  signature: string;
  /** Expiry in seconds since the epoch. */
  expiresOnSeconds: number;
  /** Name of the key that signed it. */
  keyName: string;
}

/** The outcome of checking a token: what it grants, or why it is refused. */
export type SasCheck = { ok: true; resource: string } | { ok: false; reason: string };

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** Parses a SAS token; `undefined` when it is not one. */
export function parseSasToken(token: string): SasToken | undefined {
  const prefix = 'SharedAccessSignature ';
  if (!token.startsWith(prefix)) return undefined;
  const fields = new Map<string, string>();
  for (const pair of token.slice(prefix.length).split('&')) {
    const equals = pair.indexOf('=');
    if (equals > 0) fields.set(pair.slice(0, equals), pair.slice(equals + 1));
  }
  const encodedResource = fields.get('sr');
  const signature = decode(fields.get('sig') ?? '');
  const expiry = fields.get('se') ?? '';
  const keyName = decode(fields.get('skn') ?? '');
  const resource = decode(encodedResource ?? '');
  if (!encodedResource || !signature || !keyName || !resource || !/^\d+$/.test(expiry)) return undefined;
  return { encodedResource, resource, signature, expiresOnSeconds: Number(expiry), keyName };
}

/** Normalises a resource or audience URI for comparison: no scheme, lower case, no trailing slash. */
export function normaliseResource(uri: string): string {
  return uri
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .replace(/\/+$/, '')
    .toLowerCase();
}

/**
 * Checks a SAS token as Event Hubs does: signed with `key` (HMAC-SHA256 over
 * `<encoded resource>\n<expiry>`, the key used as UTF-8 text), by `keyName`, not expired at `nowMs`.
 */
export function checkSasToken(token: string, keyName: string, key: string, nowMs: number): SasCheck {
  const parsed = parseSasToken(token);
  if (!parsed) return { ok: false, reason: 'not a SharedAccessSignature token' };
  if (parsed.keyName !== keyName) return { ok: false, reason: `unknown key name "${parsed.keyName}"` };
  if (parsed.expiresOnSeconds * 1000 <= nowMs) return { ok: false, reason: 'token expired' };
  const expected = createHmac('sha256', key)
    .update(`${parsed.encodedResource}\n${parsed.expiresOnSeconds}`)
    .digest();
  const actual = Buffer.from(parsed.signature, 'base64');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    return { ok: false, reason: 'signature does not match the configured key' };
  }
  return { ok: true, resource: parsed.resource };
}
