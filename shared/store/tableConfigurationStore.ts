import { odata, RestError, type TableClient, type TableEntityResult } from '@azure/data-tables';
import {
  PreconditionFailedError,
  StoredValueTooLargeError,
  type ConfigurationStore,
  type ConfigurationWrite,
  type StoredConfiguration,
  type WriteConditions,
} from './configurationStore';
import { decodeStoredRow, isConfigurationRow } from './storedRow';

/** Azure Table keeps strings up to 64 KiB of UTF-16: 32 Ki characters. */
const MAX_STRING_CHARS = 32 * 1024;

interface ConfigurationEntity {
  partitionKey: string;
  rowKey: string;
  generation: number;
  manifest: string;
  spec?: string;
  status: string;
  cluster?: string;
  updatedAt: string;
}

function json(field: string, key: string, value: unknown): string {
  const text = JSON.stringify(value);
  if (text.length > MAX_STRING_CHARS) {
    throw new StoredValueTooLargeError(
      `${key}: ${field} is ${text.length} characters as JSON; Azure Table allows ${MAX_STRING_CHARS}`,
    );
  }
  return text;
}

function toEntity(configuration: ConfigurationWrite): ConfigurationEntity {
  const key = `${configuration.namespace}/${configuration.name}`;
  const entity: ConfigurationEntity = {
    partitionKey: configuration.namespace,
    rowKey: configuration.name,
    generation: configuration.generation,
    manifest: json('manifest', key, configuration.manifest),
    status: json('status', key, configuration.status),
    updatedAt: configuration.updatedAt,
  };
  if (configuration.spec !== undefined) entity.spec = json('spec', key, configuration.spec);
  if (configuration.cluster !== undefined) entity.cluster = configuration.cluster;
  return entity;
}

function fromEntity(entity: TableEntityResult<Record<string, unknown>>): StoredConfiguration {
  return decodeStoredRow(entity);
}

function statusOf(caught: unknown): number | undefined {
  return caught instanceof RestError ? caught.statusCode : undefined;
}

/**
 * {@link ConfigurationStore} on Azure Table Storage: PartitionKey = namespace, RowKey = name.
 * Concurrency uses the table's own ETags, so two API instances never overwrite each other.
 */
export class TableConfigurationStore implements ConfigurationStore {
  private tableReady: Promise<void> | undefined;

  constructor(private readonly client: TableClient) {}

  private async ensureTable(): Promise<void> {
    this.tableReady ??= this.client.createTable().catch((caught: unknown) => {
      this.tableReady = undefined;
      throw caught;
    });
    await this.tableReady;
  }

  async get(
    namespace: string,
    name: string,
    options: { abortSignal?: AbortSignal } = {},
  ): Promise<StoredConfiguration | undefined> {
    await this.ensureTable();
    try {
      const entity = await this.client.getEntity<Record<string, unknown>>(namespace, name, {
        abortSignal: options.abortSignal,
      });
      return isConfigurationRow(entity) ? fromEntity(entity) : undefined;
    } catch (caught) {
      if (statusOf(caught) === 404) return undefined;
      throw caught;
    }
  }

  async list(
    options: { namespace?: string; abortSignal?: AbortSignal } = {},
  ): Promise<StoredConfiguration[]> {
    await this.ensureTable();
    const queryOptions =
      options.namespace === undefined ? {} : { filter: odata`PartitionKey eq ${options.namespace}` };
    const result: StoredConfiguration[] = [];
    for await (const entity of this.client.listEntities<Record<string, unknown>>({
      queryOptions,
      abortSignal: options.abortSignal,
    })) {
      // Rows that are not configurations (e.g. trace records a misconfigured destination wrote
      // here before connections were restricted) are skipped rather than failing the listing.
      if (isConfigurationRow(entity)) result.push(fromEntity(entity));
    }
    return result.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  }

  async put(
    configuration: ConfigurationWrite,
    conditions: WriteConditions = {},
  ): Promise<StoredConfiguration> {
    await this.ensureTable();
    const entity = toEntity(configuration);
    const key = `${configuration.namespace}/${configuration.name}`;
    const abortSignal = conditions.abortSignal;
    try {
      let etag: string;
      if (conditions.ifNoneMatch === '*') {
        etag = (await this.client.createEntity(entity, { abortSignal })).etag ?? '';
      } else if (conditions.ifMatch !== undefined) {
        etag =
          (await this.client.updateEntity(entity, 'Replace', { etag: conditions.ifMatch, abortSignal }))
            .etag ?? '';
      } else {
        etag = (await this.client.upsertEntity(entity, 'Replace', { abortSignal })).etag ?? '';
      }
      return { ...configuration, etag };
    } catch (caught) {
      const status = statusOf(caught);
      if (status === 409) throw new PreconditionFailedError(`${key} already exists (If-None-Match: *)`);
      if (status === 412)
        throw new PreconditionFailedError(
          `${key} was changed by someone else (If-Match: ${conditions.ifMatch ?? ''})`,
        );
      if (status === 404)
        throw new PreconditionFailedError(`${key} does not exist (If-Match: ${conditions.ifMatch ?? ''})`);
      throw caught;
    }
  }

  async delete(namespace: string, name: string, conditions: WriteConditions = {}): Promise<boolean> {
    await this.ensureTable();
    try {
      await this.client.deleteEntity(namespace, name, {
        etag: conditions.ifMatch ?? '*',
        abortSignal: conditions.abortSignal,
      });
      return true;
    } catch (caught) {
      const status = statusOf(caught);
      if (status === 404) return false;
      if (status === 412)
        throw new PreconditionFailedError(
          `${namespace}/${name} was changed by someone else (If-Match: ${conditions.ifMatch ?? ''})`,
        );
      throw caught;
    }
  }

  async ping(options: { abortSignal?: AbortSignal } = {}): Promise<void> {
    await this.ensureTable();
    const page = this.client
      .listEntities({ queryOptions: { select: ['PartitionKey'] }, abortSignal: options.abortSignal })
      .byPage({ maxPageSize: 1 });
    await page.next();
  }
}
