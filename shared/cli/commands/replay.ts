import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { EventHubProducerClient } from '@azure/event-hubs';
import { DefaultAzureCredential } from '@azure/identity';
import { PacketPacer } from '../packetPacer';
import { UsageError, type Command, type CommandOptions } from '../command';
import { parseCommandArgs } from '../run';
import { identitiesEvent, publishEvents, type PublishableEvent } from '../../agent/publishEvents';
import { TraceBatchPacker } from '../../agent/traceBatchPacker';
import { readCaptureStream } from '../../capture/readCapture';
import { isDamagedCompression } from '../../capture/gzip';
import { parseIdentitySnapshot } from '../../enrich/identitySchema';
import { TRACE_POINTS, type TracePoint } from '../../packet/decodedPacket';
import { errorMessage } from '../../errors';

const HELP = `Usage: tracectl replay CAPTURE --cluster C --node N [--connection-string CS | --namespace FQDN]
                       [--hub NAME] [--rate PPS] [--identities FILE.json] [--trace-point P]

Publishes a capture (pcap or pcapng, optionally gzip, any size: it is streamed) to Event Hubs as an
agent would: pcapng trace batches, gzip, at most 1 MB per event, the node as partition key,
identity snapshots first when given (docs/wire-format.md).

Options:
  --cluster C              cluster name (application property 'cluster'); required
  --node N                 node name (property 'node' and partition key); default the file name
  --connection-string CS   Event Hubs connection string (default $TRACECTL_EVENTHUB_CONNECTION_STRING,
                           e.g. the one 'npm run local' prints)
  --namespace FQDN         Event Hubs namespace (…servicebus.windows.net), signing in with
                           DefaultAzureCredential (needs Azure Event Hubs Data Sender)
  --hub NAME               event hub name (default $TRACE_HUB_NAME or retina-traces)
  --rate PPS               publish PPS packets per second, packet by packet, in batches of at
                           most 100 ms of packets (default: as fast as possible)
  --identities FILE        identity snapshot JSON (retina.sh/identities/v1) sent before the packets
  --trace-point P          trace point for interfaces whose name carries none

Exit status: 0 all published, 1 publishing failed part-way (the summary says how far it got),
2 usage error or unreadable input.`;

/** The options of the command (checked before it runs; offered by shell completion). */
const OPTIONS = {
  cluster: { type: 'string' },
  node: { type: 'string' },
  'connection-string': { type: 'string' },
  namespace: { type: 'string' },
  hub: { type: 'string' },
  rate: { type: 'string' },
  identities: { type: 'string' },
  'trace-point': { type: 'string' },
} satisfies CommandOptions;

