import { billedRowBytes } from '../../estimate/billedBytes';
import { BYTES_PER_GB } from '../../estimate/projectCost';
import type { TraceRecord } from '../../record/traceRecord';
import type { QueryView, ViewRow } from './queryView';
import { groupBy, round, timeMs } from './viewFunctions';

/**
 * `cost-by-configuration`: billed gigabytes per day, configuration and capture level
 * (`queries/cost-per-configuration-daily.kql`). Azure Table has no `_BilledSize`; each record's
 * billed size is computed as Log Analytics bills it (`billedRowBytes`, as `tracectl estimate` does).
 */
export const costByConfigurationView: QueryView = {
  name: 'cost-by-configuration',
  kqlFile: 'cost-per-configuration-daily.kql',
  summary: 'Log Analytics billed GB these records make, per day, TraceConfiguration and capture level',
  columns: ['Day', 'TraceConfiguration', 'CaptureLevel', 'BilledGB', 'Records'],
  localColumns: ['BilledBytes'],
  aggregate(records: readonly TraceRecord[]): ViewRow[] {
    const dated = records
      .map((record) => ({ record, ms: timeMs(record.TimeGenerated) }))
      .filter((d): d is { record: TraceRecord; ms: number } => d.ms !== undefined)
      .map((d) => ({ record: d.record, day: `${new Date(d.ms).toISOString().slice(0, 10)}T00:00:00.000Z` }));
    const rows = [
      ...groupBy(dated, (d) => [d.day, d.record.TraceConfiguration, d.record.CaptureLevel]).values(),
    ].map((group): ViewRow => {
      const first = group[0]!;
      const bytes = group.reduce(
        (total, d) => total + billedRowBytes(d.record as unknown as Record<string, unknown>),
        0,
      );
      return {
        Day: first.day,
        TraceConfiguration: first.record.TraceConfiguration ?? '',
        CaptureLevel: first.record.CaptureLevel ?? '',
        BilledGB: round(bytes / BYTES_PER_GB, 4),
        Records: group.length,
        BilledBytes: bytes,
      };
    });
    return rows.sort((a, b) =>
      a.Day === b.Day ? (b.BilledBytes as number) - (a.BilledBytes as number) : a.Day! < b.Day! ? 1 : -1,
    );
  },
};
