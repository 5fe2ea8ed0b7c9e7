import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { EventHubProducerClient } from '@azure/event-hubs';
import { DefaultAzureCredential } from '@azure/identity';
import { UsageError, type Command, type CommandOptions } from '../command';
import { parseCommandArgs } from '../run';
import { manifestSources } from '../manifestSources';
import { bpfFilterFor } from '../../agent/bpfFilter';
import { AgentProgress } from '../../agent/agentProgress';
import { ownEndpoints, resolveOwnEndpoints, withoutOwnTraffic } from '../../agent/ownTraffic';
import { identitiesEvent, publishEvents, type PublishableEvent } from '../../agent/publishEvents';
import { TraceBatchPacker } from '../../agent/traceBatchPacker';
import { readCaptureStream } from '../../capture/readCapture';
import { parseTraceConfigurations } from '../../config/parseManifests';
import { parseIdentitySnapshot } from '../../enrich/identitySchema';
import { TRACE_POINTS, type TracePoint } from '../../packet/decodedPacket';
import { errorMessage } from '../../errors';

const HELP = `Usage: tracectl agent --interface IFACE -f CONFIG.yaml --cluster C --node N
                      [--connection-string CS | --namespace FQDN] [--hub NAME] [--identities FILE.json]
                      [--trace-point P] [--flush-interval MS] [--progress-interval MS] [--tcpdump PATH]

A reference agent for nodes without an eBPF agent: captures live with tcpdump (-w - -U), using a
BPF filter built from the configurations' ipBlocks and ports, and publishes trace batches as
'tracectl replay' does. Selectors by namespace/pod/node/service need identities to have addresses;
without them the agent narrows by ports only and says so. Ctrl-C (or SIGTERM) stops tcpdump,
publishes what is buffered and exits.

Options:
  --interface IFACE       interface to capture on (tcpdump -i)
  -f, --file FILE         TraceConfiguration manifests (files or directories; repeatable)
  --cluster C, --node N   cluster and node names (required)
  --connection-string CS  Event Hubs connection string (default $TRACECTL_EVENTHUB_CONNECTION_STRING)
  --namespace FQDN        Event Hubs namespace, with DefaultAzureCredential
  --hub NAME              event hub (default $TRACE_HUB_NAME or retina-traces)
  --identities FILE       identity snapshot sent first
  --trace-point P         trace point of this interface (default NodeToNetwork)
  --flush-interval MS     publish a partial batch after this long (default 1000)
  --progress-interval MS  print packets captured, batches sent and drops this often (default 10000)
  --tcpdump PATH          tcpdump binary (default tcpdump on PATH)

Exit status: 0 stopped cleanly, 1 publishing failed, 2 usage error, unreadable input, or tcpdump
missing or failing.`;

/** The options of the command (checked before it runs; offered by shell completion). */
const OPTIONS = {
  interface: { type: 'string' },
  file: { type: 'string', short: 'f', multiple: true },
  cluster: { type: 'string' },
  node: { type: 'string' },
  'connection-string': { type: 'string' },
  namespace: { type: 'string' },
  hub: { type: 'string' },
  identities: { type: 'string' },
  'trace-point': { type: 'string', default: 'NodeToNetwork' },
  'flush-interval': { type: 'string', default: '1000' },
  'progress-interval': { type: 'string', default: '10000' },
  tcpdump: { type: 'string', default: 'tcpdump' },
} satisfies CommandOptions;

