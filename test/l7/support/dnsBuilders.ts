import { be16, bytes, withLength } from './builders';

/** A name in uncompressed wire form. */
export function dnsName(name: string): Uint8Array {
  if (name === '' || name === '.') return bytes(0);
  return bytes(...name.split('.').map((label) => withLength(1, bytes(label))), 0);
}

/** One resource record: owner (wire form), type, class IN, TTL and RDATA. */
export function rr(owner: Uint8Array, type: number, ttl: number, rdata: Uint8Array): Uint8Array {
  return bytes(owner, be16(type), be16(1), be16(ttl >>> 16), be16(ttl & 0xffff), withLength(2, rdata));
}

/** A DNS message with one question and the given answer records. */
export function dnsMessage(options: {
  id?: number;
  flags?: number;
  name?: string;
  qtype?: number;
  answers?: Uint8Array[];
  additional?: Uint8Array[];
}): Uint8Array {
  const answers = options.answers ?? [];
  const additional = options.additional ?? [];
  return bytes(
    be16(options.id ?? 0x1234),
    be16(options.flags ?? 0x0100),
    be16(1),
    be16(answers.length),
    be16(0),
    be16(additional.length),
    dnsName(options.name ?? 'example.com'),
    be16(options.qtype ?? 1),
    be16(1),
    ...answers,
    ...additional,
  );
}

/** A pointer to offset 12, the first question's name, as compressed owner names use. */
export const POINTER_TO_QUESTION = bytes(0xc0, 12);
