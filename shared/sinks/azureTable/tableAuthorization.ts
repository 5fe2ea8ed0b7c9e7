/**
 * The `Authorization` (and `x-ms-date`) of one Table request, for each {@link TableAuth} form:
 *
 * - Shared Key Lite (learn: "Authorize with Shared Key", Table service format): the string to sign is
 *   `x-ms-date + "\n" + "/" + account + path` (plus `?comp=` when present), HMAC-SHA256 with the
 *   decoded account key — what @azure/data-tables sends for account connection strings.
 * - SAS: no header; the token is in the query of the request URL.
 * - Token credential: `Bearer <token>`, fetched once and reused until 5 minutes before it expires
 *   (or its `refreshAfterTimestamp`), one fetch at a time however many pushes ask together.
 */
import { createHmac } from 'node:crypto';
import type { AccessToken } from '@azure/core-auth';
import type { TableAuth } from './tableEndpoint';

/** Refresh a token this long before it expires. */
const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;

/** `SharedKeyLite <account>:<signature>` for a request to `path` (URL path, no query) at `date`. */
export function sharedKeyLiteAuthorization(
  accountName: string,
  key: Buffer,
  path: string,
  date: string,
): string {
  const signature = createHmac('sha256', key)
    .update(`${date}\n/${accountName}${path}`, 'utf8')
    .digest('base64');
  return `SharedKeyLite ${accountName}:${signature}`;
}

/** Produces the authorization headers of requests for one endpoint. */
export class TableAuthorizer {
  private token: AccessToken | undefined;
  private fetching: Promise<AccessToken> | undefined;

  constructor(
    private readonly auth: TableAuth,
    private readonly now: () => number = Date.now,
  ) {}

  /** Query string (without `?`) every request URL carries; `''` unless SAS. */
  get query(): string {
    return this.auth.kind === 'sas' ? this.auth.query : '';
  }

  /**
   * Adds the authorization headers for a request to `path` (URL path without query) to `headers`.
   * Rejects when the token credential fails (classified like any other push error).
   */
  async authorize(headers: Record<string, string>, path: string, abortSignal?: AbortSignal): Promise<void> {
    const auth = this.auth;
    switch (auth.kind) {
      case 'sharedKey': {
        const date = new Date(this.now()).toUTCString();
        headers['x-ms-date'] = date;
        headers.authorization = sharedKeyLiteAuthorization(auth.accountName, auth.key, path, date);
        return;
      }
      case 'sas':
        headers['x-ms-date'] = new Date(this.now()).toUTCString();
        return;
      case 'token': {
        headers['x-ms-date'] = new Date(this.now()).toUTCString();
        const token = await this.bearer(abortSignal);
        headers.authorization = `Bearer ${token.token}`;
        return;
      }
    }
  }

  private fresh(token: AccessToken | undefined): boolean {
    if (token === undefined) return false;
    const now = this.now();
    if (token.refreshAfterTimestamp !== undefined && now >= token.refreshAfterTimestamp) return false;
    return now < token.expiresOnTimestamp - TOKEN_REFRESH_MARGIN_MS;
  }

  private async bearer(abortSignal?: AbortSignal): Promise<AccessToken> {
    const cached = this.token;
    if (cached !== undefined && this.fresh(cached)) return cached;
    const auth = this.auth;
    if (auth.kind !== 'token') throw new Error('not a token connection');
    this.fetching ??= (async () => {
      try {
        const token = await auth.credential.getToken(
          auth.scope,
          abortSignal === undefined ? {} : { abortSignal },
        );
        if (token === null) throw new Error(`the credential returned no token for ${auth.scope}`);
        this.token = token;
        return token;
      } finally {
        this.fetching = undefined;
      }
    })();
    const pending = this.fetching;
    // A token that has not yet expired still works while the refresh is under way.
    if (this.token !== undefined && this.now() < this.token.expiresOnTimestamp) {
      pending.catch(() => undefined);
      return this.token;
    }
    return pending;
  }
}
