/**
 * Runs the pipeline over a sample capture once per capture level (every rule of every
 * configuration forced to AllPackets, FirstPacket, then FlowSummary) and sums, per configuration,
 * level and destination, the records written and the bytes the destination bills for them.
 */
import { createReadStream } from 'node:fs';
import { compileConfigurations, type ConfigurationInput } from '../match/configurationMatcher';
import type { CaptureLevel, TraceConfigurationSpec } from '../config/model';
import type { CapturePacket } from '../capture/capturePacket';
import { readCaptureStream } from '../capture/readCapture';
import { EMPTY_IDENTITY_LOOKUP } from '../enrich/identityStore';
import type { IdentityLookup } from '../enrich/identity';
import { createPartitionState } from '../pipeline/partitionState';
import { PacketPipeline, type Delivery } from '../pipeline/runBatch';
import type { TraceRecord } from '../record/traceRecord';
import { encodeLogsRow } from '../sinks/logAnalytics/encode';
import { asimRow, asimStreamOf } from '../sinks/logAnalytics/asim/encodeAsimRow';
import { billedRowBytes, tableEntityBytes } from './billedBytes';
import type { EstimateSample, EstimateTarget } from './projectCost';

/** The capture levels compared side by side. */
export const ESTIMATE_LEVELS: readonly CaptureLevel[] = ['AllPackets', 'FirstPacket', 'FlowSummary'];

/** One line of the estimate before projection. */
export interface EstimateLine {
  configuration: string;
  level: CaptureLevel;
  /** True for the level the configuration itself asks for (its first rule's). */
  configured: boolean;
  /** `destination/connection`, e.g. `loganalytics/TRACES_LOGANALYTICS`. */
  destination: string;
  /** What is billed: the table for Log Analytics, `entities` for Azure Table. */
  store: string;
  target: EstimateTarget;
  sample: EstimateSample;
}

/** The sample capture read into memory, with its time span. */
export interface SampleCapture {
  packets: CapturePacket[];
  /** Seconds from the first to the last timestamped packet (0 for one packet). */
  spanSeconds: number;
  /** Problems reading it (damaged blocks are skipped, as everywhere). */
  problems: string[];
}

/** Reads a capture file (pcap, pcapng, optionally gzip). Throws when it is not a capture at all. */
export async function readSampleCapture(file: string): Promise<SampleCapture> {
  const packets: CapturePacket[] = [];
  const problems: string[] = [];
  let first: number | undefined;
  let last: number | undefined;
  let sawFormat = false;
  for await (const event of readCaptureStream(createReadStream(file))) {
    if (event.kind === 'interface') sawFormat = true;
    else if (event.kind === 'packet') {
      sawFormat = true;
      packets.push(event.packet);
      if (event.packet.timestampSec > 0) {
        const t = event.packet.timestampSec + event.packet.timestampNsec / 1e9;
        first = Math.min(first ?? t, t);
        last = Math.max(last ?? t, t);
      }
    } else {
      if (event.problem.fatal && !sawFormat) throw new Error(event.problem.message);
      problems.push(event.problem.message);
    }
  }
  return { packets, spanSeconds: first === undefined || last === undefined ? 0 : last - first, problems };
}

/** Options of {@link runEstimate}. */
export interface RunEstimateOptions {
  identities?: IdentityLookup;
  cluster?: string;
  node?: string;
  /** App settings, to learn each Log Analytics connection's schema (`<NAME>__schema`). */
  env: Readonly<Record<string, string | undefined>>;
}

function atLevel(spec: TraceConfigurationSpec, captureLevel: CaptureLevel): TraceConfigurationSpec {
  return { ...spec, rules: spec.rules.map((rule) => ({ ...rule, captureLevel })) };
}

/** How `record`, delivered to `delivery`, is billed. */
function billing(
  delivery: Delivery,
  record: TraceRecord,
  env: RunEstimateOptions['env'],
): [string, EstimateTarget, number] {
  switch (delivery.destination) {
    case 'loganalytics': {
      if (env[`${delivery.connection}__schema`]?.trim() === 'asim') {
        const table = asimStreamOf(record).table;
        return [table, { kind: 'loganalytics', table }, billedRowBytes(asimRow(record))];
      }
      const encoded = encodeLogsRow(record);
      const bytes = encoded.ok ? billedRowBytes(encoded.value.payload) : 0;
      return ['RetinaTraces_CL', { kind: 'loganalytics', table: 'RetinaTraces_CL' }, bytes];
    }
    case 'azuretable':
      return ['entities', { kind: 'azuretable' }, tableEntityBytes(record)];
    case 'stdout':
    case 'opentelemetry':
      return ['records', { kind: 'other' }, Buffer.byteLength(JSON.stringify(record))];
  }
}

/** Runs every configuration at every level over `capture`; lines in configuration, level, destination order. */
export function runEstimate(
  configurations: readonly ConfigurationInput[],
  capture: SampleCapture,
  options: RunEstimateOptions,
): EstimateLine[] {
  const lines = new Map<string, EstimateLine>();
  for (const level of ESTIMATE_LEVELS) {
    const pipeline = new PacketPipeline(
      { cluster: options.cluster ?? 'estimate', node: options.node ?? 'estimate' },
      {
        matcher: compileConfigurations(
          configurations.map(({ key, spec }) => ({ key, spec: atLevel(spec, level) })),
        ),
        identities: options.identities ?? EMPTY_IDENTITY_LOOKUP,
        state: createPartitionState({}),
        maxProblems: 0,
      },
    );
    const collect = (deliveries: Delivery[]) => {
      for (const delivery of deliveries) {
        for (const record of delivery.records) {
          const configuration = record.TraceConfiguration ?? '?';
          const destination = `${delivery.destination}/${delivery.connection}`;
          const [store, target, bytes] = billing(delivery, record, options.env);
          const key = `${configuration}\u0000${level}\u0000${destination}\u0000${store}`;
          let line = lines.get(key);
          if (line === undefined) {
            const spec = configurations.find((c) => c.key === configuration)?.spec;
            line = {
              configuration,
              level,
              configured: spec?.rules[0]?.captureLevel === level,
              destination,
              store,
              target,
              sample: { packets: capture.packets.length, records: 0, bytes: 0 },
            };
            lines.set(key, line);
          }
          line.sample.records += 1;
          line.sample.bytes += bytes;
        }
      }
    };
    for (const packet of capture.packets) {
      pipeline.process(packet);
      if (pipeline.counts.packets % 2048 === 0) collect(pipeline.takeDeliveries());
    }
    pipeline.flushFlows();
    collect(pipeline.takeDeliveries());
  }
  const order = (l: EstimateLine) =>
    [l.configuration, String(ESTIMATE_LEVELS.indexOf(l.level)), l.destination, l.store].join('\u0000');
  return [...lines.values()].sort((a, b) => order(a).localeCompare(order(b)));
}
