import { readFileSync } from 'node:fs';
import { describeWithSharedData, hasSharedData, sharedPath } from '../support/sharedData';
import { h2OracleItems, missing, ourH2Items } from './support/h2Oracle';

function h2Captures(): string[] {
  if (!hasSharedData('captures/h2/MANIFEST.tsv')) return [];
  return readFileSync(sharedPath('captures', 'h2', 'MANIFEST.tsv'), 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() !== '')
    .map((line) => line.split('\t')[0]!);
}

describeWithSharedData(
  'captures/h2',
  'HTTP/2 and gRPC agree with the tshark 4.0 oracle (captures/h2)',
  () => {
    const totals = { oracle: 0, agreed: 0 };

    it.each(h2Captures())(
      '%s: every request, status and gRPC status tshark decodes is in our records',
      (file) => {
        const oracle = h2OracleItems(file);
        const { items: ours, stats, partial } = ourH2Items(file);
        const disagreements: string[] = [];
        for (const [connection, expected] of oracle) {
          const mine = ours.get(connection) ?? { requests: [], statuses: [], grpcStatuses: [] };
          for (const kind of ['requests', 'statuses', 'grpcStatuses'] as const) {
            const absent = missing(expected[kind], mine[kind]);
            totals.oracle += expected[kind].length;
            totals.agreed += expected[kind].length - absent.length;
            for (const item of absent) disagreements.push(`${connection} ${kind}: ${item}`);
            // Nothing invented either: we report no more than tshark decodes.
            for (const item of missing(mine[kind], expected[kind]))
              disagreements.push(`${connection} extra ${kind}: ${item}`);
          }
        }
        expect(disagreements).toEqual([]);
        expect(stats).toMatchObject({ http2Aborted: 0, internalErrors: 0 });
        // Every capture starts with its connections: nothing is partial.
        expect(partial).toBe(0);
      },
    );

    it('agrees on every item (totals)', () => {
      expect(totals.oracle).toBeGreaterThanOrEqual(394);
      expect(totals.agreed).toBe(totals.oracle);
      console.log(`HTTP/2 conformance: ${totals.agreed} of ${totals.oracle} oracle items agree`);
    });
  },
);
