/**
 * Where dead letters go: app settings `DEADLETTER__blobServiceUri` (managed identity, with
 * optional `__clientId`) or `DEADLETTER__connectionString` (Azurite), and
 * `DEADLETTER__containerName` (default `trace-deadletter`).
 */
import { BlobServiceClient } from '@azure/storage-blob';
import { DefaultAzureCredential } from '@azure/identity';
import type { TokenCredential } from '@azure/core-auth';
import { z } from 'zod';
import { TraceError } from '../../errors';
import { BlobDeadLetterStore, DEAD_LETTER_CONTAINER } from './blobDeadLetterStore';

/** Connection name of the dead-letter store. */
export const DEAD_LETTER_CONNECTION = 'DEADLETTER';

const schema = z
  .object({
    blobServiceUri: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    connectionString: z.string().min(1).optional(),
    containerName: z
      .string()
      .regex(
        /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/,
        'must be a valid container name (3-63 lower-case letters, digits, dashes)',
      )
      .default(DEAD_LETTER_CONTAINER),
    clientId: z.string().min(1).optional(),
  })
  .refine((v) => v.blobServiceUri !== undefined || v.connectionString !== undefined, {
    message: 'required app setting is missing (or set connectionString)',
    path: ['blobServiceUri'],
  });

/** Builds the dead-letter store from app settings; throws `CONNECTION_INVALID` naming the setting. */
export function resolveDeadLetterStore(
  env: Readonly<Record<string, string | undefined>>,
  credential?: TokenCredential,
): BlobDeadLetterStore {
  const raw: Record<string, string> = {};
  for (const property of ['blobServiceUri', 'connectionString', 'containerName', 'clientId']) {
    const value = env[`${DEAD_LETTER_CONNECTION}__${property}`];
    if (value !== undefined && value.trim() !== '') raw[property] = value.trim();
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${DEAD_LETTER_CONNECTION}__${i.path.map(String).join('.')}: ${i.message}`,
    );
    throw new TraceError('CONNECTION_INVALID', `dead-letter store: ${problems.join('; ')}`);
  }
  const settings = parsed.data;
  const options = { retryOptions: { maxTries: 3 } };
  const service =
    settings.connectionString !== undefined
      ? BlobServiceClient.fromConnectionString(settings.connectionString, options)
      : new BlobServiceClient(
          settings.blobServiceUri ?? '',
          credential ??
            new DefaultAzureCredential(
              settings.clientId === undefined ? {} : { managedIdentityClientId: settings.clientId },
            ),
          options,
        );
  return new BlobDeadLetterStore(service.getContainerClient(settings.containerName));
}
