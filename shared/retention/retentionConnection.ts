/**
 * Where `tracectl pcap` reads retained packets: `--connection-string` (Azurite), else app settings
 * `RETENTION__connectionString` or `RETENTION__blobServiceUri` (signed-in identity, optional
 * `RETENTION__clientId`), and `RETENTION__containerName` (default `trace-retained`).
 */
import { BlobServiceClient } from '@azure/storage-blob';
import { DefaultAzureCredential } from '@azure/identity';
import type { TokenCredential } from '@azure/core-auth';
import { z } from 'zod';
import { TraceError } from '../errors';
import { RETENTION_CONTAINER, RetentionStore } from './retentionStore';

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
      .default(RETENTION_CONTAINER),
    clientId: z.string().min(1).optional(),
  })
  .refine((v) => v.blobServiceUri !== undefined || v.connectionString !== undefined, {
    message: 'required app setting is missing (or pass --connection-string)',
    path: ['blobServiceUri'],
  });

/** Builds the retention store from flags and app settings; throws `CONNECTION_INVALID` naming the setting. */
export function resolveRetentionStore(
  env: Readonly<Record<string, string | undefined>>,
  flags: { connectionString?: string; container?: string } = {},
  credential?: TokenCredential,
): RetentionStore {
  const raw: Record<string, string> = {};
  for (const property of ['blobServiceUri', 'connectionString', 'containerName', 'clientId']) {
    const value = env[`RETENTION__${property}`];
    if (value !== undefined && value.trim() !== '') raw[property] = value.trim();
  }
  if (flags.connectionString !== undefined) {
    raw.connectionString = flags.connectionString;
    delete raw.blobServiceUri;
  }
  if (flags.container !== undefined) raw.containerName = flags.container;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `RETENTION__${i.path.map(String).join('.')}: ${i.message}`,
    );
    throw new TraceError('CONNECTION_INVALID', `retained packets store: ${problems.join('; ')}`);
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
  return new RetentionStore(service.getContainerClient(settings.containerName));
}
