import { costByConfigurationView } from '../../../shared/cli/queryViews/costByConfigurationView';
import { billedRowBytes } from '../../../shared/estimate/billedBytes';
import type { TraceRecord } from '../../../shared/record/traceRecord';
import { record } from './records';

const HOUR = 3_600_000;
const a = (ms: number): TraceRecord =>
  record(ms, { TraceConfiguration: 'shop/a', CaptureLevel: 'AllPackets', SourceIp: '10.0.0.1' });
const b = (ms: number): TraceRecord =>
  record(ms, {
    TraceConfiguration: 'shop/b',
    CaptureLevel: 'FlowSummary',
    SourceIp: '10.0.0.1',
    DestinationIp: '10.0.0.2',
  });

describe('cost-by-configuration (cost-per-configuration-daily.kql)', () => {
  it.each<[string, TraceRecord[], object[]]>([
    ['an empty window', [], []],
    ['a record with an unreadable time is left out', [{ ...a(0), TimeGenerated: 'soon' }], []],
    [
      'per day, configuration and level; newest day first, then most billed bytes',
      [a(0), a(HOUR), b(0), b(20 * HOUR)],
      [
        {
          Day: '2026-12-02T00:00:00.000Z',
          TraceConfiguration: 'shop/b',
          Records: 1,
          BilledBytes: billedRowBytes({ ...b(20 * HOUR) }),
        },
        {
          Day: '2026-12-01T00:00:00.000Z',
          TraceConfiguration: 'shop/a',
          CaptureLevel: 'AllPackets',
          Records: 2,
          BilledGB: 0,
          BilledBytes: billedRowBytes({ ...a(0) }) + billedRowBytes({ ...a(HOUR) }),
        },
        { Day: '2026-12-01T00:00:00.000Z', TraceConfiguration: 'shop/b', Records: 1 },
      ],
    ],
  ])('%s', (_name, records, expected) => {
    const rows = costByConfigurationView.aggregate(records);
    expect(rows).toHaveLength(expected.length);
    expected.forEach((row, index) => expect(rows[index]).toMatchObject(row));
  });

  it('rounds billed gigabytes to 4 places as the .kql does', () => {
    const big = record(0, { TraceConfiguration: 'shop/a', HttpPath: 'x'.repeat(300_000) });
    expect(costByConfigurationView.aggregate([big])[0]).toMatchObject({ BilledGB: 0.0003 });
  });
});
