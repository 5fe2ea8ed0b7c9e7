import { readCapture } from '../../../shared/capture/readCapture';
import { decodePacket } from '../../../shared/packet/decodePacket';
import { demoBatches, demoIdentities, DEMO_CLUSTER } from '../../../shared/local/demo/demoCluster';

describe('demo cluster', () => {
  const start = Date.UTC(2026, 10, 25, 10, 0, 0);
  const batches = demoBatches(start);

  it('builds one readable pcapng batch per node with trace-point interface names', () => {
    expect(batches.map((b) => b.node)).toEqual(['aks-node-1', 'aks-node-2']);
    for (const batch of batches) {
      const capture = readCapture(batch.capture);
      expect(capture.format).toBe('pcapng');
      expect(capture.problems).toEqual([]);
      expect(capture.packets).toHaveLength(batch.packets);
      for (const iface of capture.interfaces) expect(iface.tracePoint).toBeDefined();
      for (const packet of capture.packets) {
        const decoded = decodePacket(packet, packet.interface.linkType);
        expect(decoded.malformed).toBeUndefined();
        expect(decoded.tracePoint).toBeDefined();
        expect(decoded.timestampSec).toBeGreaterThanOrEqual(start / 1000);
      }
    }
  });

  it('is deterministic for a given start time', () => {
    expect(Buffer.from(demoBatches(start)[0]!.capture).equals(Buffer.from(batches[0]!.capture))).toBe(true);
  });

  it('describes every address the traffic uses', () => {
    const identities = demoIdentities('2026-11-25T10:00:00Z');
    expect(identities.cluster).toBe(DEMO_CLUSTER);
    const known = new Set(identities.endpoints.map((e) => e.ip));
    const seen = new Set<string>();
    for (const batch of batches) {
      for (const packet of readCapture(batch.capture).packets) {
        const decoded = decodePacket(packet, packet.interface.linkType);
        for (const ip of [decoded.sourceIp, decoded.destinationIp]) if (ip !== undefined) seen.add([...ip].join('.'));
      }
    }
    expect([...seen].filter((ip) => !known.has(ip))).toEqual(['93.184.215.14']);
  });
});
