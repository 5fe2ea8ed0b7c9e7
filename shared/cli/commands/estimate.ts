/**
 * `tracectl estimate`: cost per configuration before it runs. A thin command over
 * shared/estimate (argument parsing and printing only), so it ports to any CLI framework.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError, type Command, type CommandIo } from '../command';
import { parseCommandArgs } from '../run';
import { manifestSources } from '../manifestSources';
import { parseDurationOption } from '../durationOption';
import { parseTraceConfigurations } from '../../config/parseManifests';
import type { ConfigurationInput } from '../../match/configurationMatcher';
import { MemoryIdentityStore } from '../../enrich/memoryIdentityStore';
import { parseIdentitySnapshot } from '../../enrich/identitySchema';
import type { IdentityLookup } from '../../enrich/identity';
import { errorMessage } from '../../errors';
import { readSampleCapture, runEstimate } from '../../estimate/runEstimate';
import { packetsPerDay, projectCost } from '../../estimate/projectCost';
import { formatEstimateJson, formatEstimateTable } from '../../estimate/formatEstimate';

const HELP = `Usage: tracectl estimate -f CONFIG.yaml [-f ...] CAPTURE [--packets-per-second N | --duration D]
                         [--identities FILE.json] [-o table|json]

Runs the pipeline over a sample capture with each configuration at AllPackets, FirstPacket and
FlowSummary, and prints per configuration, level and destination: records per packet, billed
bytes per record, projected GB/day and cost/day at the Log Analytics Analytics, Basic and
Auxiliary prices (where the table supports the plan), and Azure Table storage and transactions.
A Log Analytics connection with <NAME>__schema=asim in the environment is priced as ASIM rows.

Options:
  -f, --file FILE              TraceConfiguration manifests (repeatable; a directory reads its .yaml files)
      --packets-per-second N   packets per second on the node (all packets, traced or not)
      --duration D             the capture holds D of traffic (default: its own first-to-last span)
      --identities FILE        identity snapshot JSON, so namespace and pod selectors can match
  -o, --output FMT             table (default) or json

Records per packet count every packet of the capture; FlowSummary depends on how long flows last,
so use a capture as long as a typical connection. Exit status: 0 done, 2 usage error or unreadable input.`;

async function loadConfigurations(files: string[], io: CommandIo): Promise<ConfigurationInput[]> {
  const inputs: ConfigurationInput[] = [];
  for (const file of files) {
    for (const source of await manifestSources(file, io)) {
      for (const result of parseTraceConfigurations(await source.read(), { fileName: source.display })) {
        if (result.spec === undefined) {
          const issues = result.errors.map(
            (e) => `  ${source.display}:${e.line ?? result.line} ${e.path}: ${e.message}`,
          );
          throw new Error(
            `${source.display} document ${result.document}: ${result.namespace}/${result.name || '(unnamed)'} is Errored:\n${issues.join('\n')}`,
          );
        }
        inputs.push({ key: `${result.namespace}/${result.name}`, spec: result.spec });
      }
    }
  }
  if (inputs.length === 0) throw new Error(`no TraceConfiguration in ${files.join(', ')}`);
  return inputs;
}

async function loadIdentities(
  file: string,
  io: CommandIo,
): Promise<{ lookup: IdentityLookup; cluster?: string }> {
  const json = JSON.parse(await readFile(path.resolve(io.cwd, file), 'utf8')) as unknown;
  const store = new MemoryIdentityStore({ now: () => 0, ttlInMs: Number.MAX_SAFE_INTEGER });
  let cluster: string | undefined;
  for (const [index, value] of (Array.isArray(json) ? json : [json]).entries()) {
    const parsed = parseIdentitySnapshot(value);
    if (!parsed.ok)
      throw new Error(
        `${file} snapshot ${index}: not a valid identity snapshot: ${parsed.issues.join('; ')}`,
      );
    cluster ??= parsed.snapshot.cluster;
    await store.apply(parsed.snapshot);
  }
  return cluster === undefined
    ? { lookup: await store.lookupFor('') }
    : { lookup: await store.lookupFor(cluster), cluster };
}

function positiveNumber(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new UsageError(`${name} must be a positive number, not '${text}'`);
  return value;
}

/** `tracectl estimate`. */
export const estimateCommand: Command = {
  name: 'estimate',
  summary: 'project records, GB/day and cost/day of configurations from a sample capture',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        file: { type: 'string', short: 'f', multiple: true },
        'packets-per-second': { type: 'string' },
        duration: { type: 'string' },
        identities: { type: 'string' },
        output: { type: 'string', short: 'o', default: 'table' },
      },
      true,
    );
    const capturePath = positionals[0];
    if (capturePath === undefined || positionals.length > 1)
      throw new UsageError('give exactly one CAPTURE file');
    if (values.file === undefined) throw new UsageError('give the configurations to estimate with -f');
    if (values['packets-per-second'] !== undefined && values.duration !== undefined)
      throw new UsageError('give --packets-per-second or --duration, not both');
    if (values.output !== 'table' && values.output !== 'json')
      throw new UsageError(`-o must be table or json, not '${values.output}'`);
    const pps =
      values['packets-per-second'] === undefined
        ? undefined
        : positiveNumber('--packets-per-second', values['packets-per-second']);
    const durationMs =
      values.duration === undefined ? undefined : parseDurationOption('--duration', values.duration);
    if (durationMs === 0) throw new UsageError('--duration must be more than 0');

    const resolved = path.resolve(io.cwd, capturePath);
    let configurations: ConfigurationInput[];
    let identities: { lookup: IdentityLookup; cluster?: string } | undefined;
    let capture;
    try {
      configurations = await loadConfigurations(values.file, io);
      identities = values.identities === undefined ? undefined : await loadIdentities(values.identities, io);
      if (!(await stat(resolved)).isFile()) throw new Error(`${capturePath}: not a regular file`);
      capture = await readSampleCapture(resolved);
    } catch (caught) {
      io.stderr(`tracectl estimate: ${errorMessage(caught)}\n`);
      return 2;
    }
    for (const problem of capture.problems) io.stderr(`${capturePath}: ${problem}\n`);
    const durationSeconds = durationMs === undefined ? capture.spanSeconds : durationMs / 1000;
    if (pps === undefined && !(durationSeconds > 0)) {
      io.stderr(
        `tracectl estimate: ${capturePath} spans no time (${capture.packets.length} packets); give --packets-per-second or --duration\n`,
      );
      return 2;
    }
    const daily = packetsPerDay(
      capture.packets.length,
      pps === undefined ? { durationSeconds } : { packetsPerSecond: pps },
    );
    const lines = runEstimate(configurations, capture, {
      env: io.env,
      ...(identities === undefined ? {} : { identities: identities.lookup }),
      ...(identities?.cluster === undefined ? {} : { cluster: identities.cluster }),
      node: path.basename(capturePath),
    }).map((line) => ({ ...line, projection: projectCost(line.sample, daily, line.target) }));
    io.stderr(
      `${capturePath}: ${capture.packets.length} packets over ${capture.spanSeconds.toFixed(3)} s; ${configurations.length} configuration(s)\n`,
    );
    io.stdout(
      values.output === 'json' ? formatEstimateJson(lines, daily) : formatEstimateTable(lines, daily),
    );
    return 0;
  },
};
