import {
  PreconditionFailedError,
  type ConfigurationStore,
  type ConfigurationWrite,
  type StoredConfiguration,
  type WriteConditions,
} from './configurationStore';

/** In-memory {@link ConfigurationStore} for tests and `tracectl inspect`; same semantics as the table store. */
export class MemoryConfigurationStore implements ConfigurationStore {
  private readonly items = new Map<string, StoredConfiguration>();
  private version = 0;

  async get(namespace: string, name: string): Promise<StoredConfiguration | undefined> {
    const item = this.items.get(`${namespace}/${name}`);
    return item === undefined ? undefined : structuredClone(item);
  }

  async list(options?: { namespace?: string }): Promise<StoredConfiguration[]> {
    return [...this.items.values()]
      .filter((item) => options?.namespace === undefined || item.namespace === options.namespace)
      .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name))
      .map((item) => structuredClone(item));
  }

  async put(
    configuration: ConfigurationWrite,
    conditions: WriteConditions = {},
  ): Promise<StoredConfiguration> {
    const key = `${configuration.namespace}/${configuration.name}`;
    checkConditions(key, this.items.get(key), conditions);
    this.version += 1;
    const stored: StoredConfiguration = { ...structuredClone(configuration), etag: `W/"${this.version}"` };
    this.items.set(key, stored);
    return structuredClone(stored);
  }

  async delete(namespace: string, name: string, conditions: WriteConditions = {}): Promise<boolean> {
    const key = `${namespace}/${name}`;
    const existing = this.items.get(key);
    if (existing === undefined) return false;
    checkConditions(key, existing, conditions);
    this.items.delete(key);
    return true;
  }

  async ping(): Promise<void> {}
}

/** Shared precondition semantics (RFC 9110 §13.1.1–13.1.2) for stores that check in-process. */
export function checkConditions(
  key: string,
  existing: StoredConfiguration | undefined,
  conditions: WriteConditions,
): void {
  if (conditions.ifNoneMatch === '*' && existing !== undefined) {
    throw new PreconditionFailedError(`${key} already exists (If-None-Match: *)`);
  }
  if (conditions.ifMatch !== undefined) {
    if (existing === undefined)
      throw new PreconditionFailedError(`${key} does not exist (If-Match: ${conditions.ifMatch})`);
    if (conditions.ifMatch !== '*' && conditions.ifMatch !== existing.etag) {
      throw new PreconditionFailedError(
        `${key} was changed by someone else: its etag is ${existing.etag}, If-Match was ${conditions.ifMatch}`,
      );
    }
  }
}
