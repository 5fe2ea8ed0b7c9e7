import fc from 'fast-check';
import { HpackDecoder } from '../../shared/l7/hpackDecoder';
import { decodeHuffman } from '../../shared/l7/hpackHuffman';
import { block, hp } from './support/h2Builders';

const hex = (text: string): Uint8Array => Buffer.from(text.replace(/\s+/g, ''), 'hex');

function decodeAll(
  decoder: HpackDecoder,
  bytes: Uint8Array,
): Array<[string | undefined, string | undefined]> | string {
  const fields: Array<[string | undefined, string | undefined]> = [];
  const error = decoder.decode(bytes, 0, bytes.length, (name, value) => fields.push([name, value]));
  return error ?? fields;
}

describe('HPACK Huffman (RFC 7541 Appendix C.4, C.6)', () => {
  it.each([
    ['f1e3c2e5f23a6ba0ab90f4ff', 'www.example.com'],
    ['a8eb10649cbf', 'no-cache'],
    ['25a849e95ba97d7f', 'custom-key'],
    ['6402', '302'],
    ['aec3771a4b', 'private'],
    ['9d29ad171863c78f0b97c8e9ae82ae43d3', 'https://www.example.com'],
    ['', ''],
  ])('%s decodes to %j', (code, text) => {
    const bytes = hex(code);
    expect(decodeHuffman(bytes, 0, bytes.length)).toBe(text);
  });

  it.each([
    ['padding of 8 one bits', 'f1e3c2e5f23a6ba0ab90f4ffff'],
    ['padding with a zero bit', 'fe'],
    ['EOS inside the string', 'ffffffff'],
  ])('rejects %s', (_name, code) => {
    const bytes = hex(code);
    expect(decodeHuffman(bytes, 0, bytes.length)).toBeUndefined();
  });
});

describe('HPACK decoder', () => {
  it('decodes the RFC 7541 C.3 request sequence (dynamic table carried across blocks)', () => {
    const decoder = new HpackDecoder();
    expect(decodeAll(decoder, hex('828684410f7777772e6578616d706c652e636f6d'))).toEqual([
      [':method', 'GET'],
      [':scheme', 'http'],
      [':path', '/'],
      [':authority', 'www.example.com'],
    ]);
    expect(decodeAll(decoder, hex('828684be58086e6f2d6361636865'))).toEqual([
      [':method', 'GET'],
      [':scheme', 'http'],
      [':path', '/'],
      [':authority', 'www.example.com'],
      ['cache-control', 'no-cache'],
    ]);
    expect(decodeAll(decoder, hex('828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565'))).toEqual([
      [':method', 'GET'],
      [':scheme', 'https'],
      [':path', '/index.html'],
      [':authority', 'www.example.com'],
      ['custom-key', 'custom-value'],
    ]);
    expect(decoder.tableSize).toBe(164);
  });

  it('decodes the RFC 7541 C.6 responses with Huffman and eviction (table size 256)', () => {
    const decoder = new HpackDecoder();
    expect(decodeAll(decoder, block(hp.sizeUpdate(256)))).toEqual([]);
    const first = hex(
      '488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8e9ae82ae43d3',
    );
    expect(decodeAll(decoder, first)).toEqual([
      [':status', '302'],
      ['cache-control', 'private'],
      ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'],
      ['location', 'https://www.example.com'],
    ]);
    expect(decoder.tableSize).toBe(222);
    expect(decodeAll(decoder, hex('4883640effc1c0bf'))).toEqual([
      [':status', '307'],
      ['cache-control', 'private'],
      ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'],
      ['location', 'https://www.example.com'],
    ]);
    expect(decoder.tableSize).toBe(222);
    expect(decoder.dynamicEntries).toBe(4);
  });

  it('evicts oldest entries when a size update shrinks the table, and empties it at 0', () => {
    const decoder = new HpackDecoder();
    decodeAll(decoder, block(hp.indexing('a', 'x'.repeat(10)), hp.indexing('b', 'y'.repeat(10))));
    expect(decoder.dynamicEntries).toBe(2);
    expect(decodeAll(decoder, block(hp.sizeUpdate(50), hp.indexed(62)))).toEqual([['b', 'yyyyyyyyyy']]);
    expect(decoder.dynamicEntries).toBe(1);
    expect(decodeAll(decoder, block(hp.sizeUpdate(0)))).toEqual([]);
    expect(decoder.dynamicEntries).toBe(0);
    expect(decodeAll(decoder, block(hp.indexed(62)))).toBe('hpack-bad-index');
  });

  it('never indexes literals without indexing, and keeps never-indexed ones out of the table', () => {
    const decoder = new HpackDecoder();
    expect(decodeAll(decoder, block(hp.plain(4, '/x'), hp.never(23, 'Bearer t')))).toEqual([
      [':path', '/x'],
      ['authorization', 'Bearer t'],
    ]);
    expect(decoder.dynamicEntries).toBe(0);
  });

  it.each([
    ['index 0', block([0x80]), 'hpack-bad-index'],
    ['an index past the tables', block(hp.indexed(70)), 'hpack-bad-index'],
    ['a truncated integer', block([0xff, 0x80]), 'hpack-truncated'],
    ['an integer past 2^28', block([0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]), 'hpack-integer-overflow'],
    ['a string past the block', block([0x40, 0x05, 0x61]), 'hpack-truncated'],
    ['bad Huffman', block([0x40, 0x81, 0xff, 0x00]), 'hpack-bad-huffman'],
    ['a size update after a field', block(hp.indexed(2), hp.sizeUpdate(100)), 'hpack-table-size-update'],
    ['a size update past the bound', block(hp.sizeUpdate(1 << 20)), 'hpack-table-size-update'],
    ['an empty block', block(), []],
  ])('%s', (_name, bytes, expected) => {
    expect(decodeAll(new HpackDecoder(), bytes)).toEqual(expected);
  });

  it('bounds the decoded header list', () => {
    const decoder = new HpackDecoder({ maxTableSize: 4096, maxHeaderListSize: 100 });
    expect(decodeAll(decoder, block(hp.plain('x', 'v'.repeat(80))))).toBe('header-list-too-large');
  });

  it('joined mid-connection: unknown dynamic entries are reported as unknown, new ones are known', () => {
    const decoder = new HpackDecoder();
    decoder.partial = true;
    expect(
      decodeAll(decoder, block(hp.indexed(8), hp.indexed(70), hp.indexing(75, 'v'), hp.indexing('k', 'w'))),
    ).toEqual([
      [':status', '200'],
      [undefined, undefined],
      [undefined, undefined],
      ['k', 'w'],
    ]);
    expect(decoder.sawUnknown).toBe(true);
    // Newest first: 62 is k: w, 63 the entry with an unknown name, 64 predates the capture.
    expect(decodeAll(decoder, block(hp.indexed(62), hp.indexed(63), hp.indexed(64)))).toEqual([
      ['k', 'w'],
      [undefined, undefined],
      [undefined, undefined],
    ]);
  });
});

describe('HPACK on arbitrary bytes', () => {
  it('never throws, and keeps its table within the announced size', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }),
        fc.boolean(),
        (blocks, partial) => {
          const decoder = new HpackDecoder({ maxTableSize: 4096, maxHeaderListSize: 8192 });
          decoder.partial = partial;
          for (const bytes of blocks) {
            if (decoder.decode(bytes, 0, bytes.length, () => undefined) !== undefined) break;
            expect(decoder.tableSize).toBeLessThanOrEqual(4096);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
