import { oversizedRecord } from './support/oversizedRecord';
import { encodeEntity, TABLE_LIMITS } from '../../../shared/sinks/azureTable/encode';
import { TRUNCATION_MARKER } from '../../../shared/sinks/truncate';
import { makeRecord } from '../../support/traceRecords';

describe('encodeEntity', () => {
  it('types columns: Int32 numbers, Int64 for long, Date for TimeGenerated, JSON strings for dynamic', () => {
    const result = encodeEntity(makeRecord(3, { DnsIsResponse: false, TlsAlpn: ['h2'] }));
    if (!result.ok) throw new Error(result.reason);
    const e = result.value.payload;
    expect(e).toMatchObject({
      SchemaVersion: 'v1',
      SourcePort: 40003,
      TcpSeq: { value: '3000000003', type: 'Int64' },
      DestinationLabels: '{"app":"api","tier":"backend"}',
      TlsAlpn: '["h2"]',
      DnsIsResponse: false,
      RecordId: 'rec00000003',
    });
    expect(e.TimeGenerated).toBeInstanceOf(Date);
    expect(result.value.group).toBe(e.partitionKey);
    expect(e.CaptureFrame).toBeUndefined();
  });

  it.each([
    [
      'omits absent values',
      makeRecord(1, { HttpPath: undefined }),
      (e: Record<string, unknown>) => !('HttpPath' in e),
    ],
    [
      'skips an unparsable TimeGenerated',
      makeRecord(1, { TimeGenerated: 'nope' }),
      (e: Record<string, unknown>) => !('TimeGenerated' in e),
    ],
    [
      'truncates long strings with the marker',
      makeRecord(1, { HttpUserAgent: 'u'.repeat(100_000) }),
      (e: Record<string, unknown>) =>
        String(e.HttpUserAgent).length === TABLE_LIMITS.maxStringChars &&
        String(e.HttpUserAgent).endsWith(TRUNCATION_MARKER),
    ],
    [
      'drops a non-numeric int and a fractional long',
      makeRecord(1, { SourcePort: 'x' as unknown as number, TcpSeq: 1.5 }),
      (e: Record<string, unknown>) => !('SourcePort' in e) && !('TcpSeq' in e),
    ],
    [
      'stores a non-true bool as false',
      makeRecord(1, { DnsIsResponse: 'yes' as unknown as boolean }),
      (e: Record<string, unknown>) => e.DnsIsResponse === false,
    ],
    [
      'keeps its own keys over same-named undeclared record fields',
      {
        ...makeRecord(1),
        partitionKey: 'forged',
        rowKey: 'forged',
        SchemaVersion: 'v0',
        Extra: 1,
      } as ReturnType<typeof makeRecord>,
      (e: Record<string, unknown>) =>
        e.partitionKey !== 'forged' &&
        e.rowKey === 'rec00000001' &&
        e.SchemaVersion === 'v1' &&
        !('Extra' in e),
    ],
  ])('%s', (_name, record, check) => {
    const before = JSON.stringify(record);
    const result = encodeEntity(record);
    expect(JSON.stringify(record)).toBe(before);
    expect(result.ok && check(result.value.payload)).toBe(true);
  });

  it('rejects an entity above 1 MiB even after truncation', () => {
    const record = oversizedRecord(1);
    expect(encodeEntity(record)).toMatchObject({ ok: false, code: 'ENTITY_TOO_LARGE' });
  });
});
