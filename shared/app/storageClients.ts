/**
 * Azure Storage clients for the app's own stores, from a {@link StorageLocation}: a connection
 * string (Azurite, local) or a service URI with a token credential (managed identity in Azure).
 */
import { RestError, TableClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import type { TokenCredential } from '@azure/core-auth';
import type { StorageLocation } from '../settings/appSettings';

const LOCAL_ENDPOINT = /UseDevelopmentStorage=true|Endpoint=http:\/\/(127\.0\.0\.1|localhost)[:/]/i;

/** A table client for `location`/`tableName`. */
export function tableClientFor(
  location: StorageLocation,
  tableName: string,
  credential: () => TokenCredential,
): TableClient {
  if (location.connectionString !== undefined) {
    return TableClient.fromConnectionString(location.connectionString, tableName, {
      allowInsecureConnection: LOCAL_ENDPOINT.test(location.connectionString),
    });
  }
  return new TableClient(location.serviceUri ?? '', tableName, credential());
}

/** A blob service client for `location`. */
export function blobServiceClientFor(
  location: StorageLocation,
  credential: () => TokenCredential,
): BlobServiceClient {
  if (location.connectionString !== undefined)
    return BlobServiceClient.fromConnectionString(location.connectionString);
  return new BlobServiceClient(location.serviceUri ?? '', credential());
}

/**
 * Reachability check of a table for health endpoints: reads at most one entity. A table that does
 * not exist yet counts as reachable (its store creates it on first write).
 */
export async function pingTable(
  client: TableClient,
  options: { abortSignal?: AbortSignal } = {},
): Promise<void> {
  try {
    await client
      .listEntities({ queryOptions: { select: ['PartitionKey'] }, abortSignal: options.abortSignal })
      .byPage({ maxPageSize: 1 })
      .next();
  } catch (caught) {
    if (caught instanceof RestError && caught.statusCode === 404) return;
    throw caught;
  }
}
