import { decodeEntity } from '../../../shared/sinks/azureTable/decode';
import { encodeEntity } from '../../../shared/sinks/azureTable/encode';
import { makeRecord } from '../../support/traceRecords';
import type { TraceRecord } from '../../../shared/record/traceRecord';

describe('decodeEntity', () => {
  it('inverts encodeEntity for every column type', () => {
    const record: TraceRecord = {
      ...makeRecord(1),
      TimeGenerated: '2026-11-25T10:00:00.123456Z',
      TimestampNs: '1795600800123456789',
      TcpSeq: 4_000_000_000,
      SourceLabels: { app: 'web' },
      DnsIsResponse: true,
      DnsAnswers: [{ type: 'A', value: '10.0.0.1', ttl: 30 }],
      TlsAlpn: ['h2'],
    };
    const encoded = encodeEntity(record);
    if (!encoded.ok) throw new Error(encoded.reason);
    // As the SDK returns them: Int64 as bigint, DateTime as Date.
    const entity: Record<string, unknown> = { ...encoded.value.payload };
    for (const [key, value] of Object.entries(entity)) {
      if (typeof value === 'object' && value !== null && (value as { type?: string }).type === 'Int64')
        entity[key] = BigInt((value as { value: string }).value);
    }
    expect(decodeEntity(entity)).toEqual(record);
  });

  it('round-trips the HTTP/2, gRPC and robustness columns with their types', () => {
    const record: TraceRecord = {
      ...makeRecord(2),
      TimeGenerated: '2026-11-25T10:00:00.123456Z',
      TimestampNs: '1795600800123456789',
      HttpVersion: '2',
      Http2StreamId: 2_147_483_647,
      GrpcService: 'pkg.Greeter',
      GrpcMethod: 'SayHello',
      GrpcStatusCode: 14,
      GrpcMessage: 'überlastet',
      GrpcMessageCount: 12,
      L7Partial: true,
      DnsParseError: 'question 1 at offset 12: compression pointer loop',
      IpFragmentOverlap: true,
      IpFragmentIrregular: true,
    };
    const encoded = encodeEntity(record);
    if (!encoded.ok) throw new Error(encoded.reason);
    const entity: Record<string, unknown> = { ...encoded.value.payload };
    expect(entity['Http2StreamId']).toEqual({ type: 'Int64', value: '2147483647' });
    expect([entity['L7Partial'], entity['GrpcStatusCode']]).toEqual([true, 14]);
    for (const [key, value] of Object.entries(entity)) {
      if (typeof value === 'object' && value !== null && (value as { type?: string }).type === 'Int64')
        entity[key] = BigInt((value as { value: string }).value);
    }
    expect(decodeEntity(entity)).toEqual(record);
  });

  it.each([
    ['an empty entity', {}],
    ['an entity without TimestampNs', { RecordId: 'x' }],
  ])('returns undefined for %s', (_name, entity) => {
    expect(decodeEntity(entity)).toBeUndefined();
  });

  it('keeps a damaged dynamic column as text instead of failing', () => {
    const decoded = decodeEntity({ RecordId: 'r', TimestampNs: '1000000000', SourceLabels: '{broken' });
    expect(decoded?.SourceLabels).toBe('{broken');
    expect(decoded?.TimeGenerated).toBe('1970-01-01T00:00:01.000000Z');
  });
});
