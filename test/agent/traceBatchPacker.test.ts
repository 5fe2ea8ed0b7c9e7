import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { TraceBatchPacker, type TraceBatchEvent } from '../../shared/agent/traceBatchPacker';
import type { CaptureInterface, CapturePacket } from '../../shared/capture/capturePacket';
import { readCapture } from '../../shared/capture/readCapture';
import { demoBatches } from '../../shared/local/demo/demoCluster';
import { TRACE_BATCH_SCHEMA } from '../../shared/pipeline/traceEvent';

const DEMO = demoBatches(Date.UTC(2026, 10, 25, 10)).flatMap((batch) => readCapture(batch.capture).packets);

function iface(overrides: Partial<CaptureInterface> = {}): CaptureInterface {
  return { index: 0, section: 0, linkType: 1, snapLength: 0, tsResolution: 9, tsOffsetSec: 0, ...overrides };
}

function packet(frame: number, data: Uint8Array, overrides: Partial<CapturePacket> = {}): CapturePacket {
  return {
    frame,
    interface: iface({ name: 'PodToNode/veth0', tracePoint: 'PodToNode', ifName: 'veth0' }),
    timestampSec: 1_795_600_800 + frame,
    timestampNsec: frame * 1_001,
    hasTimestamp: true,
    originalLength: data.length,
    data,
    direction: 'outbound',
    offset: 0,
    ...overrides,
  };
}

/** What an event carries, packet by packet, as the ingest side reads it. */
function unpack(events: TraceBatchEvent[]) {
  return events.flatMap((event) => {
    const capture = readCapture(gunzipSync(event.body));
    expect(capture.format).toBe('pcapng');
    expect(capture.problems).toEqual([]);
    expect(capture.packets).toHaveLength(event.packets);
    return capture.packets.map((p) => ({
      data: Buffer.from(p.data).toString('hex'),
      timestampSec: p.timestampSec,
      timestampNsec: p.timestampNsec,
      name: p.interface.name,
      linkType: p.interface.linkType,
      direction: p.direction,
    }));
  });
}

function expected(
  packets: CapturePacket[],
  name: (p: CapturePacket) => string | undefined = (p) => p.interface.name,
) {
  return packets.map((p) => ({
    data: Buffer.from(p.data).toString('hex'),
    timestampSec: p.timestampSec,
    timestampNsec: p.timestampNsec,
    name: name(p),
    linkType: p.interface.linkType,
    direction: p.direction,
  }));
}

