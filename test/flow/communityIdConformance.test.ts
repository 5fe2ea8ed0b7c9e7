import { describeWithSharedData } from '../support/sharedData';
import { catchAll, oracleByFrame, publicCaptures, recordsOfCapture } from './support/flowOracle';

describeWithSharedData('captures/oracle-flows', 'CommunityId agrees with tshark 4.0 on every record', () => {
  const files = publicCaptures();
  const totals = { records: 0, agreed: 0, layer7: 0 };

  it('covers every public capture of the manifest', () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
  });

  it.each(files)('%s: packet and layer-7 records carry tshark’s communityid', (file) => {
    const oracle = oracleByFrame(file);
    const disagreements: string[] = [];
    for (const record of recordsOfCapture(file, catchAll('AllPackets'))) {
      const row = oracle.get(record.CaptureFrame!);
      // tshark prints one value per layer; a tunnelled frame would list several, the outer first.
      const theirs = row?.communityid?.split(',')[0] ?? '';
      totals.records++;
      if (record.L7Protocol !== undefined) totals.layer7++;
      if ((record.CommunityId ?? '') === theirs) totals.agreed++;
      else
        disagreements.push(
          `frame ${record.CaptureFrame}: ours ${JSON.stringify(record.CommunityId)}, tshark ${JSON.stringify(theirs)}`,
        );
    }
    expect(disagreements).toEqual([]);
  });

  it('agrees on 100% of records (layer-7 records included)', () => {
    expect(totals.records).toBeGreaterThan(8000);
    expect(totals.layer7).toBeGreaterThan(1000);
    expect(totals.agreed).toBe(totals.records);
  });
});
