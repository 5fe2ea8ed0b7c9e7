/**
 * Where and how the Table sink talks to the Table service, resolved once from a connection: the
 * account's table endpoint, the table, and the authorization every request carries. The forms are
 * those @azure/data-tables accepts (its `getClientParamsFromConnectionString` and `TableClient`):
 *
 * - an account connection string (`DefaultEndpointsProtocol`, `AccountName`, `AccountKey`,
 *   optional `TableEndpoint` / `EndpointSuffix`): Shared Key Lite signatures;
 * - `UseDevelopmentStorage=true`: Azurite's well-known account on 127.0.0.1:10002;
 * - a SAS connection string (`TableEndpoint` + `SharedAccessSignature`): the token goes in the query;
 * - `tableServiceUri` with a token credential (managed identity in Azure): bearer tokens for
 *   `https://storage.azure.com/.default` (Cosmos DB Table endpoints: `https://cosmos.azure.com/.default`).
 *
 * Pure apart from decoding the key; throws `CONNECTION_INVALID` naming the connection and the problem.
 */
import type { TokenCredential } from '@azure/core-auth';
import { TraceError } from '../../errors';
import type { AzureTableConnection } from '../connection';

/** Token scope of Azure Storage. */
export const STORAGE_SCOPE = 'https://storage.azure.com/.default';
/** Token scope of Azure Cosmos DB (Table API). */
export const COSMOS_SCOPE = 'https://cosmos.azure.com/.default';

const DEVELOPMENT_ACCOUNT = 'devstoreaccount1';
const DEVELOPMENT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** How requests are authorized. */
export type TableAuth =
  | { kind: 'sharedKey'; accountName: string; key: Buffer }
  | { kind: 'sas'; query: string }
  | { kind: 'token'; credential: TokenCredential; scope: string };

/** A resolved Table endpoint. */
export interface TableEndpoint {
  /** Account endpoint without query or trailing slash, e.g. `http://127.0.0.1:10002/devstoreaccount1`. */
  baseUrl: string;
  /** Path of {@link baseUrl} (`''` for `https://acct.table.core.windows.net`), for signatures. */
  basePath: string;
  tableName: string;
  auth: TableAuth;
  /** Cosmos DB Table API: sub-requests use `POST` + `X-HTTP-Method: MERGE` instead of `PATCH`. */
  cosmos: boolean;
}

/** Parses `k=v;k2=v2` (keys case-insensitive, values may contain `=`). */
function connectionStringParts(text: string): Map<string, string> {
  const parts = new Map<string, string>();
  for (const element of text.split(';')) {
    const eq = element.indexOf('=');
    if (eq <= 0) continue;
    parts.set(element.slice(0, eq).trim().toLowerCase(), element.slice(eq + 1).trim());
  }
  return parts;
}

function isCosmosHost(hostname: string): boolean {
  return hostname.includes('.table.cosmosdb.') || hostname.includes('.table.cosmos.');
}

function parseUrl(name: string, what: string, text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TraceError(
      'CONNECTION_INVALID',
      `azuretable connection '${name}': ${what} '${text}' is not a URL`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new TraceError(
      'CONNECTION_INVALID',
      `azuretable connection '${name}': ${what} must be http(s), not '${text}'`,
    );
  return url;
}

function endpointOf(url: URL, tableName: string, auth: TableAuth): TableEndpoint {
  const basePath = url.pathname.replace(/\/+$/, '');
  return {
    baseUrl: `${url.protocol}//${url.host}${basePath}`,
    basePath,
    tableName,
    auth,
    cosmos: isCosmosHost(url.hostname),
  };
}

/** Account name of a SAS endpoint: the first host label, or Azurite's path segment. */
function accountFromUrl(url: URL): string {
  const labels = url.hostname.split('.');
  if (labels.length > 1 && labels[1] === 'table') return labels[0] ?? '';
  return url.pathname.split('/')[1] ?? '';
}

/**
 * Resolves a connection to its endpoint. `credential` is required for `tableServiceUri`
 * connections (a connection string wins over the URI, as in app settings).
 */
export function resolveTableEndpoint(
  connection: AzureTableConnection,
  credential?: TokenCredential,
): TableEndpoint {
  const name = connection.name;
  const fail = (message: string): never => {
    throw new TraceError('CONNECTION_INVALID', `azuretable connection '${name}': ${message}`);
  };
  if (connection.connectionString !== undefined) {
    let parts = connectionStringParts(connection.connectionString);
    if (parts.get('usedevelopmentstorage')?.toLowerCase() === 'true') {
      parts = connectionStringParts(
        `DefaultEndpointsProtocol=http;AccountName=${DEVELOPMENT_ACCOUNT};AccountKey=${DEVELOPMENT_KEY};` +
          `TableEndpoint=http://127.0.0.1:10002/${DEVELOPMENT_ACCOUNT}`,
      );
    }
    const accountKey = parts.get('accountkey');
    const sas = parts.get('sharedaccesssignature');
    let tableEndpoint = parts.get('tableendpoint');
    if (accountKey !== undefined && accountKey !== '') {
      const accountName = parts.get('accountname') ?? '';
      if (accountName === '') fail('the connection string has an AccountKey but no AccountName');
      if (tableEndpoint === undefined || tableEndpoint === '') {
        const protocol = (parts.get('defaultendpointsprotocol') ?? 'https').toLowerCase();
        const suffix = parts.get('endpointsuffix') ?? 'core.windows.net';
        if (protocol !== 'https' && protocol !== 'http')
          fail(`DefaultEndpointsProtocol must be https or http, not '${protocol}'`);
        tableEndpoint = `${protocol}://${accountName}.table.${suffix}`;
      }
      const key = Buffer.from(accountKey, 'base64');
      if (key.length === 0) fail('AccountKey is not base64');
      const url = parseUrl(name, 'TableEndpoint', tableEndpoint);
      return endpointOf(url, connection.tableName, { kind: 'sharedKey', accountName, key });
    }
    if (sas !== undefined && sas !== '') {
      if (tableEndpoint === undefined || tableEndpoint === '')
        fail('a SharedAccessSignature connection string needs a TableEndpoint');
      const url = parseUrl(name, 'TableEndpoint', tableEndpoint!);
      if (accountFromUrl(url) === '') fail(`cannot tell the account from TableEndpoint '${tableEndpoint}'`);
      return endpointOf(url, connection.tableName, { kind: 'sas', query: sas.replace(/^\?/, '') });
    }
    return fail(
      'the connection string has neither AccountName/AccountKey nor TableEndpoint/SharedAccessSignature (nor UseDevelopmentStorage=true)',
    );
  }
  if (connection.tableServiceUri === undefined) return fail('set tableServiceUri or connectionString');
  if (credential === undefined) return fail(`a token credential is needed for ${connection.tableServiceUri}`);
  const url = parseUrl(name, 'tableServiceUri', connection.tableServiceUri);
  if (url.search !== '') {
    // A SAS in the URI authorizes by itself; the SDK would append it to every request as well.
    return endpointOf(url, connection.tableName, { kind: 'sas', query: url.search.slice(1) });
  }
  if (url.protocol !== 'https:')
    fail(`tableServiceUri must be https: bearer tokens are never sent in clear text`);
  const scope = isCosmosHost(url.hostname) ? COSMOS_SCOPE : STORAGE_SCOPE;
  return endpointOf(url, connection.tableName, { kind: 'token', credential, scope });
}