/** `tracectl agent`: live capture with tcpdump, published as trace batches. */
export const agentCommand: Command = {
  options: OPTIONS,
  name: 'agent',
  summary: 'capture live with tcpdump and publish trace batches (reference agent)',
  help: HELP,
  async run(args, io) {
    const { values } = parseCommandArgs(args, OPTIONS, false);
    if (values.interface === undefined) throw new UsageError('--interface is required');
    if (values.file === undefined || values.file.length === 0)
      throw new UsageError('at least one -f CONFIG.yaml is required');
    if (values.cluster === undefined || values.node === undefined)
      throw new UsageError('--cluster and --node are required');
    const connectionString = values['connection-string'] ?? io.env.TRACECTL_EVENTHUB_CONNECTION_STRING;
    if ((connectionString === undefined) === (values.namespace === undefined)) {
      throw new UsageError(
        'give exactly one of --connection-string (or $TRACECTL_EVENTHUB_CONNECTION_STRING) and --namespace',
      );
    }
    const tracePoint: TracePoint | undefined = TRACE_POINTS.find(
      (p) => p.toLowerCase() === values['trace-point'].toLowerCase(),
    );
    if (tracePoint === undefined)
      throw new UsageError(`--trace-point must be one of ${TRACE_POINTS.join(', ')}`);
    const flushInterval = Number(values['flush-interval']);
    if (!(flushInterval > 0))
      throw new UsageError(
        `--flush-interval must be a positive number of ms, not '${values['flush-interval']}'`,
      );
    const progressInterval = Number(values['progress-interval']);
    if (!(progressInterval > 0))
      throw new UsageError(
        `--progress-interval must be a positive number of ms, not '${values['progress-interval']}'`,
      );

    const specs = [];
    for (const file of values.file) {
      for (const source of await manifestSources(file, io)) {
        for (const result of parseTraceConfigurations(await source.read(), { fileName: source.display })) {
          if (result.spec === undefined) {
            io.stderr(`${source.display} document ${result.document}: Errored: ${result.reason}\n`);
            return 2;
          }
          specs.push({ key: `${result.namespace}/${result.name}`, spec: result.spec });
        }
      }
    }
    const filter = bpfFilterFor(specs);
    for (const note of filter.notes) io.stderr(`note: ${note}\n`);
    // The agent's own uploads and token requests stay out of its capture.
    const own = await resolveOwnEndpoints(
      ownEndpoints({
        ...(connectionString !== undefined ? { connectionString } : {}),
        ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
        ...(io.env.AZURE_AUTHORITY_HOST !== undefined ? { authorityHost: io.env.AZURE_AUTHORITY_HOST } : {}),
      }),
    );
    const expression = withoutOwnTraffic(filter.expression, own);
    for (const endpoint of own.filter((e) => e.addresses.length === 0))
      io.stderr(`note: ${endpoint.host} does not resolve; its traffic is not excluded from the capture\n`);
    io.stderr(`capture filter: ${expression === '' ? '(everything)' : expression}\n`);
    let identities: PublishableEvent | undefined;
    if (values.identities !== undefined) {
      const parsed = parseIdentitySnapshot(
        JSON.parse(await readFile(path.resolve(io.cwd, values.identities), 'utf8')) as unknown,
      );
      if (!parsed.ok) {
        io.stderr(`${values.identities}: not a valid identity snapshot: ${parsed.issues.join('; ')}\n`);
        return 2;
      }
      identities = identitiesEvent(parsed.snapshot);
    }

    const tcpdumpArgs = [
      '-i',
      values.interface,
      '-w',
      '-',
      '-U',
      '-s',
      '0',
      '-n',
      ...(expression === '' ? [] : [expression]),
    ];
    const child = spawn(values.tcpdump, tcpdumpArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    let tcpdumpError = '';
    child.stderr.on(
      'data',
      (chunk: Buffer) => (tcpdumpError = (tcpdumpError + chunk.toString()).slice(-2000)),
    );
    const spawnFailure = new Promise<string>((resolve) =>
      child.once('error', (error: NodeJS.ErrnoException) =>
        resolve(
          error.code === 'ENOENT'
            ? `${values.tcpdump} is not installed or not on PATH (e.g. apt-get install tcpdump)`
            : `cannot start ${values.tcpdump}: ${error.message}`,
        ),
      ),
    );
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));

    const hub = values.hub ?? io.env.TRACE_HUB_NAME ?? 'retina-traces';
    const producer =
      connectionString !== undefined
        ? new EventHubProducerClient(connectionString, hub)
        : new EventHubProducerClient(values.namespace!, hub, new DefaultAzureCredential());
    const packer = new TraceBatchPacker({
      cluster: values.cluster,
      node: values.node,
      defaultTracePoint: tracePoint,
    });
    const totals = new AgentProgress();
    let publishing: Promise<void> = Promise.resolve();
    let publishError: unknown;
    const publish = (events: PublishableEvent[]) => {
      if (events.length === 0) return publishing;
      publishing = publishing.then(async () => {
        try {
          totals.batches += await publishEvents(producer, events, { partitionKey: values.node! });
        } catch (caught) {
          publishError ??= caught;
        }
      });
      return publishing;
    };
    const stop = () => child.kill('SIGTERM');
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const timer = setInterval(() => void publish(packer.flush()), flushInterval);
    const progressTimer = setInterval(() => io.stderr(totals.line()), progressInterval);
    try {
      if (identities !== undefined) await publish([identities]);
      const reading = (async () => {
        for await (const event of readCaptureStream(child.stdout)) {
          if (event.kind === 'packet') {
            totals.packets += 1;
            // Awaiting here is the backpressure: tcpdump's pipe fills and the kernel counts drops.
            await publish(packer.add(event.packet));
          } else if (event.kind === 'problem' && event.problem.code !== 'CAPTURE_EMPTY') {
            totals.problems += 1;
            io.stderr(`capture: ${event.problem.message}\n`);
          }
        }
      })();
      const outcome = await Promise.race([
        spawnFailure.then((message) => ({ failed: message })),
        reading.then(() => ({ failed: undefined })),
      ]);
      if (outcome.failed !== undefined) {
        io.stderr(`tracectl agent: ${outcome.failed}\n`);
        return 2;
      }
      const code = await exited;
      await publish(packer.flush());
      if (code !== 0 && code !== null && totals.packets === 0) {
        io.stderr(`tracectl agent: tcpdump exited with status ${code}: ${tcpdumpError.trim()}\n`);
        return 2;
      }
    } finally {
      clearInterval(timer);
      clearInterval(progressTimer);
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
      await publishing;
      await producer.close();
    }
    totals.addTcpdumpReport(tcpdumpError);
    totals.drops += packer.oversized.length;
    io.stderr(totals.line(`stopped, published to ${hub}`));
    if (publishError !== undefined) {
      io.stderr(`tracectl agent: publishing failed: ${errorMessage(publishError)}\n`);
      return 1;
    }
    return 0;
  },
};
