import { message as amqpMessage, types } from 'rhea';
import { assembleMessage, splitMessage } from '../../../shared/local/eventHubs/messageSections';

const body = Buffer.from([0x00, 0xff, 0x10]);
const encoded = amqpMessage.encode({
  message_annotations: { 'x-opt-partition-key': 'node-1', custom: 'kept' },
  delivery_annotations: { hop: 'dropped' },
  message_id: 'm-1',
  application_properties: { count: 3, flag: true, name: 'x' },
  body: amqpMessage.data_section(body),
});

describe('splitMessage', () => {
  it('keeps every section but annotations as the publisher encoded them', () => {
    const split = splitMessage(encoded);
    if (!split.ok) throw new Error(split.error);
    expect(split.sections.messageAnnotations).toEqual({ 'x-opt-partition-key': 'node-1', custom: 'kept' });
    expect(split.sections.header).toBeDefined();
    expect(encoded.includes(split.sections.rest)).toBe(true);
    expect(split.sections.rest.includes(body)).toBe(true);
  });

  it.each([
    ['empty bytes', Buffer.alloc(0), /empty message/],
    ['a bare string, not a section', Buffer.from([0xa1, 0x01, 0x61]), /byte 0: not a message section/],
    ['an unknown descriptor', Buffer.from([0x00, 0x53, 0x99, 0x45]), /not a message section/],
    ['a truncated section', encoded.subarray(0, encoded.length - 2), /byte \d+:/],
    [
      'sections out of order',
      Buffer.concat([amqpMessage.encode({ body: 'x' }), Buffer.from([0x00, 0x53, 0x70, 0x45])]),
      /out of order/,
    ],
  ])('refuses %s without throwing', (_name, bytes, error) => {
    const split = splitMessage(bytes);
    expect(split.ok).toBe(false);
    expect(split.ok ? '' : split.error).toMatch(error);
  });
});

describe('assembleMessage', () => {
  it('adds broker annotations over the publisher ones and drops delivery annotations', () => {
    const split = splitMessage(encoded);
    if (!split.ok) throw new Error(split.error);
    const out = amqpMessage.decode(
      assembleMessage(split.sections, { 'x-opt-sequence-number': types.wrap_long(9), custom: 'broker' }),
    );
    expect(out.message_annotations).toEqual({
      'x-opt-partition-key': 'node-1',
      custom: 'broker',
      'x-opt-sequence-number': 9,
    });
    expect(out.delivery_annotations).toBeUndefined();
    expect(out.message_id).toBe('m-1');
    expect(out.application_properties).toEqual({ count: 3, flag: true, name: 'x' });
    expect((out.body as { content: Buffer }).content.equals(body)).toBe(true);
  });

  it('writes delivery annotations when asked', () => {
    const split = splitMessage(amqpMessage.encode({ body: 'v' }));
    if (!split.ok) throw new Error(split.error);
    const out = amqpMessage.decode(assembleMessage(split.sections, {}, { last_enqueued_offset: '5' }));
    expect(out.delivery_annotations).toEqual({ last_enqueued_offset: '5' });
    expect(out.body).toBe('v');
  });
});
