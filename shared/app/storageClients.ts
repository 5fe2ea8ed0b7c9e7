/**
 * Azure Storage clients for the app's own stores, from a {@link StorageLocation}: a connection
 * string (Azurite, local) or a service URI with a token credential (managed identity in Azure).
 */
import { TableClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import type { TokenCredential } from '@azure/core-auth';
import type { StorageLocation } from '../settings/appSettings';

const LOCAL_ENDPOINT = /UseDevelopmentStorage=true|Endpoint=http:\/\/(127\.0\.0\.1|localhost)[:/]/i;

/** A table client for `location`/`tableName`. */
export function tableClientFor(location: StorageLocation, tableName: string, credential: () => TokenCredential): TableClient {
  if (location.connectionString !== undefined) {
    return TableClient.fromConnectionString(location.connectionString, tableName, {
      allowInsecureConnection: LOCAL_ENDPOINT.test(location.connectionString),
    });
  }
  return new TableClient(location.serviceUri ?? '', tableName, credential());
}

/** A blob service client for `location`. */
export function blobServiceClientFor(location: StorageLocation, credential: () => TokenCredential): BlobServiceClient {
  if (location.connectionString !== undefined) return BlobServiceClient.fromConnectionString(location.connectionString);
  return new BlobServiceClient(location.serviceUri ?? '', credential());
}
