/**
 * Reads protobuf fields one at a time (the wire format only: which field, which wire type, the
 * value), for the local OTLP receiver. Throws a RangeError naming the byte offset on truncated
 * or malformed input; the receiver answers it with 400.
 */

/** One field read by {@link ProtobufReader.next}. */
export type ProtobufField =
  | { field: number; wireType: 0; value: bigint }
  | { field: number; wireType: 1; value: Uint8Array }
  | { field: number; wireType: 2; value: Uint8Array }
  | { field: number; wireType: 5; value: Uint8Array };

/** Iterates over the fields of one encoded message. */
export class ProtobufReader {
  private at = 0;

  constructor(private readonly bytes: Uint8Array) {}

  /** The next field, or undefined at the end of the message. */
  next(): ProtobufField | undefined {
    if (this.at >= this.bytes.length) return undefined;
    const start = this.at;
    const key = this.varint();
    const field = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (field === 0) throw new RangeError(`protobuf: field number 0 at byte ${start}`);
    switch (wireType) {
      case 0:
        return { field, wireType, value: this.varint() };
      case 1:
        return { field, wireType, value: this.take(8) };
      case 2: {
        const length = this.varint();
        if (length > BigInt(this.bytes.length - this.at))
          throw new RangeError(
            `protobuf: field ${field} at byte ${start} claims ${length} bytes, past the end`,
          );
        return { field, wireType, value: this.take(Number(length)) };
      }
      case 5:
        return { field, wireType, value: this.take(4) };
      default:
        throw new RangeError(
          `protobuf: wire type ${wireType} of field ${field} at byte ${start} is not supported`,
        );
    }
  }

  private varint(): bigint {
    // Up to 7 bytes (49 bits) in a number, exactly: most varints; longer ones in a bigint.
    let small = 0;
    for (let i = 0, scale = 1; i < 7; i++, scale *= 0x80) {
      if (this.at + i >= this.bytes.length) break;
      const byte = this.bytes[this.at + i]!;
      small += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) {
        this.at += i + 1;
        return BigInt(small);
      }
    }
    let value = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.at >= this.bytes.length) throw new RangeError(`protobuf: varint cut short at byte ${this.at}`);
      const byte = this.bytes[this.at++]!;
      value |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return BigInt.asUintN(64, value);
    }
    throw new RangeError(`protobuf: varint longer than 10 bytes at byte ${this.at}`);
  }

  private take(length: number): Uint8Array {
    if (this.at + length > this.bytes.length)
      throw new RangeError(`protobuf: ${length} bytes wanted at byte ${this.at}, past the end`);
    const value = this.bytes.subarray(this.at, this.at + length);
    this.at += length;
    return value;
  }
}
