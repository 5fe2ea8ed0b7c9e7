/** Most compression pointers followed while reading one name. */
const MAX_POINTER_JUMPS = 32;
/** Longest name in wire form (RFC 1035 §2.3.4). */
const MAX_NAME_WIRE_BYTES = 255;

/** Positions of the labels and pointers read for the current name (reused scratch: at most 128 labels and 32 pointers). */
const VISITED = new Int32Array(192);

/** A name read from a DNS message: presentation text and the offset just past it in place. */
export interface DnsName {
  /** Dotted name without the trailing dot; `.` for the root. */
  name: string;
  /** Offset after the name where it was written (after the first pointer when compressed). */
  next: number;
}

/** Why a name could not be read, in words for `DnsParseError`. */
export type DnsNameProblem =
  | 'name runs past the end of the message'
  | 'compression pointer loop'
  | 'compression pointer forward'
  | 'compression pointer out of range'
  | 'too many compression pointers'
  | 'label longer than 63 bytes'
  | 'name longer than 255 bytes';

/**
 * Reads a possibly compressed domain name at `offset` of `message`. Returns undefined when the
 * name runs past the message, uses a reserved label type, exceeds 255 bytes, or its pointers loop
 * (a pointer must point strictly before the label that holds it, and jumps are bounded).
 */
export function readDnsName(message: Uint8Array, offset: number): DnsName | undefined {
  const read = readDnsNameOrProblem(message, offset);
  return typeof read === 'string' ? undefined : read;
}

/** {@link readDnsName}, saying what is wrong with a name that cannot be read. */
export function readDnsNameOrProblem(message: Uint8Array, offset: number): DnsName | DnsNameProblem {
  let position = offset;
  let next = -1;
  let jumps = 0;
  let wireLength = 0;
  let name = '';
  let visitedCount = 0;
  for (;;) {
    if (position >= message.length) return 'name runs past the end of the message';
    if (visitedCount < VISITED.length) VISITED[visitedCount++] = position;
    const length = message[position] ?? 0;
    if (length === 0) {
      if (next < 0) next = position + 1;
      return { name: name === '' ? '.' : name, next };
    }
    const kind = length & 0xc0;
    if (kind === 0xc0) {
      if (position + 1 >= message.length) return 'name runs past the end of the message';
      const target = ((length & 0x3f) << 8) | (message[position + 1] ?? 0);
      if (target >= message.length) return 'compression pointer out of range';
      for (let i = 0; i < visitedCount; i++) if (VISITED[i] === target) return 'compression pointer loop';
      if (target >= position) return 'compression pointer forward';
      if (++jumps > MAX_POINTER_JUMPS) return 'too many compression pointers';
      if (next < 0) next = position + 2;
      position = target;
      continue;
    }
    if (kind !== 0) return 'label longer than 63 bytes';
    wireLength += length + 1;
    if (wireLength > MAX_NAME_WIRE_BYTES) return 'name longer than 255 bytes';
    if (position + 1 + length > message.length) return 'name runs past the end of the message';
    if (name !== '') name += '.';
    name += labelText(message, position + 1, position + 1 + length);
    position += 1 + length;
  }
}

/** Label bytes in presentation form: printable ASCII as is, `.` and `\` escaped, others `\DDD`. */
function labelText(bytes: Uint8Array, start: number, end: number): string {
  let text = '';
  for (let i = start; i < end; i++) {
    const byte = bytes[i] ?? 0;
    if (byte === 0x2e || byte === 0x5c) text += '\\' + String.fromCharCode(byte);
    else if (byte > 0x20 && byte < 0x7f) text += String.fromCharCode(byte);
    else text += '\\' + byte.toString().padStart(3, '0');
  }
  return text;
}
