import protobuf from 'protobufjs';
import { ProtobufReader } from '../../../shared/sinks/openTelemetry/protobufReader';

const fieldsOf = (bytes: Uint8Array) => {
  const reader = new ProtobufReader(bytes);
  const out = [];
  for (let field = reader.next(); field !== undefined; field = reader.next()) out.push(field);
  return out;
};

describe('ProtobufReader', () => {
  it.each([
    '0',
    '127',
    '128',
    String(2 ** 49 - 1),
    String(2 ** 49),
    String(2n ** 63n),
    String(2n ** 64n - 1n),
  ])('reads varint %s as protobufjs wrote it', (value) => {
    const bytes = protobuf.Writer.create().uint32(8).uint64(value).uint32(16).uint32(1).finish();
    expect(fieldsOf(bytes)).toEqual([
      { field: 1, wireType: 0, value: BigInt(value) },
      { field: 2, wireType: 0, value: 1n },
    ]);
  });

  it('reads fixed64, fixed32 and length-delimited fields', () => {
    const bytes = protobuf.Writer.create()
      .uint32(9)
      .fixed64(5)
      .uint32(21)
      .fixed32(7)
      .uint32(26)
      .string('hé')
      .finish();
    expect(fieldsOf(bytes).map((f) => [f.field, f.wireType, f.value])).toEqual([
      [1, 1, Uint8Array.from([5, 0, 0, 0, 0, 0, 0, 0])],
      [2, 5, Uint8Array.from([7, 0, 0, 0])],
      [3, 2, Uint8Array.from(Buffer.from('hé'))],
    ]);
  });

  it.each<[string, number[], RegExp]>([
    ['a varint cut short', [0x08, 0x80], /varint cut short at byte 2/],
    [
      'a varint cut short after seven bytes',
      [0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80],
      /cut short at byte 8/,
    ],
    ['an eleven-byte varint', [0x08, ...new Array<number>(10).fill(0x80), 0x01], /longer than 10 bytes/],
    ['a length past the end', [0x0a, 0x05, 0x01], /field 1 at byte 0 claims 5 bytes, past the end/],
    ['a fixed64 cut short', [0x09, 0x01, 0x02], /8 bytes wanted at byte 1, past the end/],
    ['field number 0', [0x00, 0x01], /field number 0 at byte 0/],
    ['a group (wire type 3)', [0x0b], /wire type 3 of field 1 at byte 0 is not supported/],
  ])('refuses %s, naming where', (_name, bytes, message) => {
    expect(() => fieldsOf(Uint8Array.from(bytes))).toThrow(message);
  });
});
