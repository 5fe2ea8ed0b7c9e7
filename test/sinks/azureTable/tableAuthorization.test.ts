import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { TableAuthorizer } from '../../../shared/sinks/azureTable/tableAuthorization';
import { STORAGE_SCOPE } from '../../../shared/sinks/azureTable/tableEndpoint';

/** A credential that counts calls and hands out tokens expiring `lifetimeMs` after `now()`. */
function fakeCredential(now: () => number, lifetimeMs = 3_600_000) {
  const calls: Array<string | string[]> = [];
  let fail = false;
  const credential: TokenCredential = {
    async getToken(scopes): Promise<AccessToken | null> {
      calls.push(scopes);
      await new Promise((resolve) => setImmediate(resolve));
      if (fail) throw new Error('ManagedIdentityCredential: no identity endpoint');
      return { token: `token-${calls.length}`, expiresOnTimestamp: now() + lifetimeMs };
    },
  };
  return { credential, calls, failNext: (value: boolean) => (fail = value) };
}

describe('TableAuthorizer', () => {
  it('signs Shared Key Lite with x-ms-date over the account and path', async () => {
    const authorizer = new TableAuthorizer(
      { kind: 'sharedKey', accountName: 'acct', key: Buffer.from('secret') },
      () => Date.UTC(2026, 10, 25, 9, 10, 0),
    );
    const headers: Record<string, string> = {};
    await authorizer.authorize(headers, '/$batch');
    expect(headers['x-ms-date']).toBe('Wed, 25 Nov 2026 09:10:00 GMT');
    // The exact signature is checked against the SDK's in transactionBody.test.ts.
    expect(headers.authorization).toMatch(/^SharedKeyLite acct:[A-Za-z0-9+/]{43}=$/);
    const other: Record<string, string> = {};
    await authorizer.authorize(other, '/Tables');
    expect(other.authorization).not.toBe(headers.authorization);
    expect(authorizer.query).toBe('');
  });

  it('puts a SAS in the query and no Authorization header', async () => {
    const authorizer = new TableAuthorizer({ kind: 'sas', query: 'sv=1&sig=x' });
    const headers: Record<string, string> = {};
    await authorizer.authorize(headers, '/$batch');
    expect(headers.authorization).toBeUndefined();
    expect(authorizer.query).toBe('sv=1&sig=x');
  });

  it('sends Bearer tokens, fetched once for concurrent requests and reused until near expiry', async () => {
    let now = 1_000_000;
    const fake = fakeCredential(() => now);
    const authorizer = new TableAuthorizer(
      { kind: 'token', credential: fake.credential, scope: STORAGE_SCOPE },
      () => now,
    );
    const headers: Array<Record<string, string>> = Array.from({ length: 5 }, () => ({}));
    await Promise.all(headers.map((h) => authorizer.authorize(h, '/$batch')));
    expect(fake.calls).toEqual([STORAGE_SCOPE]);
    expect(headers.map((h) => h.authorization)).toEqual(Array(5).fill('Bearer token-1'));

    now += 50 * 60_000; // 10 minutes left: still fresh
    const later: Record<string, string> = {};
    await authorizer.authorize(later, '/$batch');
    expect(later.authorization).toBe('Bearer token-1');
    expect(fake.calls).toHaveLength(1);

    now += 6 * 60_000; // 4 minutes left: refreshed in the background, the valid token still serves
    const refreshing: Record<string, string> = {};
    await authorizer.authorize(refreshing, '/$batch');
    expect(refreshing.authorization).toBe('Bearer token-1');
    await new Promise((resolve) => setImmediate(resolve));
    const refreshed: Record<string, string> = {};
    await authorizer.authorize(refreshed, '/$batch');
    expect(refreshed.authorization).toBe('Bearer token-2');
    expect(fake.calls).toHaveLength(2);
  });

  it('waits for a new token once the old one has expired, and reports a failing credential', async () => {
    let now = 0;
    const fake = fakeCredential(() => now, 60_000);
    const authorizer = new TableAuthorizer(
      { kind: 'token', credential: fake.credential, scope: STORAGE_SCOPE },
      () => now,
    );
    fake.failNext(true);
    await expect(authorizer.authorize({}, '/$batch')).rejects.toThrow(/no identity endpoint/);
    fake.failNext(false);
    const headers: Record<string, string> = {};
    await authorizer.authorize(headers, '/$batch');
    expect(headers.authorization).toBe('Bearer token-2');
    now += 120_000;
    await authorizer.authorize(headers, '/$batch');
    expect(headers.authorization).toBe('Bearer token-3');
  });

  it('rejects a credential that returns no token', async () => {
    const authorizer = new TableAuthorizer({
      kind: 'token',
      credential: { getToken: async () => null },
      scope: STORAGE_SCOPE,
    });
    await expect(authorizer.authorize({}, '/$batch')).rejects.toThrow(
      /returned no token for https:\/\/storage/,
    );
  });
});
