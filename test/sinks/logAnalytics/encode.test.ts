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
});
