import { describeWithSharedData } from '../support/sharedData';
import { catchAll, publicCaptures, recordsOfCapture } from './support/flowOracle';
import { compareStreams } from './support/streamOracle';

describeWithSharedData('captures/oracle-flows', 'FlowSummary agrees with tshark 4.0 streams', () => {
  const files = publicCaptures();
  const totals = { streams: 0, agreed: 0 };

  it.each(files)(
    '%s: per tcp.stream/udp.stream, packets and bytes each way, start and end (interval 0, idle 0)',
    (file) => {
      const result = compareStreams(file);
      totals.streams += result.streams;
      totals.agreed += result.agreed;
      expect(result.disagreements).toEqual([]);
    },
  );

  it('agrees on every stream of the 40 captures', () => {
    expect(totals.streams).toBeGreaterThan(300);
    expect(totals.agreed).toBe(totals.streams);
  });

  it.each(files)(
    '%s: with the default interval and idle timeouts every recorded packet is in exactly one flow record',
    (file) => {
      // One AllPackets record per packet, or one per layer-7 message it completes: count frames.
      const frames = new Map<number, number>();
      for (const r of recordsOfCapture(file, catchAll('AllPackets')))
        frames.set(r.CaptureFrame!, r.PacketBytes ?? 0);
      const flows = recordsOfCapture(file, catchAll('FlowSummary')).filter(
        (r) => r.CaptureLevel === 'FlowSummary' && r.FlowEndReason !== undefined,
      );
      const counted = flows.reduce(
        (n, r) => n + (r.PacketsFromSource ?? 0) + (r.PacketsFromDestination ?? 0),
        0,
      );
      const bytes = flows.reduce((n, r) => n + (r.BytesFromSource ?? 0) + (r.BytesFromDestination ?? 0), 0);
      expect({ packets: counted, bytes }).toEqual({
        packets: frames.size,
        bytes: [...frames.values()].reduce((n, b) => n + b, 0),
      });
      for (const flow of flows) {
        expect(BigInt(flow.FlowEndNs!)).toBeGreaterThanOrEqual(BigInt(flow.FlowStartNs!));
        expect(flow.CommunityId).toMatch(/^1:[A-Za-z0-9+/]{27}=$/);
      }
    },
  );
});
