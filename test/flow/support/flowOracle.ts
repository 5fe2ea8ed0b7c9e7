/**
 * The tshark 4.0 flow oracle (`../shared/captures/oracle-flows/<capture>.tsv`) and our records for
 * the same capture, aligned by frame number.
 */
import { readFileSync } from 'node:fs';
import type { TraceConfigurationSpec } from '../../../shared/config/model';
import { compileConfigurations } from '../../../shared/match/configurationMatcher';
import { EMPTY_IDENTITY_LOOKUP } from '../../../shared/enrich/identityStore';
import { createPartitionState, type PartitionStateOptions } from '../../../shared/pipeline/partitionState';
import { PacketPipeline } from '../../../shared/pipeline/runBatch';
import { readCaptureInto } from '../../../shared/capture/readCapture';
import type { TraceRecord } from '../../../shared/record/traceRecord';
import { hasSharedData, sharedPath } from '../../support/sharedData';
import { TSHARK_DIFFERENCES } from '../../packet/tsharkDifferences';

/** The public captures of the manifest (none when ../shared is absent). */
export function publicCaptures(): string[] {
  if (!hasSharedData('captures/MANIFEST.tsv')) return [];
  return readFileSync(sharedPath('captures', 'MANIFEST.tsv'), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('public\t'))
    .map((line) => line.split('\t')[1]!);
}

/** One oracle row: field name ─► value as tshark printed it (comma-joined occurrences). */
export type OracleRow = Record<string, string>;

/**
 * The oracle rows of `file` keyed by OUR frame number: tshark numbers pcapng Custom Blocks as
 * frames (docs/decoding.md), we count packets only.
 */
export function oracleByFrame(file: string): Map<number, OracleRow> {
  const [header, ...rows] = readFileSync(sharedPath('captures', 'oracle-flows', `${file}.tsv`), 'utf8')
    .replace(/\n$/, '')
    .split('\n');
  const names = header!.split('\t');
  const skipped = new Set(TSHARK_DIFFERENCES.find((d) => d.file === file)?.nonPacketFrames ?? []);
  const byFrame = new Map<number, OracleRow>();
  let ours = 0;
  for (const row of rows) {
    const cells = row.split('\t');
    const record = Object.fromEntries(names.map((name, i) => [name, cells[i] ?? '']));
    if (skipped.has(Number(record['frame.number']))) continue;
    byFrame.set(++ours, record);
  }
  return byFrame;
}

/** A catch-all configuration at `captureLevel`, layer 7 on, for plain captures. */
export function catchAll(
  captureLevel: TraceConfigurationSpec['rules'][number]['captureLevel'],
): TraceConfigurationSpec {
  return {
    rules: [
      {
        captureLevel,
        includeLayer7Data: true,
        targets: [{ from: [], to: [], ports: [], tracePoints: [], tracePointsRestricted: false }],
      },
    ],
    output: { destination: 'stdout', connection: '' },
  };
}

/** Every record the pipeline writes for a public capture (then everything still open flushed). */
export function recordsOfCapture(
  file: string,
  spec: TraceConfigurationSpec,
  options: PartitionStateOptions = {},
): TraceRecord[] {
  const pipeline = new PacketPipeline(
    { cluster: 'c', node: 'n' },
    {
      matcher: compileConfigurations([{ key: 'oracle/catch-all', spec }]),
      identities: EMPTY_IDENTITY_LOOKUP,
      state: createPartitionState(options),
      includeCaptureFrame: true,
    },
  );
  readCaptureInto(readFileSync(sharedPath('captures', 'public', file)), {
    onPacket: (captured) => pipeline.process(captured),
    onProblem: () => undefined,
  });
  // The capture ended, as at the end of `tracectl inspect`: every open flow is written.
  pipeline.flushFlows();
  return pipeline.takeDeliveries().flatMap((d) => d.records);
}
