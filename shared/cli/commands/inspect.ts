/* eslint-disable @typescript-eslint/no-require-imports -- manifests and identities (YAML, zod) load only when -f / --identities ask for them */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError, type Command } from '../command';
import { parseCommandArgs } from '../run';
import { formatTable, inFrameOrder, ndjsonBytes, TABLE_HEADER, tableRow } from '../inspectOutput';
import type { loadConfigurations } from '../inspectConfigurations';
import type { loadIdentities } from '../inspectIdentities';
import { isClosedOutput } from '../stdoutWriter';
import { readCaptureStreamInto } from '../../capture/readCapture';
import { isDamagedCompression } from '../../capture/gzip';
import { compileConfigurations } from '../../match/configurationMatcher';
import { EMPTY_IDENTITY_LOOKUP } from '../../enrich/identityStore';
import { TRACE_POINTS, type TracePoint } from '../../packet/decodedPacket';
import { createPartitionState } from '../../pipeline/partitionState';
import { PacketPipeline, type Delivery } from '../../pipeline/runBatch';
import { PERMISSIVE_CONFIGURATION_KEY, permissiveSpec } from '../../pipeline/permissiveConfiguration';
import { errorMessage } from '../../errors';
import { CAPTURE_LEVEL_NAMES } from '../../config/captureLevelNames';
import type { CaptureLevel, TraceConfigurationSpec } from '../../config/model';
import { parseDurationOption } from '../durationOption';

const HELP = `Usage: tracectl inspect CAPTURE [-f CONFIG.yaml ...] [--identities FILE.json] [--trace-point NAME]
                        [--cluster NAME] [--node NAME] [-o ndjson|table]
                        [--capture-level LEVEL] [--flow-interval DURATION] [--flow-idle DURATION]

Runs the whole pipeline offline on a pcap or pcapng file (optionally gzip), with no Azure:
decode, enrich, match, layer 7, capture level. Prints one trace record per line (the v1 record
plus CaptureFrame and Destination); a summary per configuration goes to stderr.

Options:
  -f, --file FILE       TraceConfiguration manifests (repeatable). Without -f every packet is
                        traced with layer 7 on.
      --identities FILE identity snapshot JSON (retina.sh/identities/v1, or an array of them)
      --trace-point P   trace point for packets whose interface names none (PodToNode, NodeToPod,
                        NodeToNetwork, NetworkToNode); such packets otherwise only match
                        configurations that do not restrict trace points
      --cluster NAME    ClusterName of the records (default: the identities' cluster or "inspect")
      --node NAME       NodeName of the records (default: the capture's file name)
  -o, --output FMT      ndjson (default) or table
      --capture-level L AllPackets, FirstPacket or FlowSummary: the catch-all's level without -f
                        (default AllPackets), every rule's level with -f. FlowSummary prints one
                        record per flow and interval, and every flow still open at the end
      --flow-interval D FlowSummary: a record per flow every D (default 60s; 0: one per flow)
      --flow-idle D     FlowSummary: a flow idle for D ends (default per protocol, TCP 5m, UDP
                        and ICMP 1m; 0: never). Durations: 500ms, 30s, 5m, 1h, or 0

Exit status: 0 done (damaged packets are counted and skipped), 2 usage error, unreadable capture,
invalid configuration or identities.`;

const FLUSH_EVERY = 2048;

/** Bytes read from the capture at a time: large enough to make the per-chunk await negligible, small enough that the output of one chunk (written before reading waits) stays a few MB. */
const READ_CHUNK_BYTES = 256 * 1024;

