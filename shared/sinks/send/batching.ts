import type { BatchLimits, EncodedRecord } from '../sink';

/** Records split into pushes, plus those too large to ever fit one. */
export interface Batches<P> {
  /** Each respects the limits and holds one group only; input order is kept within a group. */
  batches: Array<Array<EncodedRecord<P>>>;
  /** Records whose own size exceeds `maxBytes`: no push can carry them. */
  oversized: Array<EncodedRecord<P>>;
}

/**
 * Greedily packs encoded records into batches that respect `limits` (count and summed bytes),
 * never mixing groups (Azure Table transactions need one PartitionKey). Pure.
 */
export function splitIntoBatches<P>(
  records: ReadonlyArray<EncodedRecord<P>>,
  limits: BatchLimits,
): Batches<P> {
  const open = new Map<string, { items: Array<EncodedRecord<P>>; bytes: number }>();
  const batches: Array<Array<EncodedRecord<P>>> = [];
  const oversized: Array<EncodedRecord<P>> = [];
  for (const record of records) {
    if (record.bytes > limits.maxBytes) {
      oversized.push(record);
      continue;
    }
    const key = record.group ?? '';
    let current = open.get(key);
    if (
      current !== undefined &&
      (current.items.length >= limits.maxRecords || current.bytes + record.bytes > limits.maxBytes)
    ) {
      batches.push(current.items);
      current = undefined;
    }
    if (current === undefined) {
      current = { items: [], bytes: 0 };
      open.set(key, current);
    }
    current.items.push(record);
    current.bytes += record.bytes;
  }
  for (const current of open.values()) if (current.items.length > 0) batches.push(current.items);
  return { batches, oversized };
}
