/**
 * Where `tracectl pcap` reads retained packets: `--connection-string` (Azurite), else app settings
 * `RETENTION__connectionString` or `RETENTION__blobServiceUri` (signed-in identity, optional
 * `RETENTION__clientId`), and `RETENTION__containerName` (default `trace-retained`).
 */
import type { TokenCredential } from '@azure/core-auth';
import { resolveBlobContainer } from '../sinks/send/blobContainerConnection';
import { RETENTION_CONTAINER, RetentionStore } from './retentionStore';

/** Builds the retention store from flags and app settings; throws `CONNECTION_INVALID` naming the setting. */
export function resolveRetentionStore(
  env: Readonly<Record<string, string | undefined>>,
  flags: { connectionString?: string; container?: string } = {},
  credential?: TokenCredential,
): RetentionStore {
  return new RetentionStore(
    resolveBlobContainer(env, {
      prefix: 'RETENTION',
      defaultContainer: RETENTION_CONTAINER,
      what: 'retained packets store',
      missingHint: 'or pass --connection-string',
      overrides: {
        ...(flags.connectionString !== undefined ? { connectionString: flags.connectionString } : {}),
        ...(flags.container !== undefined ? { containerName: flags.container } : {}),
      },
      ...(credential !== undefined ? { credential } : {}),
    }),
  );
}