/** `tracectl inspect`: the pipeline offline over a capture file. */
export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'run the whole pipeline offline on a capture file and print trace records',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        file: { type: 'string', short: 'f', multiple: true },
        identities: { type: 'string' },
        'trace-point': { type: 'string' },
        cluster: { type: 'string' },
        node: { type: 'string' },
        output: { type: 'string', short: 'o', default: 'ndjson' },
        'capture-level': { type: 'string' },
        'flow-interval': { type: 'string' },
        'flow-idle': { type: 'string' },
      },
      true,
    );
    const capturePath = positionals[0];
    if (capturePath === undefined || positionals.length > 1)
      throw new UsageError('give exactly one CAPTURE file');
    if (values.output !== 'ndjson' && values.output !== 'table')
      throw new UsageError(`-o must be ndjson or table, not '${values.output}'`);
    let defaultTracePoint: TracePoint | undefined;
    if (values['trace-point'] !== undefined) {
      defaultTracePoint = TRACE_POINTS.find((p) => p.toLowerCase() === values['trace-point']!.toLowerCase());
      if (defaultTracePoint === undefined)
        throw new UsageError(`--trace-point must be one of ${TRACE_POINTS.join(', ')}`);
    }

    let captureLevel: CaptureLevel | undefined;
    if (values['capture-level'] !== undefined) {
      captureLevel = CAPTURE_LEVEL_NAMES.find(
        (l) => l.toLowerCase() === values['capture-level']!.toLowerCase(),
      );
      if (captureLevel === undefined)
        throw new UsageError(`--capture-level must be one of ${CAPTURE_LEVEL_NAMES.join(', ')}`);
    }
    const flowInterval =
      values['flow-interval'] === undefined
        ? undefined
        : parseDurationOption('--flow-interval', values['flow-interval']);
    const flowIdle =
      values['flow-idle'] === undefined ? undefined : parseDurationOption('--flow-idle', values['flow-idle']);

    const resolved = path.resolve(io.cwd, capturePath);
    try {
      if (!(await stat(resolved)).isFile()) throw new Error('not a regular file');
    } catch (caught) {
      io.stderr(`tracectl inspect: cannot read ${capturePath}: ${errorMessage(caught)}\n`);
      return 2;
    }
    const loaded =
      values.file === undefined
        ? [{ key: PERMISSIVE_CONFIGURATION_KEY, spec: permissiveSpec() }]
        : await (
            require('../inspectConfigurations') as { loadConfigurations: typeof loadConfigurations }
          ).loadConfigurations(values.file, io);
    if (loaded === undefined) return 2;
    const configurations =
      captureLevel === undefined
        ? loaded
        : loaded.map(({ key, spec }) => ({ key, spec: atCaptureLevel(spec, captureLevel) }));
    const identities =
      values.identities === undefined
        ? undefined
        : await (require('../inspectIdentities') as { loadIdentities: typeof loadIdentities }).loadIdentities(
            values.identities,
            io,
          );
    if (values.identities !== undefined && identities === undefined) return 2;

    const pipeline = new PacketPipeline(
      {
        cluster: values.cluster ?? identities?.cluster ?? 'inspect',
        node: values.node ?? path.basename(capturePath),
      },
      {
        matcher: compileConfigurations(configurations),
        identities: identities?.lookup ?? EMPTY_IDENTITY_LOOKUP,
        state: createPartitionState({
          flowSummary: {
            ...(flowInterval !== undefined ? { intervalInMs: flowInterval } : {}),
            ...(flowIdle !== undefined ? { idleTimeoutInMs: flowIdle } : {}),
          },
        }),
        includeCaptureFrame: true,
        maxProblems: 1000,
        ...(defaultTracePoint !== undefined ? { defaultTracePoint } : {}),
      },
    );

    // Output leaves in large chunks (the records of FLUSH_EVERY packets); reading waits while the
    // reader of stdout is behind, and stops quietly when it went away (`| head`).
    let pending: Promise<void> | undefined;
    let outputError: unknown;
    const emit = (chunk: string | Buffer): void => {
      if (io.writeStdout === undefined) {
        io.stdout(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
        return;
      }
      const written = io.writeStdout(chunk).catch((caught: unknown) => {
        outputError ??= caught;
      });
      pending = pending === undefined ? written : Promise.all([pending, written]).then(() => undefined);
    };
    let headerPrinted = false;
    const print = (deliveries: Delivery[]): void => {
      if (outputError !== undefined) return;
      const ordered = inFrameOrder(deliveries);
      if (ordered.records.length === 0) return;
      if (values.output === 'ndjson') {
        for (const chunk of ndjsonBytes(ordered)) emit(chunk);
      } else {
        const rows = ordered.records.map((record, i) =>
          tableRow({ ...record, Destination: ordered.destinations[i]! }),
        );
        if (!headerPrinted) rows.unshift(TABLE_HEADER);
        headerPrinted = true;
        emit(formatTable(rows));
      }
    };
    const outputDone = async (): Promise<boolean> => {
      if (pending !== undefined) {
        const waiting = pending;
        pending = undefined;
        await waiting;
      }
      return outputError === undefined;
    };

    let sawFormat = false;
    let damaged = false;
    let unreadable = false;
    await readCaptureStreamInto(createReadStream(resolved, { highWaterMark: READ_CHUNK_BYTES }), {
      onInterface: () => {
        sawFormat = true;
      },
      onPacket: (packet) => {
        if (unreadable) return;
        sawFormat = true;
        pipeline.process(packet);
        if (pipeline.counts.packets % FLUSH_EVERY === 0) print(pipeline.takeDeliveries());
      },
      onProblem: (problem) => {
        if (unreadable) return;
        pipeline.counts.captureProblems += 1;
        if (problem.fatal && !sawFormat) {
          io.stderr(`tracectl inspect: ${capturePath}: ${problem.message}\n`);
          unreadable = true;
          return;
        }
        io.stderr(`${capturePath}: ${problem.message}\n`);
        if (isDamagedCompression(problem)) damaged = true;
      },
      afterChunk: async () => !unreadable && (await outputDone()),
    });
    if (unreadable) return 2;
    if (outputError === undefined) {
      // The capture ended: every FlowSummary flow still open is written now.
      pipeline.flushFlows();
      print(pipeline.takeDeliveries());
      await outputDone();
    }
    if (outputError !== undefined) {
      // The reader of stdout went away: as for any Unix filter, that ends the run, quietly.
      if (isClosedOutput(outputError)) return 0;
      io.stderr(`tracectl inspect: cannot write the records: ${errorMessage(outputError)}\n`);
      return 2;
    }

    const counts = pipeline.counts;
    for (const problem of pipeline.problems) io.stderr(`${capturePath}: ${problem}\n`);
    io.stderr(
      `${capturePath}: ${counts.packets} packets, ${counts.decoded} with IP, ${counts.malformed} damaged, ${counts.captureProblems} capture problems, ${counts.nonIp} non-IP, ` +
        `${counts.fragmentsHeld} fragments held, ${counts.matched} matched, ${counts.l7Messages} layer-7 messages` +
        `${counts.flowRecords > 0 ? `, ${counts.flowRecords} flow records` : ''}\n`,
    );
    for (const { key } of configurations) {
      io.stderr(
        `  ${key}: ${counts.matchedByConfiguration[key] ?? 0} packets matched, ${counts.recordsByConfiguration[key] ?? 0} records\n`,
      );
    }
    return damaged ? 2 : 0;
  },
};

/** `spec` with every rule at `captureLevel` (`--capture-level`). */
function atCaptureLevel(spec: TraceConfigurationSpec, captureLevel: CaptureLevel): TraceConfigurationSpec {
  return { ...spec, rules: spec.rules.map((rule) => ({ ...rule, captureLevel })) };
}
