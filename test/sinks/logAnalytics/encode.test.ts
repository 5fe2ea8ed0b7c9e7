import { encodeLogsRow } from '../../../shared/sinks/logAnalytics/encode';
import { validateRows } from '../../../shared/local/validateRows';
import { TRACE_RECORD_COLUMNS } from '../../../shared/record/traceRecord';
import { TRUNCATION_MARKER } from '../../../shared/sinks/truncate';
import { makeRecord } from '../../support/traceRecords';

describe('encodeLogsRow', () => {
  it.each([
    [
      'an L3/L4 record',
      makeRecord(1, {
        L7Protocol: undefined,
        HttpMethod: undefined,
        HttpPath: undefined,
        HttpHost: undefined,
        HttpVersion: undefined,
        HttpUserAgent: undefined,
      }),
    ],
    ['an HTTP record', makeRecord(2)],
    [
      'a DNS record',
      makeRecord(3, {
        L7Protocol: 'DNS',
        DnsAnswers: [{ type: 'A', value: '1.2.3.4', ttl: 30 }],
        DnsIsResponse: true,
      }),
    ],
    ['a minimal record', { TimeGenerated: '2026-01-01T00:00:00Z', TimestampNs: '1', RecordId: 'x' }],
  ])('encodes %s as a row the stream declaration accepts', (_name, record) => {
    const result = encodeLogsRow(record);
    if (!result.ok) throw new Error(result.reason);
    expect(validateRows(JSON.stringify([result.value.payload]), TRACE_RECORD_COLUMNS)).toMatchObject({
      ok: true,
    });
    expect(result.value.bytes).toBe(Buffer.byteLength(JSON.stringify(result.value.payload)) + 1);
  });

  it('drops CaptureFrame, keeps dynamic values as JSON, cuts long strings', () => {
    const result = encodeLogsRow(makeRecord(1, { CaptureFrame: 9, HttpPath: 'p'.repeat(50_000) }));
    if (!result.ok) throw new Error(result.reason);
    expect(result.value.payload.CaptureFrame).toBeUndefined();
    expect(result.value.payload.DestinationLabels).toEqual({ app: 'api', tier: 'backend' });
    expect(String(result.value.payload.HttpPath).endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(String(result.value.payload.HttpPath).length).toBe(32 * 1024);
  });

  it('sends a record of declared columns as it is, without copying it', () => {
    const record = makeRecord(4);
    const result = encodeLogsRow(record);
    if (!result.ok) throw new Error(result.reason);
    expect(result.value.payload).toBe(record);
  });

  it.each([
    ['a string beyond the limit', { HttpUserAgent: 'u'.repeat(40_000) }],
    ['an explicitly undefined column', { HttpUserAgent: undefined }],
    ['an undeclared column', { Extra: 'x' }],
  ])('copies a record with %s, leaving the record itself unchanged', (_name, overrides) => {
    const record = makeRecord(5, overrides as Partial<ReturnType<typeof makeRecord>>);
    const before = JSON.stringify(record);
    const result = encodeLogsRow(record);
    if (!result.ok) throw new Error(result.reason);
    expect(result.value.payload).not.toBe(record);
    expect(Object.keys(result.value.payload)).not.toContain('Extra');
    expect(Object.values(result.value.payload)).not.toContain(undefined);
    expect(JSON.stringify(record)).toBe(before);
    expect(result.value.bytes).toBe(Buffer.byteLength(JSON.stringify(result.value.payload)) + 1);
  });
});
