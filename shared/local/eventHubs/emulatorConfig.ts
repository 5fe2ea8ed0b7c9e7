import { z } from 'zod';
import { TraceError } from '../../errors';
import type { LocalHubDefinition } from './settings';

/**
 * The official Event Hubs emulator's `Config.json`, as its schema defines it
 * (Azure/azure-event-hubs-emulator-installer `EventHub-Emulator/Schema/Config-schema.json`): one
 * namespace `emulatorNs1`, 1–10 event hubs, `PartitionCount` a string of 1–32, up to 20 consumer
 * groups besides the implicit `$default`.
 */
const emulatorConfigSchema = z.object({
  UserConfig: z.object({
    NamespaceConfig: z
      .array(
        z.object({
          Type: z.literal('EventHub'),
          Name: z.literal('emulatorNs1'),
          Entities: z
            .array(
              z.object({
                Name: z.string().min(1),
                PartitionCount: z.string().regex(/^([1-9]|[12]\d|3[0-2])$/, 'a string from "1" to "32"'),
                ConsumerGroups: z
                  .array(
                    z.object({
                      Name: z
                        .string()
                        .min(1)
                        .refine((name) => name.toLowerCase() !== '$default', '$default is implicit'),
                    }),
                  )
                  .min(1)
                  .max(20)
                  .optional(),
              }),
            )
            .min(1)
            .max(10),
        }),
      )
      .length(1),
    LoggingConfig: z.object({ Type: z.enum(['File', 'Console', 'File,Console', 'Console,File']) }),
  }),
});

/**
 * Reads the hubs of an emulator `Config.json` (already JSON-parsed) as local hub definitions, so the
 * in-process endpoint and the Docker emulator serve the same hubs. `source` names the file in errors.
 * Throws `TraceError` `EMULATOR_CONFIG_INVALID` listing each problem with its path.
 */
export function hubsFromEmulatorConfig(config: unknown, source = 'Config.json'): LocalHubDefinition[] {
  const parsed = emulatorConfigSchema.safeParse(config);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new TraceError(
      'EMULATOR_CONFIG_INVALID',
      `${source} is not a valid emulator configuration: ${issues.join('; ')}`,
    );
  }
  const namespace = parsed.data.UserConfig.NamespaceConfig[0];
  return (namespace?.Entities ?? []).map((entity) => ({
    name: entity.Name,
    partitionCount: Number(entity.PartitionCount),
    consumerGroups: (entity.ConsumerGroups ?? []).map((group) => group.Name),
  }));
}
