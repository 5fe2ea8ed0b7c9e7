/**
 * The protobuf wire format, as much of it as OTLP logs need: varints, 64-bit integers, fixed64,
 * UTF-8 strings, bytes and nested messages, written into one growing buffer. A nested message is
 * written in place and its length put in front afterwards ({@link ProtobufWriter.begin} /
 * {@link ProtobufWriter.end}), so nothing is allocated per field.
 */

/** Wire types (protobuf encoding). */
export const WireType = { VARINT: 0, FIXED64: 1, LENGTH_DELIMITED: 2, FIXED32: 5 } as const;

/** Bytes of `value` (a non-negative safe integer) as a varint. */
export function varintLength(value: number): number {
  let length = 1;
  for (let rest = value; rest >= 0x80; rest = Math.floor(rest / 0x80)) length++;
  return length;
}

const MAX_UINT64 = (1n << 64n) - 1n;

/** Text up to this length is checked and copied in JavaScript: cheaper than a call into the runtime. */
const SHORT_TEXT = 64;

/** Bytes of `text` in UTF-8. */
export function utf8Length(text: string): number {
  if (text.length > SHORT_TEXT) return Buffer.byteLength(text);
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return Buffer.byteLength(text);
  return text.length;
}

/** Bytes of the int64 varint {@link ProtobufWriter.int64} writes for `value`. */
export function int64Length(value: number): number {
  const whole = Number.isFinite(value) ? Math.trunc(value) : 0;
  if (whole >= 0 && whole <= Number.MAX_SAFE_INTEGER) return varintLength(whole);
  let rest = BigInt.asUintN(64, BigInt(whole));
  let length = 1;
  for (; rest >= 0x80n; rest >>= 7n) length++;
  return length;
}

/** Writes protobuf fields into a buffer that grows as needed. */
export class ProtobufWriter {
  private buffer: Buffer;
  private used = 0;

  constructor(initialBytes = 4096) {
    this.buffer = Buffer.allocUnsafe(Math.max(16, initialBytes));
  }

  /** Bytes written so far. */
  get length(): number {
    return this.used;
  }

  /** A copy of the bytes written since `start` (default: all). */
  copy(start = 0): Uint8Array {
    // allocUnsafe takes small copies from Node's shared pool: much cheaper than a typed array each.
    const out = Buffer.allocUnsafe(this.used - start);
    this.buffer.copy(out, 0, start, this.used);
    return out;
  }

  /** Forgets everything written (the buffer is kept). */
  reset(): void {
    this.used = 0;
  }

  /** A varint field (`uint32`, `uint64`, enum) of a non-negative safe integer. */
  uint(field: number, value: number): void {
    this.key(field, WireType.VARINT);
    this.varint(value);
  }

  /** An `int64` field: negative values as ten-byte two's complement, as protobuf does. */
  int64(field: number, value: number): void {
    this.key(field, WireType.VARINT);
    const whole = Number.isFinite(value) ? Math.trunc(value) : 0;
    if (whole >= 0 && whole <= Number.MAX_SAFE_INTEGER) this.varint(whole);
    else this.bigVarint(BigInt.asUintN(64, BigInt(whole)));
  }

  /** A `bool` field. */
  bool(field: number, value: boolean): void {
    this.key(field, WireType.VARINT);
    this.byte(value ? 1 : 0);
  }

  /** A `fixed64` field from its decimal text (e.g. nanoseconds since the epoch); false when it does not fit. */
  fixed64Decimal(field: number, decimal: string): boolean {
    const value = BigInt(decimal);
    if (value < 0n || value > MAX_UINT64) return false;
    this.key(field, WireType.FIXED64);
    this.ensure(8);
    this.buffer.writeBigUInt64LE(value, this.used);
    this.used += 8;
    return true;
  }

  /** A `double` field. */
  double(field: number, value: number): void {
    this.key(field, WireType.FIXED64);
    this.ensure(8);
    this.buffer.writeDoubleLE(value, this.used);
    this.used += 8;
  }

  /** A `string` field, UTF-8. */
  string(field: number, text: string): void {
    const bytes = utf8Length(text);
    this.key(field, WireType.LENGTH_DELIMITED);
    this.varint(bytes);
    this.text(text, bytes);
  }

  /** The bytes of `text`, known to be `bytes` long in UTF-8, with no key or length (see {@link raw}). */
  text(text: string, bytes: number): void {
    this.ensure(bytes);
    if (bytes === text.length && bytes <= SHORT_TEXT) {
      const buffer = this.buffer;
      let at = this.used;
      for (let i = 0; i < bytes; i++) buffer[at++] = text.charCodeAt(i);
      this.used = at;
    } else this.used += this.buffer.write(text, this.used, 'utf8');
  }

  /**
   * A field key, or a length, as a bare varint: for callers that write a message whose length they
   * computed beforehand (cheaper than {@link begin} and {@link end} for the smallest messages).
   */
  raw(value: number): void {
    this.varint(value);
  }

  /** A `bytes` field, or a message given already encoded. */
  bytes(field: number, bytes: Uint8Array): void {
    this.key(field, WireType.LENGTH_DELIMITED);
    this.varint(bytes.length);
    this.ensure(bytes.length);
    this.buffer.set(bytes, this.used);
    this.used += bytes.length;
  }

  /** Starts a nested message in `field`; returns the mark {@link end} needs. */
  begin(field: number): number {
    this.key(field, WireType.LENGTH_DELIMITED);
    this.ensure(1);
    // One byte reserved for the length: most nested messages are shorter than 128 bytes.
    return this.used++;
  }

  /** Ends the nested message begun at `mark`, putting its length in front of it. */
  end(mark: number): void {
    const length = this.used - mark - 1;
    const lengthBytes = varintLength(length);
    if (lengthBytes > 1) {
      this.ensure(lengthBytes - 1);
      this.buffer.copyWithin(mark + lengthBytes, mark + 1, this.used);
      this.used += lengthBytes - 1;
    }
    let at = mark;
    let rest = length;
    while (rest >= 0x80) {
      this.buffer[at++] = (rest & 0x7f) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.buffer[at] = rest;
  }

  private key(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  private varint(value: number): void {
    this.ensure(10);
    let rest = value;
    while (rest >= 0x80) {
      this.buffer[this.used++] = (rest & 0x7f) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.buffer[this.used++] = rest;
  }

  private bigVarint(value: bigint): void {
    this.ensure(10);
    let rest = value;
    while (rest >= 0x80n) {
      this.buffer[this.used++] = Number(rest & 0x7fn) | 0x80;
      rest >>= 7n;
    }
    this.buffer[this.used++] = Number(rest);
  }

  private byte(value: number): void {
    this.ensure(1);
    this.buffer[this.used++] = value;
  }

  private ensure(bytes: number): void {
    if (this.used + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.used + bytes));
    this.buffer.copy(grown, 0, 0, this.used);
    this.buffer = grown;
  }
}
