import { message as amqpMessage, types } from 'rhea';
import type { Reader, Typed, Writer } from 'rhea/typings/types';

/**
 * An AMQP 1.0 message split into its sections. Everything the publisher wrote is kept as the exact
 * bytes it sent, except message annotations (decoded, because the broker adds its own) and delivery
 * annotations (hop-by-hop, dropped as a broker does).
 */
export interface MessageSections {
  /** The encoded header section, if present. */
  header: Buffer | undefined;
  /** The publisher's message annotations, decoded. */
  messageAnnotations: Record<string, unknown>;
  /** Properties, application properties, body and footer sections, encoded, in their original order. */
  rest: Buffer;
}

/** A split message, or why the bytes are not an AMQP message. */
export type SplitResult = { ok: true; sections: MessageSections } | { ok: false; error: string };

const HEADER = 0x70;
const DELIVERY_ANNOTATIONS = 0x71;
const MESSAGE_ANNOTATIONS = 0x72;
const PROPERTIES = 0x73;
const FOOTER = 0x78;

const SYMBOLIC: Readonly<Record<string, number>> = {
  'amqp:header:list': 0x70,
  'amqp:delivery-annotations:map': 0x71,
  'amqp:message-annotations:map': 0x72,
  'amqp:properties:list': 0x73,
  'amqp:application-properties:map': 0x74,
  'amqp:data:binary': 0x75,
  'amqp:amqp-sequence:list': 0x76,
  'amqp:value:*': 0x77,
  'amqp:footer:map': 0x78,
};

const codec = types as unknown as { Reader: new (buffer: Buffer) => Reader; Writer: new () => Writer };

/** Encodes one map section; `wrap_symbolic_map` keeps values that are already `Typed`. */
function encodeMapSection(code: number, map: Record<string, unknown>): Buffer {
  const writer = new codec.Writer();
  writer.write(types.described(types.wrap_ulong(code), types.wrap_symbolic_map(map)) as Typed);
  return writer.toBuffer();
}

function sectionCode(section: Typed): number | undefined {
  const descriptor = (section as { descriptor?: { value?: unknown } }).descriptor?.value;
  if (typeof descriptor === 'number') return descriptor;
  if (typeof descriptor === 'string') return SYMBOLIC[descriptor];
  return undefined;
}

/** Splits encoded message bytes into {@link MessageSections}; never throws. */
export function splitMessage(bytes: Buffer): SplitResult {
  if (bytes.length === 0) return { ok: false, error: 'empty message' };
  const reader = new codec.Reader(bytes);
  const rest: Buffer[] = [];
  let header: Buffer | undefined;
  let messageAnnotations: Record<string, unknown> = {};
  let previous = 0;
  try {
    while (reader.remaining() > 0) {
      const start = reader.position;
      const section = reader.read();
      const code = sectionCode(section);
      // rhea's reader does not bounds-check: a section claiming more bytes than remain is truncated.
      if (reader.position > bytes.length) return { ok: false, error: `byte ${start}: truncated section` };
      const raw = bytes.subarray(start, reader.position);
      if (code === undefined || code < HEADER || code > FOOTER) {
        return { ok: false, error: `byte ${start}: not a message section` };
      }
      if (code < previous || (code === previous && code <= PROPERTIES)) {
        return { ok: false, error: `byte ${start}: section 0x${code.toString(16)} out of order` };
      }
      previous = code;
      if (code === HEADER) header = raw;
      else if (code === MESSAGE_ANNOTATIONS) {
        messageAnnotations = { ...(amqpMessage.decode(raw).message_annotations as Record<string, unknown>) };
      } else if (code !== DELIVERY_ANNOTATIONS) rest.push(raw);
    }
  } catch (caught) {
    return { ok: false, error: `byte ${reader.position}: ${String(caught)}` };
  }
  return { ok: true, sections: { header, messageAnnotations, rest: Buffer.concat(rest) } };
}

/**
 * Encodes a message from its sections with `annotations` merged over the publisher's message annotations
 * (values may be rhea `Typed` values to fix their AMQP type), and optional delivery annotations.
 */
export function assembleMessage(
  sections: MessageSections,
  annotations: Record<string, unknown>,
  deliveryAnnotations?: Record<string, unknown>,
): Buffer {
  const parts: Buffer[] = [];
  if (sections.header) parts.push(sections.header);
  if (deliveryAnnotations) parts.push(encodeMapSection(DELIVERY_ANNOTATIONS, deliveryAnnotations));
  parts.push(encodeMapSection(MESSAGE_ANNOTATIONS, { ...sections.messageAnnotations, ...annotations }));
  parts.push(sections.rest);
  return Buffer.concat(parts);
}
