/**
 * The body of an entity group transaction (learn: "Performing entity group transactions"), built
 * directly rather than through @azure/data-tables (whose `submitTransaction` runs every operation
 * through a request pipeline: ~115 µs of CPU per entity against a few µs here). Pure.
 *
 * One `multipart/mixed` batch holding one changeset; each operation is an Insert Or Merge Entity
 * (`PATCH <table>(PartitionKey='…',RowKey='…')` without `If-Match`), so redelivery stays an
 * idempotent merge. Entities are serialized as the SDK serializes them: `PartitionKey`/`RowKey`,
 * Int64 and DateTime values as strings with an `@odata.type` annotation, other values as JSON.
 */
import type { TraceEntity } from './encode';

const CRLF = '\r\n';

/** A property-name prefix (`,"Name":`) per name, built once. */
const namePrefixes = new Map<string, string>();

function namePrefix(name: string): string {
  let prefix = namePrefixes.get(name);
  if (prefix === undefined) {
    prefix = `,${JSON.stringify(name)}:`;
    if (namePrefixes.size < 10_000) namePrefixes.set(name, prefix);
  }
  return prefix;
}

function annotated(name: string, type: string, value: string): string {
  return `${namePrefix(`${name}@odata.type`)}"${type}"${namePrefix(name)}${JSON.stringify(value)}`;
}

/**
 * Serializes an entity as the JSON body of one operation. Values: string, number (finite),
 * boolean, `Date` (Edm.DateTime), bigint or `{ value, type: 'Int64' }` (Edm.Int64); `undefined`,
 * `null` and non-finite numbers are left out. Other typed values (`{ value, type }`) are written
 * with their `Edm.<type>` annotation.
 */
export function serializeEntity(entity: TraceEntity): string {
  let json = `{"PartitionKey":${JSON.stringify(entity.partitionKey)},"RowKey":${JSON.stringify(entity.rowKey)}`;
  for (const name in entity) {
    if (name === 'partitionKey' || name === 'rowKey') continue;
    const value = entity[name];
    switch (typeof value) {
      case 'string':
        json += namePrefix(name) + JSON.stringify(value);
        break;
      case 'number':
        if (Number.isFinite(value)) json += namePrefix(name) + String(value);
        break;
      case 'boolean':
        json += namePrefix(name) + (value ? 'true' : 'false');
        break;
      case 'bigint':
        json += annotated(name, 'Edm.Int64', value.toString());
        break;
      case 'object':
        if (value instanceof Date) {
          if (!Number.isNaN(value.getTime())) json += annotated(name, 'Edm.DateTime', value.toISOString());
        } else if (value !== null) {
          const typed = value as { value?: unknown; type?: unknown };
          const text =
            typeof typed.value === 'string' ||
            typeof typed.value === 'number' ||
            typeof typed.value === 'bigint'
              ? String(typed.value)
              : undefined;
          if (text !== undefined && typeof typed.type === 'string')
            json += annotated(name, `Edm.${typed.type}`, text);
        }
        break;
      case 'undefined':
      case 'function':
      case 'symbol':
        break;
    }
  }
  return `${json}}`;
}

/**
 * An entity as the Table sink carries it to its transaction: its keys, and its JSON body when it is
 * not the encoded record's own (a merge of several records, or a test's). Without `json` the body
 * is written from the record when the transaction is built.
 */
export interface SerializedEntity {
  partitionKey: string;
  rowKey: string;
  /** The operation's JSON body ({@link serializeEntity}); absent: built from the record. */
  json?: string;
}

/** `entity` serialized ({@link serializeEntity}) with its keys. */
export function serializedEntity(entity: TraceEntity): SerializedEntity {
  return { partitionKey: entity.partitionKey, rowKey: entity.rowKey, json: serializeEntity(entity) };
}

/**
 * Merges the JSON bodies of entities that share a RowKey into one, later properties over earlier
 * ones, keeping first-seen order: the same text as serializing the merged entities (JSON.stringify
 * and serializeEntity write values alike, and re-serializing parsed JSON gives the same text).
 */
export function mergeEntityJson(first: string, later: string): string {
  return JSON.stringify({
    ...(JSON.parse(first) as Record<string, unknown>),
    ...(JSON.parse(later) as Record<string, unknown>),
  });
}

/** A key as it appears in an entity URL: quotes doubled (OData), then percent-encoded. */
export function entityKeyInUrl(key: string): string {
  return encodeURIComponent(key.includes("'") ? key.replaceAll("'", "''") : key);
}

/** What a transaction body needs besides its operations. */
export interface TransactionTarget {
  /** `<account endpoint>/<table>`, no query (SAS tokens never go into sub-request URLs). */
  tableUrl: string;
  /** Cosmos DB Table API: `POST` with `X-HTTP-Method: MERGE` instead of `PATCH`. */
  cosmos: boolean;
}

/**
 * The operation part of one entity: changeset delimiter, MIME headers, the HTTP request line and
 * headers, and the JSON body. `encodedPartitionKey` is {@link entityKeyInUrl} of the (shared)
 * PartitionKey, computed once per transaction.
 */
export function operationPart(
  target: TransactionTarget,
  changeset: string,
  encodedPartitionKey: string,
  rowKey: string,
  entityJson: string,
): string {
  const method = target.cosmos ? `POST` : 'PATCH';
  const line = `${method} ${target.tableUrl}(PartitionKey='${encodedPartitionKey}',RowKey='${entityKeyInUrl(rowKey)}') HTTP/1.1`;
  return (
    `--${changeset}${CRLF}Content-Type: application/http${CRLF}Content-Transfer-Encoding: binary${CRLF}${CRLF}` +
    `${line}${CRLF}${target.cosmos ? `X-HTTP-Method: MERGE${CRLF}` : ''}` +
    `Content-Type: application/json${CRLF}Accept: application/json;odata=nometadata${CRLF}` +
    `DataServiceVersion: 3.0;${CRLF}${CRLF}${entityJson}${CRLF}`
  );
}

/**
 * Writes operation parts (from {@link operationPart} with the same `changeset`) into a UTF-8 batch
 * body. Each part is written straight into one buffer: joining a hundred parts into one string
 * and encoding that costs several times more CPU. `scratch` is used when it is large enough (the
 * body is then a view of it), so a caller can reuse body memory from one request to the next.
 */
export function transactionBody(
  batch: string,
  changeset: string,
  parts: readonly string[],
  scratch?: Buffer,
): Buffer {
  const head = `--${batch}${CRLF}Content-Type: multipart/mixed; boundary=${changeset}${CRLF}${CRLF}`;
  const tail = `--${changeset}--${CRLF}--${batch}--${CRLF}`;
  const most = transactionBodyBound(parts, head.length + tail.length);
  const body = scratch !== undefined && scratch.length >= most ? scratch : Buffer.allocUnsafe(most);
  let at = body.write(head, 0, 'latin1');
  for (const part of parts) at += body.write(part, at, 'utf8');
  at += body.write(tail, at, 'latin1');
  return body.subarray(0, at);
}

/** Most bytes a body of `parts` can take: UTF-8 needs at most 3 bytes per UTF-16 code unit. */
export function transactionBodyBound(parts: readonly string[], framing = 512): number {
  let most = framing;
  for (const part of parts) most += part.length * 3;
  return most;
}
