/**
 * A blob container named by app settings `<PREFIX>__blobServiceUri` (managed identity, with
 * optional `__clientId`) or `<PREFIX>__connectionString` (Azurite), and `<PREFIX>__containerName`.
 * Shared by the dead-letter store and the retained-packets store.
 */
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { DefaultAzureCredential } from '@azure/identity';
import type { TokenCredential } from '@azure/core-auth';
import { z } from 'zod';
import { TraceError } from '../../errors';

/** What {@link resolveBlobContainer} needs besides the settings. */
export interface BlobContainerSettingsOptions {
  /** App setting prefix, e.g. `DEADLETTER`. */
  prefix: string;
  /** Container used when `<PREFIX>__containerName` is unset. */
  defaultContainer: string;
  /** Names the store in errors, e.g. `dead-letter store`. */
  what: string;
  /** How to supply a missing location, shown in the error (e.g. `or set connectionString`). */
  missingHint: string;
  /** Values that win over the app settings (command-line flags). */
  overrides?: { connectionString?: string; containerName?: string };
  credential?: TokenCredential;
}

const PROPERTIES = ['blobServiceUri', 'connectionString', 'containerName', 'clientId'] as const;

/** Resolves the container; throws `CONNECTION_INVALID` naming every bad or missing setting. */
export function resolveBlobContainer(
  env: Readonly<Record<string, string | undefined>>,
  options: BlobContainerSettingsOptions,
): ContainerClient {
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
        .default(options.defaultContainer),
      clientId: z.string().min(1).optional(),
    })
    .refine((v) => v.blobServiceUri !== undefined || v.connectionString !== undefined, {
      message: `required app setting is missing (${options.missingHint})`,
      path: ['blobServiceUri'],
    });
  const raw: Record<string, string> = {};
  for (const property of PROPERTIES) {
    const value = env[`${options.prefix}__${property}`];
    if (value !== undefined && value.trim() !== '') raw[property] = value.trim();
  }
  if (options.overrides?.connectionString !== undefined) {
    raw.connectionString = options.overrides.connectionString;
    delete raw.blobServiceUri;
  }
  if (options.overrides?.containerName !== undefined) raw.containerName = options.overrides.containerName;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${options.prefix}__${i.path.map(String).join('.')}: ${i.message}`,
    );
    throw new TraceError('CONNECTION_INVALID', `${options.what}: ${problems.join('; ')}`);
  }
  const settings = parsed.data;
  const clientOptions = { retryOptions: { maxTries: 3 } };
  const service =
    settings.connectionString !== undefined
      ? BlobServiceClient.fromConnectionString(settings.connectionString, clientOptions)
      : new BlobServiceClient(
          settings.blobServiceUri ?? '',
          options.credential ??
            new DefaultAzureCredential(
              settings.clientId === undefined ? {} : { managedIdentityClientId: settings.clientId },
            ),
          clientOptions,
        );
  return service.getContainerClient(settings.containerName);
}
