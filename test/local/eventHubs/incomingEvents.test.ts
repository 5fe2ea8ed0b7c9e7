import { message as amqpMessage } from 'rhea';
import type { Message } from 'rhea';
import { BATCH_MESSAGE_FORMAT, eventsFromDelivery } from '../../../shared/local/eventHubs/incomingEvents';

const inner = (body: Buffer, key?: string) =>
  amqpMessage.encode({
    ...(key === undefined ? {} : { message_annotations: { 'x-opt-partition-key': key } }),
    body: amqpMessage.data_section(body),
  });

function batch(messages: Buffer[], key?: string): Buffer {
  return amqpMessage.encode({
    ...(key === undefined ? {} : { message_annotations: { 'x-opt-partition-key': key } }),
    body: amqpMessage.data_sections(messages),
  });
}

describe('eventsFromDelivery', () => {
  it.each([
    [
      'a batch of two with a partition key',
      BATCH_MESSAGE_FORMAT,
      batch([inner(Buffer.from('a'), 'k'), inner(Buffer.from('b'), 'k')], 'k'),
      'k',
      2,
    ],
    ['a batch of one without a key', BATCH_MESSAGE_FORMAT, batch([inner(Buffer.from('a'))]), undefined, 1],
    ['a plain decoded message', 0, amqpMessage.decode(inner(Buffer.from('a'), 'p')), 'p', 1],
  ])('unpacks %s', (_name, format, payload, key, count) => {
    const result = eventsFromDelivery(format, payload as Message | Buffer);
    if (!result.ok) throw new Error(result.description);
    expect(result.partitionKey).toBe(key);
    expect(result.events).toHaveLength(count);
    expect(result.events.every((event) => event.partitionKey === key)).toBe(true);
    expect(result.sizeInBytes).toBe(result.events.reduce((sum, event) => sum + event.sizeInBytes, 0));
  });

  it('keeps each batched message byte for byte', () => {
    const first = inner(Buffer.from([1, 2, 3]));
    const result = eventsFromDelivery(BATCH_MESSAGE_FORMAT, batch([first]));
    if (!result.ok) throw new Error(result.description);
    expect(result.events[0]?.sizeInBytes).toBe(first.length);
    expect(first.includes(result.events[0]?.message.rest ?? Buffer.alloc(1, 9))).toBe(true);
  });

  it.each([
    ['an unknown format', 7, Buffer.from([0]), 'amqp:not-implemented', /0x7 is not supported/],
    [
      'a batch with a value body',
      BATCH_MESSAGE_FORMAT,
      amqpMessage.encode({ body: 'x' }),
      'amqp:decode-error',
      /data-section body/,
    ],
    [
      'a batch of garbage',
      BATCH_MESSAGE_FORMAT,
      Buffer.from([0xff, 0xff]),
      'amqp:decode-error',
      /undecodable|not a message/,
    ],
    ['empty batch bytes', BATCH_MESSAGE_FORMAT, Buffer.alloc(0), 'amqp:decode-error', /data-section body/],
    [
      'a batch holding a non-message',
      BATCH_MESSAGE_FORMAT,
      batch([Buffer.from([0xa1, 0x01, 0x61])]),
      'amqp:decode-error',
      /event 0: byte 0/,
    ],
  ])('rejects %s', (_name, format, payload, condition, description) => {
    const result = eventsFromDelivery(format, payload);
    expect(result).toMatchObject({ ok: false, condition });
    expect(result.ok ? '' : result.description).toMatch(description);
  });
});
