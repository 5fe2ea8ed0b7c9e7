/**
 * Reading stored configuration rows defensively: a row that cannot be decoded becomes an Errored
 * configuration that says why (instead of failing every listing), a row that is not a
 * configuration at all is skipped, and credentials stored before the secret check existed are
 * scrubbed from the manifest and the status reason.
 */
import type { TraceConfigurationSpec, TraceConfigurationStatus } from '../config/model';
import { REDACTED, scrubSecrets, secretKind } from '../config/secrets';
import { errorMessage } from '../errors';
import type { StoredConfiguration } from './configurationStore';

/** The text that replaces a stored status reason that held a credential. */
export const WITHHELD_REASON =
  'the stored status reason contained a credential and is withheld; apply the configuration again';

/** The columns of a configuration row, as read (nothing trusted). */
export interface StoredRowColumns {
  partitionKey?: string;
  rowKey?: string;
  etag: string;
  generation?: unknown;
  manifest?: unknown;
  spec?: unknown;
  status?: unknown;
  cluster?: unknown;
  updatedAt?: unknown;
}

/** True when a row carries configuration columns (rows written by anything else are skipped). */
export function isConfigurationRow(row: StoredRowColumns): boolean {
  return typeof row.manifest === 'string' || typeof row.status === 'string';
}

function parseJson(column: string, value: unknown): unknown {
  if (typeof value !== 'string') throw new Error(`column ${column} is missing`);
  try {
    return JSON.parse(value) as unknown;
  } catch (caught) {
    throw new Error(`column ${column} is not JSON (${errorMessage(caught)})`);
  }
}

function isStatus(value: unknown): value is TraceConfigurationStatus {
  const status = value as Partial<TraceConfigurationStatus> | null;
  return (
    typeof status === 'object' &&
    status !== null &&
    ['Initialized', 'Accepted', 'Warning', 'Errored'].includes(status.state as string) &&
    typeof status.reason === 'string'
  );
}

/** A status with any credential-looking reason withheld and its last known spec kept. */
export function scrubStatus(status: TraceConfigurationStatus): TraceConfigurationStatus {
  return secretKind(status.reason) === undefined ? status : { ...status, reason: WITHHELD_REASON };
}

/**
 * Decodes one row. Never throws: a damaged row is an Errored configuration without a spec in
 * force, whose reason names the damaged column.
 */
export function decodeStoredRow(row: StoredRowColumns): StoredConfiguration {
  const base = {
    namespace: row.partitionKey ?? '',
    name: row.rowKey ?? '',
    etag: row.etag,
    updatedAt: typeof row.updatedAt === 'string' ? row.updatedAt : '',
  };
  try {
    const manifest = scrubSecrets(parseJson('manifest', row.manifest));
    const status = parseJson('status', row.status);
    if (!isStatus(status)) throw new Error('column status is not a status');
    const generation = Number(row.generation);
    if (!Number.isSafeInteger(generation) || generation < 0)
      throw new Error('column generation is not a number');
    const stored: StoredConfiguration = { ...base, generation, manifest, status: scrubStatus(status) };
    if (row.spec !== undefined && row.spec !== null) {
      const spec = parseJson('spec', row.spec) as TraceConfigurationSpec | null;
      if (
        typeof spec !== 'object' ||
        spec === null ||
        typeof spec.output?.connection !== 'string' ||
        !Array.isArray(spec.rules)
      )
        throw new Error('column spec is not a spec');
      stored.spec = spec;
    }
    if (typeof row.cluster === 'string') stored.cluster = row.cluster;
    return stored;
  } catch (caught) {
    return {
      ...base,
      generation: 0,
      manifest: {},
      status: {
        state: 'Errored',
        reason: `the stored row cannot be read: ${errorMessage(caught)}; apply the configuration again or delete it`,
      },
    };
  }
}

export { REDACTED };
