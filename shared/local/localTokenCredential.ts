/**
 * A token credential for local runs and tests, paired with the local Logs Ingestion server: it
 * issues opaque bearer tokens with a recognisable prefix, so the server can tell "a token from a
 * credential" from a missing or malformed one. Never use it against Azure.
 */
import { randomBytes } from 'node:crypto';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';

/** Prefix of every token this credential issues. */
export const LOCAL_TOKEN_PREFIX = 'retina-local.';

/** Issues a fresh token per call, valid one hour; records the scopes asked for. */
export class LocalTokenCredential implements TokenCredential {
  /** Scopes requested so far (tests assert the audience, e.g. `https://monitor.azure.com//.default`). */
  readonly requestedScopes: string[] = [];

  async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    this.requestedScopes.push(...(Array.isArray(scopes) ? scopes : [scopes]));
    return {
      token: LOCAL_TOKEN_PREFIX + randomBytes(16).toString('hex'),
      expiresOnTimestamp: Date.now() + 3_600_000,
    };
  }
}

/** True when `authorization` is `Bearer <token>` with a token issued by {@link LocalTokenCredential}. */
export function isLocalBearer(authorization: string | undefined): boolean {
  if (authorization === undefined) return false;
  const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/.exec(authorization.trim());
  return (
    match !== null &&
    (match[1] ?? '').startsWith(LOCAL_TOKEN_PREFIX) &&
    (match[1] ?? '').length > LOCAL_TOKEN_PREFIX.length
  );
}
