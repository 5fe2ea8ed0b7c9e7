import { message as amqpMessage } from 'rhea';
import { LocalHub } from '../../../shared/local/eventHubs/localHub';
import { answerManagementRequest } from '../../../shared/local/eventHubs/managementRequest';

const created = new Date('2026-01-02T03:04:05Z');
const hub = new LocalHub(
  { name: 'retina-traces', partitionCount: 2 },
  { maxEvents: 2, maxBytes: 1e9 },
  created,
);
const message = { header: undefined, messageAnnotations: {}, rest: Buffer.alloc(0) };
for (const time of [1000, 2000, 3000])
  hub.partition('1')?.append([{ partitionKey: undefined, sizeInBytes: 7, message }], time);
const find = (name: string) => (name.toLowerCase() === 'retina-traces' ? hub : undefined);

/** The body as the client sees it after an AMQP round trip (typed values unwrapped). */
function wireBody(body: Record<string, unknown> | undefined): unknown {
  return amqpMessage.decode(amqpMessage.encode({ body })).body;
}

describe('answerManagementRequest', () => {
  it('answers hub properties', () => {
    const reply = answerManagementRequest(
      { operation: 'READ', type: 'com.microsoft:eventhub', name: 'Retina-Traces' },
      find,
    );
    expect(reply).toMatchObject({ statusCode: 200, statusDescription: 'OK' });
    expect(wireBody(reply.body)).toEqual({
      name: 'retina-traces',
      type: 'com.microsoft:eventhub',
      created_at: created,
      partition_count: 2,
      partition_ids: ['0', '1'],
    });
  });

  it.each([
    [
      '1',
      {
        begin_sequence_number: 1,
        last_enqueued_sequence_number: 2,
        last_enqueued_offset: '14',
        last_enqueued_time_utc: new Date(3000),
        is_partition_empty: false,
      },
    ],
    [
      '0',
      {
        begin_sequence_number: 0,
        last_enqueued_sequence_number: -1,
        last_enqueued_offset: '-1',
        last_enqueued_time_utc: new Date(0),
        is_partition_empty: true,
      },
    ],
  ])('answers properties of partition %s', (partition, expected) => {
    const reply = answerManagementRequest(
      { operation: 'READ', type: 'com.microsoft:partition', name: 'retina-traces', partition },
      find,
    );
    expect(reply.statusCode).toBe(200);
    expect(wireBody(reply.body)).toEqual({
      name: 'retina-traces',
      type: 'com.microsoft:partition',
      partition,
      ...expected,
    });
  });

  it.each([
    ['no properties', {}, 501, 'amqp:not-implemented'],
    ['a write operation', { operation: 'CREATE', name: 'retina-traces' }, 501, 'amqp:not-implemented'],
    [
      'a missing name',
      { operation: 'READ', type: 'com.microsoft:eventhub' },
      400,
      'com.microsoft:argument-error',
    ],
    [
      'an unknown hub',
      { operation: 'READ', type: 'com.microsoft:eventhub', name: 'x' },
      404,
      'amqp:not-found',
    ],
    [
      'an unknown type',
      { operation: 'READ', type: 'com.microsoft:queue', name: 'retina-traces' },
      400,
      'com.microsoft:argument-error',
    ],
    [
      'a partition out of range',
      { operation: 'READ', type: 'com.microsoft:partition', name: 'retina-traces', partition: '2' },
      400,
      'com.microsoft:argument-out-of-range',
    ],
    [
      'a missing partition',
      { operation: 'READ', type: 'com.microsoft:partition', name: 'retina-traces' },
      400,
      'com.microsoft:argument-out-of-range',
    ],
  ])('refuses %s', (_name, properties, statusCode, errorCondition) => {
    const reply = answerManagementRequest(properties, find);
    expect(reply).toMatchObject({ statusCode, errorCondition });
    expect(reply.statusDescription).not.toBe('');
    expect(reply.body).toBeUndefined();
  });
});
