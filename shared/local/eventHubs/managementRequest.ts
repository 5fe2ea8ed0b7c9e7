import { types } from 'rhea';
import type { LocalHub } from './localHub';

/** The reply to one `$management` request: AMQP status, optional error condition and body map. */
export interface ManagementReply {
  statusCode: number;
  statusDescription: string;
  errorCondition?: string;
  body?: Record<string, unknown>;
}

function failure(statusCode: number, errorCondition: string, statusDescription: string): ManagementReply {
  return { statusCode, errorCondition, statusDescription };
}

/**
 * Answers the `$management` READ operations the Event Hubs SDKs issue: `com.microsoft:eventhub`
 * (hub properties) and `com.microsoft:partition` (partition properties). `findHub` resolves the
 * `name` application property. Anything else fails with the status Event Hubs uses.
 */
export function answerManagementRequest(
  properties: Readonly<Record<string, unknown>>,
  findHub: (name: string) => LocalHub | undefined,
): ManagementReply {
  const { operation, type, name, partition } = properties;
  if (operation !== 'READ') {
    return failure(501, 'amqp:not-implemented', `operation "${String(operation)}" is not supported`);
  }
  if (typeof name !== 'string') return failure(400, 'com.microsoft:argument-error', 'missing "name"');
  const hub = findHub(name);
  if (!hub) return failure(404, 'amqp:not-found', `event hub "${name}" does not exist`);
  if (type === 'com.microsoft:eventhub') {
    return {
      statusCode: 200,
      statusDescription: 'OK',
      body: {
        name: hub.name,
        type,
        created_at: hub.createdAt,
        partition_count: types.wrap_int(hub.partitionIds.length),
        partition_ids: [...hub.partitionIds],
      },
    };
  }
  if (type !== 'com.microsoft:partition') {
    return failure(400, 'com.microsoft:argument-error', `type "${String(type)}" is not supported`);
  }
  const partitionId = typeof partition === 'string' || typeof partition === 'number' ? String(partition) : '';
  const log = hub.partition(partitionId);
  if (!log) {
    return failure(
      400,
      'com.microsoft:argument-out-of-range',
      `partition "${partitionId}" does not exist in event hub "${hub.name}" (ids 0-${hub.partitionIds.length - 1})`,
    );
  }
  const last = log.last;
  return {
    statusCode: 200,
    statusDescription: 'OK',
    body: {
      name: hub.name,
      type,
      partition: partitionId,
      begin_sequence_number: types.wrap_long(log.beginSequenceNumber),
      last_enqueued_sequence_number: types.wrap_long(last?.sequenceNumber ?? -1),
      last_enqueued_offset: String(last?.offset ?? -1),
      last_enqueued_time_utc: new Date(last?.enqueuedTimeMs ?? 0),
      is_partition_empty: last === undefined,
    },
  };
}
