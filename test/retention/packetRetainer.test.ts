import { gunzipSync } from 'node:zlib';
import { readCapture } from '../../shared/capture/readCapture';
import { BlockType } from '../../shared/capture/pcapngParser';
import { createPartitionState } from '../../shared/pipeline/partitionState';
import { runBatch, type BatchResult } from '../../shared/pipeline/runBatch';
import { EMPTY_IDENTITY_LOOKUP } from '../../shared/enrich/identityStore';
import { compileConfigurations } from '../../shared/match/configurationMatcher';
import { PacketRetainer, RECORD_ID_COMMENT_PREFIX } from '../../shared/retention/packetRetainer';
import { parseCaptureRef } from '../../shared/retention/retainedBlobName';
import {
  buildBatch,
  configurationsFromYaml,
  recordsOf,
  type FrameSpec,
} from '../pipeline/support/pipelineFixtures';

const T0 = 1_772_366_400_000_000_000n; // 2026-03-01T12:00:00Z
const tcp = (sourcePort: number, destinationPort: number, flags = 0x02) => ({
  source: '10.0.0.1',
  destination: '10.0.0.2',
  transport: { protocol: 'tcp' as const, sourcePort, destinationPort, flags },
});

const FRAMES: FrameSpec[] = [
  { tracePoint: 'PodToNode', frame: tcp(40000, 80), timeNs: T0 + 1n },
  { tracePoint: 'PodToNode', frame: tcp(40000, 443), timeNs: T0 + 2n },
  { tracePoint: 'NodeToPod', frame: tcp(80, 40000, 0x12), timeNs: T0 + 3n },
  { tracePoint: 'PodToNode', frame: tcp(40000, 80, 0x10), timeNs: T0 + 1_000_000_123n },
];

const config = (name: string, port: number, annotation: string) => `
apiVersion: retina.sh/v1alpha1
kind: TraceConfiguration
metadata: {name: ${name}, namespace: ns${annotation === '' ? '' : `, annotations: {retina.sh/retain-packets: "${annotation}"}`}}
spec:
  traceConfigurations:
    - captureLevel: FirstPacket
      ports: [{port: ${port}, protocol: TCP}]
  outputConfiguration: {destination: stdout}
`;

function run(yaml: string[], retainPackets = true): BatchResult {
  const matcher = compileConfigurations(yaml.flatMap((text) => configurationsFromYaml(text)));
  return runBatch(
    { cluster: 'c1', node: 'n1', capture: buildBatch(FRAMES) },
    { matcher, identities: EMPTY_IDENTITY_LOOKUP, state: createPartitionState(), retainPackets },
  );
}

describe('retention in runBatch', () => {
  it('retains every matched packet of a retaining configuration, not only the recorded ones', () => {
    const result = run([config('web', 80, '7d')]);
    expect(result.counts.retainedPackets).toBe(3);
    const retained = result.retained!;
    expect(retained.index.retainDays).toBe(7);
    expect(retained.index.frames.map((f) => f.ns)).toEqual(
      [T0 + 1n, T0 + 3n, T0 + 1_000_000_123n].map(String),
    );
    // FirstPacket: one record per flow and trace point, each pointing at its own frame.
    const records = recordsOf(result);
    expect(records).toHaveLength(2);
    for (const record of records) {
      const ref = parseCaptureRef(record.CaptureRef!)!;
      expect(ref.blob).toBe(retained.blob);
      expect(retained.index.frames[ref.frame - 1]?.records).toEqual([record.RecordId]);
      expect(retained.index.frames[ref.frame - 1]?.ns).toBe(record.TimestampNs);
    }
  });

  it('writes a pcapng whose frames, timestamps, interfaces and comments match, with offsets at each block', () => {
    const result = run([config('web', 80, '7d')]);
    const raw = gunzipSync(result.retained!.body);
    expect(raw.length).toBe(result.retained!.rawBytes);
    const capture = readCapture(raw);
    expect(capture.problems).toEqual([]);
    const originals = readCapture(buildBatch(FRAMES)).packets.filter((_, i) => i !== 1);
    expect(
      capture.packets.map((p) => [p.timestampSec, p.timestampNsec, p.interface.name, p.direction]),
    ).toEqual(originals.map((p) => [p.timestampSec, p.timestampNsec, p.interface.name, p.direction]));
    capture.packets.forEach((packet, i) => {
      expect(Buffer.from(packet.data).equals(Buffer.from(originals[i]!.data))).toBe(true);
      expect(packet.interface.description).toBe('c1/n1');
      expect(raw.readUInt32LE(result.retained!.index.frames[i]!.offset)).toBe(BlockType.ENHANCED_PACKET);
    });
    const records = recordsOf(result);
    expect(capture.packets[0]!.comments).toEqual([`${RECORD_ID_COMMENT_PREFIX}${records[0]!.RecordId}`]);
    expect(capture.packets[2]!.comments).toBeUndefined();
    expect(capture.interfaces.map((i) => i.name)).toEqual(['PodToNode/veth0', 'NodeToPod/veth0']);
  });

  it('keeps one copy of a packet two retaining configurations match, for the longer retention', () => {
    const result = run([config('a', 80, '1d'), config('b', 80, '30d')]);
    expect(result.counts.retainedPackets).toBe(3);
    expect(result.retained!.index.retainDays).toBe(30);
    expect(result.retained!.index.frames[0]!.records).toHaveLength(2);
  });

  it('names the blob after cluster, node, hour of the first packet and the content', () => {
    const a = run([config('web', 80, '7d')]).retained!;
    const b = run([config('web', 80, '7d')]).retained!;
    expect(a.blob).toMatch(/^retained\/c1\/n1\/2026\/03\/01\/12\/[0-9a-f]{24}\.pcapng\.gz$/);
    expect(b.blob).toBe(a.blob);
  });

  it.each([
    ['a configuration without the annotation', [config('web', 80, '')], true],
    ['a runtime that does not retain (tracectl inspect)', [config('web', 80, '7d')], false],
    ['a retaining configuration that matches nothing', [config('web', 8443, '7d')], true],
  ])('retains nothing for %s', (_name, yaml, retainPackets) => {
    const result = run(yaml, retainPackets);
    expect(result.retained).toBeUndefined();
    expect(result.counts.retainedPackets).toBe(0);
    expect(recordsOf(result).some((r) => r.CaptureRef !== undefined)).toBe(false);
  });

  it('gives no CaptureRef to records of a non-retaining configuration matching a retained packet', () => {
    const result = run([config('kept', 80, '7d'), config('plain', 80, '')]);
    const byConfig = (key: string) => recordsOf(result).filter((r) => r.TraceConfiguration === key);
    expect(byConfig('ns/kept').every((r) => r.CaptureRef !== undefined)).toBe(true);
    expect(byConfig('ns/plain').every((r) => r.CaptureRef === undefined)).toBe(true);
  });

  it('an empty retainer writes nothing', () => {
    expect(new PacketRetainer({ cluster: 'c', node: 'n' }).finish()).toBeUndefined();
  });
});
