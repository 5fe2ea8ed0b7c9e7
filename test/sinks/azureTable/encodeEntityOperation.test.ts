import { mergeByRowKey } from '../../../shared/sinks/azureTable/azureTableSink';
import {
  encodeEntity,
  encodeEntityOperation,
  entityJson,
  TABLE_LIMITS,
} from '../../../shared/sinks/azureTable/encode';
import { mergeEntityJson, serializeEntity } from '../../../shared/sinks/azureTable/transactionBody';
import type { TraceRecord } from '../../../shared/record/traceRecord';
import { makeRecord } from '../../support/traceRecords';
import { oversizedRecord } from './support/oversizedRecord';

/** Records covering every column type and every rule of encodeEntity (skips, truncation, errors). */
const RECORDS: Array<[string, TraceRecord]> = [
  ['a realistic HTTP record', makeRecord(3)],
  ['L3/L4 only', { ...makeRecord(4), L7Protocol: undefined, HttpMethod: undefined, HttpPath: undefined }],
  [
    'escapes, unicode, lone surrogates and controls',
    makeRecord(5, {
      HttpPath: '/ünïcödé/😀?q="x"&y=\\1\n\t\u0000\u001f\u2028',
      HttpUserAgent: 'bad \ud800 surrogate \udc00',
      NodeName: "node-'quoted'|x/y#z?",
    }),
  ],
  ['a 32K string cut with its marker', makeRecord(6, { HttpUserAgent: '€'.repeat(40_000) })],
  ['a cut landing inside a surrogate pair', makeRecord(7, { HttpPath: '😀'.repeat(20_000) })],
  [
    'dynamic columns: objects, arrays, strings, numbers',
    makeRecord(8, {
      TlsAlpn: ['h2', 'http/1.1'],
      SourceLabels: { 'app.kubernetes.io/name': 'wéb', empty: '', quote: '"' },
    }),
  ],
  ['booleans', makeRecord(9, { DnsIsResponse: true })],
  ['false booleans', makeRecord(10, { DnsIsResponse: false })],
  [
    'longs at the edges, a non-integer long and a non-finite int left out',
    makeRecord(11, { TcpSeq: 2 ** 53 - 1, TcpAck: 0, L7LatencyNs: 1e21, PacketBytes: Number.NaN }),
  ],
  [
    'a non-integer long and an infinite int left out',
    makeRecord(12, { TcpSeq: 1.5, PayloadBytes: Number.POSITIVE_INFINITY, SourcePort: -0 }),
  ],
  ['an invalid TimeGenerated left out', makeRecord(13, { TimeGenerated: 'not a date' })],
  ['a non-canonical TimeGenerated normalised', makeRecord(14, { TimeGenerated: '2026-11-25T09:00:00Z' })],
  [
    'undeclared fields and nulls left out, SchemaVersion last',
    {
      ...makeRecord(15),
      SchemaVersion: 'v0',
      Extra: 'dropped',
      HttpHost: null,
      partitionKey: 'forged',
    } as unknown as TraceRecord,
  ],
  ['too large after truncation', oversizedRecord(16)],
  [
    'a record with only its keys',
    { TimeGenerated: '2026-11-25T09:00:00.000Z', RecordId: 'only-keys' } as TraceRecord,
  ],
];

describe('encodeEntityOperation + entityJson', () => {
  it.each(RECORDS)(
    '%s: the keys, size, errors and JSON of encodeEntity + serializeEntity',
    (_name, record) => {
      for (const layout of [1, 4]) {
        const before = JSON.stringify(record);
        const reference = encodeEntity(record, layout);
        const encoded = encodeEntityOperation(record, layout);
        expect(JSON.stringify(record)).toBe(before);
        if (!reference.ok) {
          expect(encoded).toEqual(reference);
          continue;
        }
        if (!encoded.ok) throw new Error(`encodeEntityOperation failed: ${encoded.reason}`);
        const entity = reference.value.payload;
        expect(encoded.value).toEqual({
          record,
          payload: { partitionKey: entity.partitionKey, rowKey: entity.rowKey },
          bytes: reference.value.bytes,
          group: reference.value.group,
        });
        expect(entityJson(record, entity.partitionKey, entity.rowKey)).toBe(serializeEntity(entity));
        expect(JSON.stringify(record)).toBe(before);
        expect(encoded.value.bytes).toBeLessThanOrEqual(3 * TABLE_LIMITS.maxEntityBytes + 600);
      }
    },
  );

  it('writes valid JSON naming PartitionKey and RowKey first', () => {
    const json = entityJson(makeRecord(1), 'p', 'r');
    expect(Object.keys(JSON.parse(json) as object).slice(0, 3)).toEqual([
      'PartitionKey',
      'RowKey',
      'TimeGenerated@odata.type',
    ]);
  });
});

describe('mergeEntityJson', () => {
  const entity = (record: TraceRecord) => {
    const result = encodeEntity(record, 1);
    if (!result.ok) throw new Error(result.reason);
    return result.value.payload;
  };
  const l4 = { ...makeRecord(1), HttpMethod: undefined, HttpPath: undefined, L7Protocol: undefined };
  it.each([
    ['L3/L4 then HTTP (later adds properties)', l4, makeRecord(1)],
    ['HTTP then L3/L4 (earlier properties kept)', makeRecord(1), l4],
    ['identical', makeRecord(1), makeRecord(1)],
    [
      'later values win, Int64 and DateTime included',
      makeRecord(1),
      makeRecord(1, { TcpSeq: 7, TimeGenerated: '2027-01-01T00:00:00.000Z', HttpPath: '/"later"' }),
    ],
  ])('%s: the text of serializing the merged entities', (_name, first, later) => {
    const [merged] = mergeByRowKey([entity(first), entity(later)]);
    expect(mergeEntityJson(serializeEntity(entity(first)), serializeEntity(entity(later)))).toBe(
      serializeEntity(merged!),
    );
  });

  it('throws on text that is not JSON (never built by the sink)', () => {
    expect(() => mergeEntityJson('', '{}')).toThrow(SyntaxError);
  });
});
