import { message as amqpMessage } from 'rhea';
import type { Message } from 'rhea';
import type { AppendedEvent } from './partitionLog';
import { splitMessage } from './messageSections';

/** The message format of an Event Hubs batch: a message whose data sections each hold an encoded message. */
export const BATCH_MESSAGE_FORMAT = 0x80013700;

/** The annotation carrying a partition key. */
export const PARTITION_KEY_ANNOTATION = 'x-opt-partition-key';

/** Events unpacked from one delivery, or the AMQP error to reject it with. */
export type IncomingEvents =
  | { ok: true; partitionKey: string | undefined; events: AppendedEvent[]; sizeInBytes: number }
  | { ok: false; condition: string; description: string };

function partitionKeyOf(annotations: unknown): string | undefined {
  const key = (annotations as Record<string, unknown> | undefined)?.[PARTITION_KEY_ANNOTATION];
  return typeof key === 'string' || typeof key === 'number' ? String(key) : undefined;
}

function unpack(encoded: readonly Buffer[], partitionKey: string | undefined): IncomingEvents {
  const events: AppendedEvent[] = [];
  for (const [index, bytes] of encoded.entries()) {
    const split = splitMessage(bytes);
    if (!split.ok) {
      return { ok: false, condition: 'amqp:decode-error', description: `event ${index}: ${split.error}` };
    }
    const key = partitionKeyOf(split.sections.messageAnnotations) ?? partitionKey;
    events.push({ partitionKey: key, message: split.sections, sizeInBytes: bytes.length });
  }
  const sizeInBytes = events.reduce((total, event) => total + event.sizeInBytes, 0);
  return { ok: true, partitionKey, events, sizeInBytes };
}

/**
 * Turns a received delivery into events. rhea hands over a decoded `Message` for format 0 and the raw
 * bytes for other formats; a batch (format {@link BATCH_MESSAGE_FORMAT}) yields one event per data section,
 * each kept byte for byte. Never throws.
 */
export function eventsFromDelivery(format: number, payload: Message | Buffer): IncomingEvents {
  try {
    if (format === 0 && !Buffer.isBuffer(payload)) {
      return unpack([amqpMessage.encode(payload)], partitionKeyOf(payload.message_annotations));
    }
    if (format !== BATCH_MESSAGE_FORMAT || !Buffer.isBuffer(payload)) {
      return {
        ok: false,
        condition: 'amqp:not-implemented',
        description: `message format 0x${format.toString(16)} is not supported`,
      };
    }
    const outer = amqpMessage.decode(payload);
    const body = outer.body as { typecode?: number; content?: unknown; multiple?: boolean } | undefined;
    if (body?.typecode !== 0x75) {
      return {
        ok: false,
        condition: 'amqp:decode-error',
        description: 'a batch must have a data-section body',
      };
    }
    const content = body.multiple ? (body.content as unknown[]) : [body.content];
    if (!content.every((item): item is Buffer => Buffer.isBuffer(item))) {
      return { ok: false, condition: 'amqp:decode-error', description: 'a batch data section is not binary' };
    }
    return unpack(content, partitionKeyOf(outer.message_annotations));
  } catch (caught) {
    return {
      ok: false,
      condition: 'amqp:decode-error',
      description: `undecodable message: ${String(caught)}`,
    };
  }
}