describe('TraceBatchPacker', () => {
  it('packs the demo packets into one gzip pcapng event with trace-point interface names, in order, with nanosecond timestamps', () => {
    const packer = new TraceBatchPacker({ cluster: 'c1', node: 'n1', configurationHint: 'shop/shop-http' });
    const events = DEMO.flatMap((p) => packer.add(p));
    expect(events).toEqual([]);
    events.push(...packer.flush());
    expect(events).toHaveLength(1);
    expect(events[0]!.properties).toEqual({
      'trace-schema': TRACE_BATCH_SCHEMA,
      cluster: 'c1',
      node: 'n1',
      'content-encoding': 'gzip',
      'trace-configuration': 'shop/shop-http',
    });
    expect(events[0]!.packets).toBe(DEMO.length);
    expect(events[0]!.rawBytes).toBe(gunzipSync(events[0]!.body).length);
    expect(unpack(events)).toEqual(expected(DEMO));
    expect(new Set(unpack(events).map((p) => p.name))).toEqual(
      new Set([
        'PodToNode/vethfront',
        'NodeToPod/vethfront',
        'NodeToNetwork/eth0',
        'NetworkToNode/eth0',
        'PodToNode/vethcheck',
        'NodeToPod/vethcheck',
      ]),
    );
    expect(packer.flush()).toEqual([]);
  });

  it('cuts a batch whenever the raw size reaches targetRawBytes', () => {
    const packets = Array.from({ length: 10 }, (_, i) => packet(i + 1, new Uint8Array(100).fill(i)));
    const packer = new TraceBatchPacker({ cluster: 'c', node: 'n', targetRawBytes: 3 * 132 });
    const counts = packets.map((p) => packer.add(p).map((e) => e.packets));
    expect(counts).toEqual([[], [], [3], [], [], [3], [], [], [3], []]);
    const rest = packer.flush();
    expect(rest.map((e) => e.packets)).toEqual([1]);
  });

  it.each([800, 1_500, 2_500])(
    'splits until every event fits in %i bytes and keeps every packet in order',
    (maxEventBytes) => {
      const packets = Array.from({ length: 24 }, (_, i) => packet(i + 1, randomBytes(150 + i * 7)));
      const packer = new TraceBatchPacker({ cluster: 'c', node: 'n', maxEventBytes });
      for (const p of packets) expect(packer.add(p)).toEqual([]);
      const events = packer.flush();
      expect(events.length).toBeGreaterThan(1);
      for (const event of events) expect(event.body.length).toBeLessThanOrEqual(maxEventBytes);
      expect(events.reduce((sum, e) => sum + e.packets, 0)).toBe(packets.length);
      expect(unpack(events)).toEqual(expected(packets));
      expect(packer.oversized).toEqual([]);
    },
  );

  it('reports a packet that alone exceeds the limit and keeps the others', () => {
    const packets = [packet(1, randomBytes(60)), packet(2, randomBytes(4_000)), packet(3, randomBytes(60))];
    const packer = new TraceBatchPacker({ cluster: 'c', node: 'n', maxEventBytes: 1_000 });
    packets.forEach((p) => packer.add(p));
    const events = packer.flush();
    expect(unpack(events)).toEqual(expected([packets[0]!, packets[2]!]));
    expect(packer.oversized).toEqual([{ frame: 2, compressedBytes: expect.any(Number) as unknown }]);
    expect(packer.oversized[0]!.compressedBytes).toBeGreaterThan(1_000);
  });

  it.each<[string, Partial<CaptureInterface>, string | undefined, string]>([
    [
      'a trace point name',
      { name: 'PodToNode/veth0', tracePoint: 'PodToNode', ifName: 'veth0' },
      undefined,
      'PodToNode/veth0',
    ],
    ['a plain name with a default trace point', { name: 'eth0' }, 'NodeToNetwork', 'NodeToNetwork/eth0'],
    ['a plain name without a default', { name: 'eth0' }, undefined, 'eth0'],
    ['no name with a default trace point', { index: 3 }, 'NetworkToNode', 'NetworkToNode/if3'],
  ])('names the interface from %s', (_case, source, defaultTracePoint, name) => {
    const packer = new TraceBatchPacker({
      cluster: 'c',
      node: 'n',
      ...(defaultTracePoint !== undefined ? { defaultTracePoint: defaultTracePoint as 'NodeToNetwork' } : {}),
    });
    packer.add(packet(1, randomBytes(80), { interface: iface(source) }));
    const events = packer.flush();
    expect(unpack(events).map((p) => p.name)).toEqual([name]);
  });

  it('keeps interfaces with the same name but different link types apart', () => {
    const packets = [
      packet(1, randomBytes(40), { interface: iface({ name: 'eth0', linkType: 1 }) }),
      packet(2, randomBytes(40), { interface: iface({ name: 'eth0', linkType: 101 }) }),
    ];
    const packer = new TraceBatchPacker({ cluster: 'c', node: 'n' });
    packets.forEach((p) => packer.add(p));
    expect(unpack(packer.flush()).map((p) => `${String(p.name)}:${p.linkType}`)).toEqual([
      'eth0:1',
      'eth0:101',
    ]);
  });

  it('produces nothing for nothing', () => {
    expect(new TraceBatchPacker({ cluster: 'c', node: 'n' }).flush()).toEqual([]);
  });
});
