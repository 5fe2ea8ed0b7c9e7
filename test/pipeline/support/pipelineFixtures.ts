/**
 * Fixtures for pipeline tests: configurations parsed from YAML the way users write them, the demo
 * cluster's identities, and pcapng batches crafted frame by frame.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PcapngWriter } from '../../../shared/capture/pcapngWriter';
import { readCapture } from '../../../shared/capture/readCapture';
import { parseTraceConfigurations } from '../../../shared/config/parseManifests';
import type { IdentityLookup, IdentitySnapshot } from '../../../shared/enrich/identity';
import { MemoryIdentityStore } from '../../../shared/enrich/memoryIdentityStore';
import { demoIdentities, DEMO_CLUSTER } from '../../../shared/local/demo/demoCluster';
import {
  compileConfigurations,
  type ConfigurationInput,
  type ConfigurationMatcher,
} from '../../../shared/match/configurationMatcher';
import { craftFrame, type CraftSpec } from '../../../shared/packet/craftFrame';
import type { TracePoint } from '../../../shared/packet/decodedPacket';
import {
  PERMISSIVE_CONFIGURATION_KEY,
  permissiveSpec,
} from '../../../shared/pipeline/permissiveConfiguration';
import type { BatchResult } from '../../../shared/pipeline/runBatch';
import type { TraceRecord } from '../../../shared/record/traceRecord';

/** Root of the repository. */
export const ROOT = path.join(__dirname, '..', '..', '..');

/** Parses YAML text into configuration inputs; fails the test on any Errored document. */
export function configurationsFromYaml(text: string, fileName = 'inline.yaml'): ConfigurationInput[] {
  return parseTraceConfigurations(text, { fileName }).map((result) => {
    if (result.spec === undefined) {
      throw new Error(`${fileName}: ${result.name} is Errored: ${result.reason}`);
    }
    return { key: `${result.namespace}/${result.name}`, spec: result.spec };
  });
}

/** Configuration inputs from sample files (paths relative to the repository root). */
export function sampleConfigurations(...files: string[]): ConfigurationInput[] {
  return files.flatMap((file) => configurationsFromYaml(readFileSync(path.join(ROOT, file), 'utf8'), file));
}

/** The four `samples/local` configurations, compiled. */
export function localSamplesMatcher(): ConfigurationMatcher {
  return compileConfigurations(
    sampleConfigurations(
      'samples/local/cluster-dns-loganalytics.yaml',
      'samples/local/egress-tls-opentelemetry.yaml',
      'samples/local/shop-http-azuretable.yaml',
      'samples/local/uplink-debug-stdout.yaml',
    ),
  );
}

/** The matcher `tracectl inspect` uses without `-f`. */
export function permissiveMatcher(): ConfigurationMatcher {
  return compileConfigurations([{ key: PERMISSIVE_CONFIGURATION_KEY, spec: permissiveSpec() }]);
}

/** An identity lookup fed with snapshots through the in-memory store. */
export async function identityLookup(...snapshots: IdentitySnapshot[]): Promise<IdentityLookup> {
  const store = new MemoryIdentityStore({ now: () => 0, ttlInMs: Number.MAX_SAFE_INTEGER });
  for (const snapshot of snapshots) await store.apply(snapshot);
  return store.lookupFor(snapshots[0]?.cluster ?? DEMO_CLUSTER);
}

/** The demo cluster's identities. */
export function demoLookup(): Promise<IdentityLookup> {
  return identityLookup(demoIdentities('2026-01-01T00:00:00Z'));
}

/** One frame to put in a crafted batch. */
export interface FrameSpec {
  /** Interface trace point; `undefined` writes an interface named `eth0` (no trace point). */
  tracePoint?: TracePoint;
  /** Device after `<TracePoint>/` in the interface name (default `veth0`). */
  device?: string;
  /** The frame: crafted from a spec, or raw bytes (damaged frames, ARP). */
  frame: CraftSpec | Uint8Array;
  /** Packet time in ns since the epoch. */
  timeNs: bigint;
}

/** A pcapng batch holding `frames` in order, one interface per trace point and device. */
export function buildBatch(frames: readonly FrameSpec[]): Uint8Array {
  const writer = new PcapngWriter({ userApplication: 'pipeline tests' });
  const interfaces = new Map<string, number>();
  for (const spec of frames) {
    const name = spec.tracePoint === undefined ? 'eth0' : `${spec.tracePoint}/${spec.device ?? 'veth0'}`;
    let index = interfaces.get(name);
    if (index === undefined) {
      index = writer.addInterface({ linkType: 1, name, tsResolution: 9 });
      interfaces.set(name, index);
    }
    const data = spec.frame instanceof Uint8Array ? spec.frame : craftFrame(spec.frame);
    const inbound = spec.tracePoint === 'NodeToPod' || spec.tracePoint === 'NetworkToNode';
    writer.addPacket({
      interfaceIndex: index,
      timestampSec: Number(spec.timeNs / 1_000_000_000n),
      timestampNsec: Number(spec.timeNs % 1_000_000_000n),
      data,
      direction: spec.tracePoint === undefined ? 'unknown' : inbound ? 'inbound' : 'outbound',
    });
  }
  return writer.toBytes();
}

/**
 * Re-writes the packets of a pcapng capture into several batches, split before the given
 * 0-based packet indexes; interfaces (names, link types) are kept.
 */
export function splitBatch(capture: Uint8Array, before: readonly number[]): Uint8Array[] {
  const read = readCapture(capture);
  const cuts = [0, ...before, read.packets.length];
  const batches: Uint8Array[] = [];
  for (let part = 0; part + 1 < cuts.length; part++) {
    const writer = new PcapngWriter();
    const interfaces = new Map<number, number>();
    for (const packet of read.packets.slice(cuts[part], cuts[part + 1])) {
      let index = interfaces.get(packet.interface.index);
      if (index === undefined) {
        index = writer.addInterface({
          linkType: packet.interface.linkType,
          ...(packet.interface.name === undefined ? {} : { name: packet.interface.name }),
          tsResolution: 9,
        });
        interfaces.set(packet.interface.index, index);
      }
      writer.addPacket({
        interfaceIndex: index,
        timestampSec: packet.timestampSec,
        timestampNsec: packet.timestampNsec,
        data: packet.data,
        direction: packet.direction,
      });
    }
    batches.push(writer.toBytes());
  }
  return batches;
}

/** Every record of a result, in delivery order. */
export function recordsOf(result: BatchResult): TraceRecord[] {
  return result.deliveries.flatMap((delivery) => delivery.records);
}

/** Records of one configuration. */
export function recordsFor(result: BatchResult, key: string): TraceRecord[] {
  return recordsOf(result).filter((record) => record.TraceConfiguration === key);
}

/** A one-line summary of a record for readable table assertions. */
export function brief(record: TraceRecord): string {
  const l7 =
    record.L7Protocol === undefined
      ? ''
      : ` ${record.L7Protocol}:${record.HttpStatusCode ?? record.HttpMethod ?? record.DnsQuery ?? record.TlsHandshake ?? ''}`;
  return `${record.TracePoint ?? '-'} ${record.SourceIp}:${record.SourcePort ?? ''}>${record.DestinationIp}:${record.DestinationPort ?? ''} ${record.TcpFlags ?? record.Protocol ?? ''}${l7}`;
}

/** An ARP request frame (EtherType 0x0806): no IP layer. */
export function arpFrame(): Uint8Array {
  const frame = Buffer.alloc(42);
  frame.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x01], 0);
  frame.writeUInt16BE(0x0806, 12);
  frame.set([0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01], 14);
  return frame;
}