/** `tracectl replay`: a capture to Event Hubs as an agent would publish it. */
export const replayCommand: Command = {
  options: OPTIONS,
  name: 'replay',
  summary: 'publish a capture to Event Hubs as a node agent would',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, OPTIONS, true);
    const capturePath = positionals[0];
    if (capturePath === undefined || positionals.length > 1)
      throw new UsageError('give exactly one CAPTURE file');
    if (values.cluster === undefined || values.cluster === '') throw new UsageError('--cluster is required');
    const connectionString = values['connection-string'] ?? io.env.TRACECTL_EVENTHUB_CONNECTION_STRING;
    if ((connectionString === undefined) === (values.namespace === undefined)) {
      throw new UsageError(
        'give exactly one of --connection-string (or $TRACECTL_EVENTHUB_CONNECTION_STRING) and --namespace',
      );
    }
    const rate = values.rate === undefined ? undefined : Number(values.rate);
    if (rate !== undefined && !(Number.isFinite(rate) && rate > 0))
      throw new UsageError(`--rate must be a positive number, not '${values.rate}'`);
    let defaultTracePoint: TracePoint | undefined;
    if (values['trace-point'] !== undefined) {
      defaultTracePoint = TRACE_POINTS.find((p) => p.toLowerCase() === values['trace-point']!.toLowerCase());
      if (defaultTracePoint === undefined)
        throw new UsageError(`--trace-point must be one of ${TRACE_POINTS.join(', ')}`);
    }
    const resolved = path.resolve(io.cwd, capturePath);
    try {
      if (!(await stat(resolved)).isFile()) throw new Error('not a regular file');
    } catch (caught) {
      io.stderr(`tracectl replay: cannot read ${capturePath}: ${errorMessage(caught)}\n`);
      return 2;
    }
    const node = values.node ?? path.basename(capturePath);
    let identities: PublishableEvent | undefined;
    if (values.identities !== undefined) {
      const parsed = parseIdentitySnapshot(
        JSON.parse(await readFile(path.resolve(io.cwd, values.identities), 'utf8')) as unknown,
      );
      if (!parsed.ok) {
        io.stderr(
          `tracectl replay: ${values.identities} is not a valid identity snapshot:\n${parsed.issues.map((i) => `  ${i}`).join('\n')}\n`,
        );
        return 2;
      }
      identities = identitiesEvent(parsed.snapshot);
    }
    const hub = values.hub ?? io.env.TRACE_HUB_NAME ?? 'retina-traces';
    const producer =
      connectionString !== undefined
        ? new EventHubProducerClient(connectionString, hub)
        : new EventHubProducerClient(values.namespace!, hub, new DefaultAzureCredential());
    const packer = new TraceBatchPacker({
      cluster: values.cluster,
      node,
      ...(defaultTracePoint !== undefined ? { defaultTracePoint } : {}),
    });
    const progress = { packets: 0, events: 0, bytes: 0, problems: 0 };
    const started = Date.now();
    let lastProgress = 0;
    const showProgress = (final: boolean) => {
      if (io.stdoutIsTty !== true && !final) return;
      const seconds = Math.max((Date.now() - started) / 1000, 0.001);
      const line = `${progress.packets} packets, ${progress.events} events, ${(progress.bytes / 1e6).toFixed(2)} MB, ${Math.round(progress.packets / seconds)} packets/s`;
      // On a terminal the line is rewritten in place (\r, then erase to the end of the line); the
      // final one ends with a newline so the prompt starts clean.
      const tty = io.stdoutIsTty === true;
      io.stderr(tty ? `\r${line}\x1b[K${final ? '\n' : ''}` : `${line}\n`);
    };
    const pacer = rate === undefined ? undefined : new PacketPacer(rate);
    const send = async (events: PublishableEvent[], _packets: number) => {
      if (events.length === 0) return;
      await publishEvents(producer, events, { partitionKey: node });
      progress.events += events.length;
      progress.bytes += events.reduce((sum, e) => sum + e.body.length, 0);
      if (Date.now() - lastProgress > 250) {
        lastProgress = Date.now();
        showProgress(false);
      }
    };
    let damaged = false;
    try {
      if (identities !== undefined) await send([identities], 0);
      for await (const event of readCaptureStream(createReadStream(resolved))) {
        if (event.kind === 'packet') {
          progress.packets += 1;
          if (pacer !== undefined) await pacer.beforePacket();
          await send(packer.add(event.packet), progress.packets);
          if (pacer?.shouldFlush() === true) await send(packer.flush(), progress.packets);
        } else if (event.kind === 'problem') {
          progress.problems += 1;
          if (event.problem.fatal && progress.packets === 0) {
            io.stderr(`tracectl replay: ${capturePath}: ${event.problem.message}\n`);
            return 2;
          }
          io.stderr(`${capturePath}: ${event.problem.message}\n`);
          if (isDamagedCompression(event.problem)) damaged = true;
        }
      }
      await send(packer.flush(), progress.packets);
    } catch (caught) {
      showProgress(true);
      io.stderr(`tracectl replay: ${errorMessage(caught)}\n`);
      return 1;
    } finally {
      await producer.close();
    }
    showProgress(true);
    for (const oversized of packer.oversized)
      io.stderr(
        `frame ${oversized.frame}: not published, ${oversized.compressedBytes} bytes compressed is over the event limit\n`,
      );
    io.stdout(
      `published ${capturePath}: ${progress.packets} packets in ${progress.events} events to ${hub} as ${values.cluster}/${node}\n`,
    );
    return damaged ? 2 : packer.oversized.length > 0 ? 1 : 0;
  },
};
