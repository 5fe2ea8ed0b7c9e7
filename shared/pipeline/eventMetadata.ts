/**
 * Per-event metadata of an Event Hubs trigger invocation, read defensively from the host's
 * `triggerMetadata` (cardinality `many`). The host's arrays may be shorter than the batch (null
 * partition keys are dropped from `partitionKeyArray`), so values are taken from
 * `systemPropertiesArray[i]` first and from the per-field arrays only as a fallback.
 */

/** What the host tells us about one event. Every field may be absent. */
export interface EventMetadata {
  /** Application properties set by the publisher. */
  properties: Record<string, unknown>;
  /** Enqueued time in epoch milliseconds. */
  enqueuedTimeMs?: number;
  sequenceNumber?: number;
  offset?: string;
  partitionKey?: string;
  /** Partition id from `partitionContext`, the same for the whole invocation. */
  partitionId?: string;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function itemAt(metadata: Record<string, unknown>, key: string, index: number): unknown {
  const array = metadata[key];
  return Array.isArray(array) ? (array[index] as unknown) : undefined;
}

/** Parses the host's `EnqueuedTimeUtc` forms: ISO strings with or without `Z`, Date, epoch ms. */
export function parseEnqueuedTime(value: unknown): number | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value !== 'string' || value.length === 0) return undefined;
  // The host serialises DateTime without a zone designator; it is UTC.
  const text = /[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return undefined;
}

function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return undefined;
}

/** Reads the metadata of event `index` from an Event Hubs trigger's `triggerMetadata`. */
export function eventMetadataAt(triggerMetadata: Record<string, unknown> | undefined, index: number): EventMetadata {
  const metadata = triggerMetadata ?? {};
  const system = asRecord(itemAt(metadata, 'systemPropertiesArray', index)) ?? {};
  const properties = asRecord(itemAt(metadata, 'propertiesArray', index)) ?? {};
  const partitionContext = asRecord(metadata.partitionContext);
  const result: EventMetadata = { properties };
  const enqueued = parseEnqueuedTime(
    system.enqueuedTimeUtc ?? system['x-opt-enqueued-time'] ?? itemAt(metadata, 'enqueuedTimeUtcArray', index),
  );
  if (enqueued !== undefined) result.enqueuedTimeMs = enqueued;
  const sequence = asNumber(system.sequenceNumber ?? system['x-opt-sequence-number'] ?? itemAt(metadata, 'sequenceNumberArray', index));
  if (sequence !== undefined) result.sequenceNumber = sequence;
  const offset = asText(system.offset ?? system['x-opt-offset'] ?? itemAt(metadata, 'offsetArray', index));
  if (offset !== undefined) result.offset = offset;
  // partitionKeyArray drops null keys, so it is only trusted when it is as long as the batch.
  const partitionKey = asText(system.partitionKey ?? system['x-opt-partition-key']);
  if (partitionKey !== undefined) result.partitionKey = partitionKey;
  const partitionId = asText(partitionContext?.partitionId);
  if (partitionId !== undefined) result.partitionId = partitionId;
  return result;
}
