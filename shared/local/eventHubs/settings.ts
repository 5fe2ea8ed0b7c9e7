import { z } from 'zod';
import { TraceError } from '../../errors';

/** One event hub served by the local endpoint. */
export interface LocalHubDefinition {
  /** Event hub name, e.g. `retina-traces`. Matched case-insensitively, as Event Hubs does. */
  name: string;
  /** Number of partitions, 1–1024. Partition ids are `"0"` … `"partitionCount-1"`. */
  partitionCount: number;
  /**
   * Consumer groups besides `$Default`, e.g. `['retina-trace-backend']`. When omitted, any consumer-group
   * name is accepted (and created on first use); when given, other names fail with `amqp:not-found`
   * as on Azure and in the emulator.
   */
  consumerGroups?: string[];
}

/** One line of the endpoint's log, for a CLI to print; the endpoint itself never writes to the console. */
export interface LocalEventHubsLogEntry {
  /** `debug` for per-link and per-batch detail, `info` for lifecycle, `warn` for rejected requests. */
  level: 'debug' | 'info' | 'warn';
  /** One sentence naming what happened and where (hub, partition, link). */
  message: string;
}

/** Options of {@link startLocalEventHubs}. Every field is optional. */
export interface LocalEventHubsOptions {
  /** TCP port; `0` (the default) picks a free one. The emulator's default is 5672. */
  port?: number;
  /** Loopback address to listen on. Default `127.0.0.1`; `::1` is also bound when available. */
  host?: string;
  /** Hubs to serve. Default {@link DEFAULT_LOCAL_HUBS}. */
  hubs?: LocalHubDefinition[];
  /** Shared access key name accepted in SAS tokens. Default `RootManageSharedAccessKey`. */
  sasKeyName?: string;
  /** Shared access key that SAS token signatures are checked against. Default `SAS_KEY_VALUE`. */
  sasKey?: string;
  /**
   * Whether `$cbs` put-token checks SAS signatures, expiry and key name, and links need a claim.
   * Default `true`. With `false` any token (including JWTs from a `TokenCredential`) is accepted.
   */
  validateTokens?: boolean;
  /** Oldest events are dropped beyond this many per partition. Default 10,000. */
  maxEventsPerPartition?: number;
  /** Oldest events are dropped beyond this many bytes per partition. Default 64 MiB. */
  maxBytesPerPartition?: number;
  /** Largest accepted message or batch, in bytes. Default 1 MiB (Event Hubs Standard). */
  maxMessageSizeInBytes?: number;
  /** Receives log lines; nothing is logged when absent. */
  onLog?: (entry: LocalEventHubsLogEntry) => void;
}

/** {@link LocalEventHubsOptions} with every default applied and validated. */
export type LocalEventHubsSettings = Required<Omit<LocalEventHubsOptions, 'onLog'>> &
  Pick<LocalEventHubsOptions, 'onLog'>;

/**
 * The consumer group of the ingest function, everywhere: Azure (infra/main.bicep), the emulator
 * (infra/emulator/Config.json), `local.settings.json` and `npm run local`.
 */
export const TRACE_CONSUMER_GROUP = 'retina-trace-backend';

/** The hub the backend consumes, matching `infra/emulator/Config.json` and `docker-compose.yml`. */
export const DEFAULT_LOCAL_HUBS: readonly LocalHubDefinition[] = [
  { name: 'retina-traces', partitionCount: 4, consumerGroups: [TRACE_CONSUMER_GROUP] },
];

/** The key name the emulator's documented connection string uses. */
export const DEFAULT_SAS_KEY_NAME = 'RootManageSharedAccessKey';
/** The key the emulator's documented connection string uses. */
export const DEFAULT_SAS_KEY = 'SAS_KEY_VALUE';
/** The consumer group every hub has. */
export const DEFAULT_CONSUMER_GROUP = '$Default';

const hubSchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(256)
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
      'letters, digits, ".", "_" and "-", starting with a letter or digit',
    ),
  partitionCount: z.number().int().min(1).max(1024),
  consumerGroups: z.array(z.string().min(1).max(50)).optional(),
});

const optionsSchema = z.strictObject({
  port: z.number().int().min(0).max(65535).default(0),
  host: z.string().min(1).default('127.0.0.1'),
  hubs: z
    .array(hubSchema)
    .min(1)
    .default(() => DEFAULT_LOCAL_HUBS.map((hub) => ({ ...hub })))
    .refine(
      (hubs) => new Set(hubs.map((hub) => hub.name.toLowerCase())).size === hubs.length,
      'hub names must be unique (case-insensitively)',
    ),
  sasKeyName: z.string().min(1).default(DEFAULT_SAS_KEY_NAME),
  sasKey: z.string().min(1).default(DEFAULT_SAS_KEY),
  validateTokens: z.boolean().default(true),
  maxEventsPerPartition: z.number().int().min(1).default(10_000),
  maxBytesPerPartition: z
    .number()
    .int()
    .min(1)
    .default(64 * 1024 * 1024),
  maxMessageSizeInBytes: z
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  onLog: z.custom<LocalEventHubsOptions['onLog']>((value) => typeof value === 'function').optional(),
});

/**
 * Applies defaults and validates options; throws a `TraceError` with code `LOCAL_EVENTHUBS_OPTIONS_INVALID`
 * naming every offending field path.
 */
export function resolveLocalEventHubsSettings(options: LocalEventHubsOptions = {}): LocalEventHubsSettings {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(options)'}: ${issue.message}`,
    );
    throw new TraceError(
      'LOCAL_EVENTHUBS_OPTIONS_INVALID',
      `Invalid local Event Hubs options: ${issues.join('; ')}`,
    );
  }
  return parsed.data;
}
