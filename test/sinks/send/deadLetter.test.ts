import {
  deadLetterBlobName,
  formatDeadLetter,
  parseDeadLetter,
  type DeadLetterBatch,
} from '../../../shared/sinks/send/deadLetter';
import { makeRecord } from '../../support/traceRecords';

const AT = new Date('2026-03-04T05:06:07.089Z');
const batch: DeadLetterBatch = {
  destination: 'azuretable',
  connection: 'TRACES_AZURETABLE',
  batchRef: 'eventhub:3:1200',
  entries: [
    { kind: 'record', code: 'HTTP_403', reason: 'forbidden', attempts: 1, record: makeRecord(1) },
    {
      kind: 'event',
      code: 'CAPTURE_UNREADABLE',
      reason: 'bad magic',
      body: 'AAEC',
      properties: { cluster: 'c' },
    },
  ],
};

describe('dead-letter format', () => {
  it('round-trips a batch through NDJSON with a header line', () => {
    const text = formatDeadLetter(batch, AT);
    expect(text.split('\n')[0]).toBe(
      '{"kind":"header","version":1,"destination":"azuretable","connection":"TRACES_AZURETABLE","batchRef":"eventhub:3:1200","deadLetteredAt":"2026-03-04T05:06:07.089Z","count":2}',
    );
    expect(parseDeadLetter(text, 'blob')).toEqual({ ...batch, deadLetteredAt: AT.toISOString() });
  });

  it.each([
    ['empty blob', '', 'blob line 1: bad header'],
    ['not JSON', '{"kind":"header"\n', 'blob line 1: not JSON'],
    [
      'wrong version',
      '{"kind":"header","version":2,"destination":"stdout","connection":"","batchRef":"","deadLetteredAt":"x","count":0}',
      'blob line 1: bad header at version',
    ],
    [
      'unknown destination',
      '{"kind":"header","version":1,"destination":"kafka","connection":"","batchRef":"","deadLetteredAt":"x","count":0}',
      'blob line 1: bad header at destination',
    ],
    [
      'entry without a record id',
      '{"kind":"header","version":1,"destination":"stdout","connection":"","batchRef":"","deadLetteredAt":"x","count":1}\n{"kind":"record","code":"c","reason":"r","attempts":1,"record":{"TimeGenerated":"t","TimestampNs":"1"}}',
      'blob line 2: bad entry at record.RecordId',
    ],
    [
      'unknown entry kind',
      '{"kind":"header","version":1,"destination":"stdout","connection":"","batchRef":"","deadLetteredAt":"x","count":1}\n{"kind":"other"}',
      'blob line 2: bad entry',
    ],
  ])('rejects %s naming the line', (_name, text, message) => {
    expect(() => parseDeadLetter(text, 'blob')).toThrow(message);
  });

  it.each([
    [batch, 'azuretable/TRACES_AZURETABLE/2026/03/04/05/20260304T050607089Z-id1.ndjson'],
    [
      { ...batch, destination: 'input' as const, connection: '' },
      'input/_/2026/03/04/05/20260304T050607089Z-id1.ndjson',
    ],
  ])('names blobs by destination, connection and date: %#', (b, expected) => {
    expect(deadLetterBlobName(b, AT, 'id1')).toBe(expected);
  });
});
