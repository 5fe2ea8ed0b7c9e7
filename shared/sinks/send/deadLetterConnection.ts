/**
 * Where dead letters go: app settings `DEADLETTER__blobServiceUri` (managed identity, with
 * optional `__clientId`) or `DEADLETTER__connectionString` (Azurite), and
 * `DEADLETTER__containerName` (default `trace-deadletter`).
 */
import type { TokenCredential } from '@azure/core-auth';
import { resolveBlobContainer } from './blobContainerConnection';
import { BlobDeadLetterStore, DEAD_LETTER_CONTAINER } from './blobDeadLetterStore';

/** Connection name of the dead-letter store. */
export const DEAD_LETTER_CONNECTION = 'DEADLETTER';

/** Builds the dead-letter store from app settings; throws `CONNECTION_INVALID` naming the setting. */
export function resolveDeadLetterStore(
  env: Readonly<Record<string, string | undefined>>,
  credential?: TokenCredential,
): BlobDeadLetterStore {
  return new BlobDeadLetterStore(
    resolveBlobContainer(env, {
      prefix: DEAD_LETTER_CONNECTION,
      defaultContainer: DEAD_LETTER_CONTAINER,
      what: 'dead-letter store',
      missingHint: 'or set connectionString',
      ...(credential !== undefined ? { credential } : {}),
    }),
  );
}
