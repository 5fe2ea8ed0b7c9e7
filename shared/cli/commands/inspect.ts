import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError, type Command, type CommandIo } from '../command';
import { parseCommandArgs } from '../run';
import { manifestSources } from '../manifestSources';
import { formatTable, TABLE_HEADER, tableRow, type InspectedRecord } from '../inspectOutput';
import { readCaptureStream } from '../../capture/readCapture';
import { isDamagedCompression } from '../../capture/gzip';
import { parseTraceConfigurations } from '../../config/parseManifests';
import { compileConfigurations, type ConfigurationInput } from '../../match/configurationMatcher';
import { MemoryIdentityStore } from '../../enrich/memoryIdentityStore';
import { EMPTY_IDENTITY_LOOKUP } from '../../enrich/identityStore';
import { parseIdentitySnapshot } from '../../enrich/identitySchema';
import type { IdentityLookup } from '../../enrich/identity';
import { TRACE_POINTS, type TracePoint } from '../../packet/decodedPacket';
import { createPartitionState } from '../../pipeline/partitionState';
import { PacketPipeline, type Delivery } from '../../pipeline/runBatch';
import { PERMISSIVE_CONFIGURATION_KEY, permissiveSpec } from '../../pipeline/permissiveConfiguration';
import { errorMessage } from '../../errors';
import { CAPTURE_LEVEL_NAMES } from '../../config/schema';
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

async function loadConfigurations(files: string[], io: CommandIo): Promise<ConfigurationInput[] | undefined> {
  const inputs: ConfigurationInput[] = [];
  let failed = false;
  const sources = [];
  for (const file of files) {
    try {
      sources.push(...(await manifestSources(file, io)));
    } catch (caught) {
      io.stderr(`tracectl inspect: cannot read ${file}: ${errorMessage(caught)}\n`);
      failed = true;
    }
  }
  for (const source of sources) {
    const file = source.display;
    const text = await source.read();
    for (const result of parseTraceConfigurations(text, { fileName: file })) {
      if (result.spec === undefined) {
        failed = true;
        io.stderr(
          `${file} document ${result.document}: ${result.namespace}/${result.name || '(unnamed)'} is Errored:\n`,
        );
        for (const issue of result.errors)
          io.stderr(
            `  ${file}:${issue.line ?? result.line}:${issue.column ?? 1} ${issue.path}: ${issue.message}\n`,
          );
        continue;
      }
      for (const warning of result.warnings)
        io.stderr(`${file}:${warning.line ?? result.line}: warning: ${warning.path}: ${warning.message}\n`);
      inputs.push({ key: `${result.namespace}/${result.name}`, spec: result.spec });
    }
  }
  return failed ? undefined : inputs;
}

async function loadIdentities(
  file: string,
  io: CommandIo,
): Promise<{ lookup: IdentityLookup; cluster: string } | undefined> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path.resolve(io.cwd, file), 'utf8')) as unknown;
  } catch (caught) {
    io.stderr(`tracectl inspect: cannot read identities ${file}: ${errorMessage(caught)}\n`);
    return undefined;
  }
  const snapshots = Array.isArray(json) ? json : [json];
  const store = new MemoryIdentityStore({ now: () => 0, ttlInMs: Number.MAX_SAFE_INTEGER });
  let cluster: string | undefined;
  for (const [index, value] of snapshots.entries()) {
    const parsed = parseIdentitySnapshot(value);
    if (!parsed.ok) {
      io.stderr(
        `${file}${snapshots.length > 1 ? ` snapshot ${index}` : ''}: not a valid identity snapshot:\n${parsed.issues.map((i) => `  ${i}`).join('\n')}\n`,
      );
      return undefined;
    }
    cluster ??= parsed.snapshot.cluster;
    await store.apply(parsed.snapshot);
  }
  return {
    lookup: cluster === undefined ? EMPTY_IDENTITY_LOOKUP : await store.lookupFor(cluster),
    cluster: cluster ?? 'inspect',
  };
}

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
        : await loadConfigurations(values.file, io);
    if (loaded === undefined) return 2;
    const configurations =
      captureLevel === undefined
        ? loaded
        : loaded.map(({ key, spec }) => ({ key, spec: atCaptureLevel(spec, captureLevel) }));
    const identities =
      values.identities === undefined ? undefined : await loadIdentities(values.identities, io);
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
    let headerPrinted = false;
    const print = (deliveries: Delivery[]) => {
      const records: InspectedRecord[] = deliveries
        .flatMap((d) =>
          d.records.map((r) => ({
            ...r,
            Destination: d.connection === '' ? d.destination : `${d.destination}/${d.connection}`,
          })),
        )
        .sort((a, b) => (a.CaptureFrame ?? 0) - (b.CaptureFrame ?? 0));
      if (records.length === 0) return;
      if (values.output === 'ndjson') {
        io.stdout(records.map((r) => JSON.stringify(r)).join('\n') + '\n');
      } else {
        const rows = records.map(tableRow);
        if (!headerPrinted) rows.unshift(TABLE_HEADER);
        headerPrinted = true;
        io.stdout(formatTable(rows));
      }
    };

    let sawFormat = false;
    let damaged = false;
    for await (const event of readCaptureStream(createReadStream(resolved))) {
      if (event.kind === 'interface') sawFormat = true;
      else if (event.kind === 'packet') {
        sawFormat = true;
        pipeline.process(event.packet);
        if (pipeline.counts.packets % FLUSH_EVERY === 0) print(pipeline.takeDeliveries());
      } else {
        pipeline.counts.captureProblems += 1;
        if (event.problem.fatal && !sawFormat) {
          io.stderr(`tracectl inspect: ${capturePath}: ${event.problem.message}\n`);
          return 2;
        }
        io.stderr(`${capturePath}: ${event.problem.message}\n`);
        if (isDamagedCompression(event.problem)) damaged = true;
      }
    }
    // The capture ended: every FlowSummary flow still open is written now.
    pipeline.flushFlows();
    print(pipeline.takeDeliveries());

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
