/**
 * `npm run local`: the whole system on this machine (see localSystem.ts), then, by default, the
 * built-in demo: apply `samples/local/` through the HTTP API, publish the synthetic cluster's
 * identities and trace batches as agents would, and show what arrived where.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EventHubProducerClient } from '@azure/event-hubs';
import { callBackend, describeProblem } from '../cli/backendClient';
import { identitiesEvent, publishEvents, type PublishableEvent } from '../agent/publishEvents';
import { TraceBatchPacker } from '../agent/traceBatchPacker';
import { readCaptureStream } from '../capture/readCapture';
import { parseIdentitySnapshot } from '../enrich/identitySchema';
import { demoBatches, demoIdentities, DEMO_CLUSTER } from './demo/demoCluster';
import { startLocalSystem, type LocalSystem } from './localSystem';
import { chooseAzuritePorts } from './azurite';
import { exportBlock } from './exportBlock';
import { TRACE_BATCH_SCHEMA } from '../pipeline/traceEvent';
import { TRACE_POINTS, type TracePoint } from '../packet/decodedPacket';
import { gzipSync } from 'node:zlib';
import { errorMessage } from '../errors';
import { startInCluster, type InCluster } from './inClusterMode';
import { readLocalConfigurations } from './localConfigurations';
import { runPcap } from '../retention/pcapCommand';

const HELP = `Usage: npm run local -- [--capture FILE [--cluster C] [--node N] [--trace-point P]] [--identities FILE]
                        [--configs DIR] [--keep-running] [--http-port N] [--eventhubs-port N] [--data-dir DIR]
                        [--azurite-ports standard|free] [--in-cluster]

Starts Azurite, a local Event Hubs endpoint, local Log Analytics and OTLP endpoints and the app's
functions, applies the configurations in --configs (default samples/local), replays the built-in
synthetic cluster (or --capture FILE), and shows what arrived where.

  --keep-running     leave everything up for tracectl apply/replay/query from another terminal
  --in-cluster       the cluster side too: a fake Kubernetes API server with the demo cluster, the
                     TraceConfiguration controller (configurations created as kubectl apply would,
                     status written back) and the identity publisher (identities from the API)
  --http-port N      port of the HTTP API (default 7071)
  --eventhubs-port N port of the local Event Hubs endpoint (default 5672)
  --data-dir DIR     where Azurite data, the received records and the demo capture go (default .local)
  --azurite-ports P  standard (default): Azurite's own ports 10000-10002 when free, so
                     UseDevelopmentStorage=true (func start, Storage Explorer) sees the data; else
                     free ports, printed as an export block. free: always free ports.`;

const ROOT = path.resolve(__dirname, '..', '..');

function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

async function applyConfigurations(system: LocalSystem, directory: string): Promise<number> {
  let applied = 0;
  for (const read of await readLocalConfigurations(directory)) {
    const shown = path.relative(ROOT, path.join(directory, read.file));
    if (!read.ok) {
      say(`  ${shown}: skipped: ${read.problem}`);
      continue;
    }
    for (const { where, manifest } of read.manifests) {
      const metadata = manifest.metadata as { name?: unknown; namespace?: unknown } | undefined;
      const name = typeof metadata?.name === 'string' ? metadata.name : undefined;
      const namespace = typeof metadata?.namespace === 'string' ? metadata.namespace : 'default';
      if (name === undefined) {
        say(`  ${where}: metadata.name is missing; skipped`);
        continue;
      }
      const response = await callBackend(
        { server: system.httpUrl },
        'PUT',
        `traceconfigurations/${namespace}/${name}`,
        { body: JSON.stringify(manifest), contentType: 'application/json' },
      );
      if (response.status === 200 || response.status === 201) {
        applied += 1;
        const state = (response.body as { status?: { state?: string } }).status?.state ?? '?';
        say(`  applied ${namespace}/${name} (${state}) from ${shown}`);
      } else {
        say(`  ${where}: ${describeProblem(response)}`);
      }
    }
  }
  return applied;
}

async function captureEvents(
  file: string,
  cluster: string,
  node: string,
  tracePoint: TracePoint | undefined,
): Promise<PublishableEvent[]> {
  const packer = new TraceBatchPacker({
    cluster,
    node,
    ...(tracePoint !== undefined ? { defaultTracePoint: tracePoint } : {}),
  });
  const events: PublishableEvent[] = [];
  for await (const event of readCaptureStream(createReadStream(file))) {
    if (event.kind === 'packet') events.push(...packer.add(event.packet));
    else if (event.kind === 'problem') say(`  ${file}: ${event.problem.message}`);
  }
  events.push(...packer.flush());
  return events;
}

function printExamples(system: LocalSystem): void {
  const examples: { where: string; record: Record<string, unknown> }[] = [];
  const accepted = system.logsIngestion.accepted.find((row) => row.row.L7Protocol === 'DNS');
  if (accepted !== undefined)
    examples.push({ where: 'Log Analytics (RetinaTraces_CL)', record: accepted.row });
  const flow = system.logsIngestion.accepted.find((row) => row.row.CaptureLevel === 'FlowSummary');
  if (flow !== undefined) {
    const {
      TraceConfiguration,
      NodeName,
      SourcePodName,
      DestinationPodName,
      DestinationFqdn,
      DestinationPort,
      PacketsFromSource,
      PacketsFromDestination,
      BytesFromSource,
      BytesFromDestination,
      FlowState,
      TcpHistory,
      FlowEndReason,
      CommunityId,
    } = flow.row;
    say(
      `  Log Analytics flow: ${JSON.stringify({ TraceConfiguration, NodeName, SourcePodName, DestinationPodName, DestinationFqdn, DestinationPort, PacketsFromSource, PacketsFromDestination, BytesFromSource, BytesFromDestination, FlowState, TcpHistory, FlowEndReason, CommunityId })}`,
    );
  }
  // gRPC over h2c (shop/shop-sentinel's ASIM web sessions): a call, and the call that failed.
  const web = system.logsIngestion.accepted.filter((row) => row.stream === 'Custom-ASimWebSessionLogs');
  const extra = (row: Record<string, unknown>) => (row.AdditionalFields ?? {}) as Record<string, unknown>;
  const call = web.find((row) => extra(row.row).GrpcService !== undefined);
  const failed = web.find(
    (row) => typeof extra(row.row).GrpcStatusCode === 'number' && extra(row.row).GrpcStatusCode !== 0,
  );
  if (call !== undefined) {
    const { TraceConfiguration, Http2StreamId, GrpcService, GrpcMethod } = extra(call.row);
    const { SrcHostname, DstHostname, Url } = call.row;
    say(
      `  gRPC call (ASimWebSessionLogs): ${JSON.stringify({ TraceConfiguration, SrcHostname, DstHostname, Url, Http2StreamId, GrpcService, GrpcMethod })}`,
    );
  }
  if (failed !== undefined) {
    const { TraceConfiguration, Http2StreamId, GrpcStatusCode, GrpcMessage } = extra(failed.row);
    const { SrcHostname, DstHostname, EventResult } = failed.row;
    say(
      `  gRPC error (ASimWebSessionLogs): ${JSON.stringify({ TraceConfiguration, SrcHostname, DstHostname, Http2StreamId, GrpcStatusCode, GrpcMessage, EventResult })}`,
    );
  }
  const stdout = system.stdoutLines[0];
  if (stdout !== undefined)
    examples.push({ where: 'stdout', record: JSON.parse(stdout) as Record<string, unknown> });
  for (const { where, record } of examples) {
    const {
      TimeGenerated,
      TraceConfiguration,
      TracePoint,
      SourceIp,
      SourcePodName,
      DestinationIp,
      DestinationServiceName,
      DestinationFqdn,
      Protocol,
      L7Protocol,
      DnsQuery,
      DnsResponseCode,
      TcpFlags,
    } = record;
    say(
      `  ${where}: ${JSON.stringify({ TimeGenerated, TraceConfiguration, TracePoint, SourceIp, SourcePodName, DestinationIp, DestinationServiceName, DestinationFqdn, Protocol, TcpFlags, L7Protocol, DnsQuery, DnsResponseCode })}`,
    );
  }
}

/**
 * Shows packet retention at work: how much was retained, then retrieves one retained flow with
 * the code of `tracectl pcap` into `<dataDir>/retained-flow.pcapng`. Returns that flow's id.
 */
async function showRetainedPackets(system: LocalSystem, dataDir: string): Promise<string | undefined> {
  const { stats, services } = system;
  const retention = services.ingest.retention;
  if (stats.retainedPackets === 0 || retention === undefined) return undefined;
  say(
    `\nRetained packets (retina.sh/retain-packets): ${stats.retainedPackets} packets in ${stats.retainedBlobs} blobs (container ${retention.container.containerName}, ${stats.retainedDeadLettered} dead-lettered)`,
  );
  for await (const info of retention.listIndexes()) {
    const index = await retention.readIndex(info.name);
    const flow = index.frames.find((frame) => frame.flow !== undefined)?.flow;
    if (flow === undefined) continue;
    const file = path.join(dataDir, 'retained-flow.pcapng');
    await runPcap(
      retention,
      { flow, output: file },
      { stderr: (text) => process.stdout.write(`  ${text}`), cwd: process.cwd() },
    );
    say(`  open it: wireshark ${path.relative(process.cwd(), file)}`);
    return flow;
  }
  return undefined;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      capture: { type: 'string' },
      cluster: { type: 'string' },
      node: { type: 'string' },
      identities: { type: 'string' },
      'trace-point': { type: 'string' },
      configs: { type: 'string' },
      'keep-running': { type: 'boolean', default: false },
      'in-cluster': { type: 'boolean', default: false },
      'http-port': { type: 'string', default: '7071' },
      'eventhubs-port': { type: 'string', default: '5672' },
      'data-dir': { type: 'string', default: '.local' },
      'azurite-ports': { type: 'string', default: 'standard' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    say(HELP);
    return 0;
  }
  const dataDir = path.resolve(values['data-dir']);
  if (values['azurite-ports'] !== 'standard' && values['azurite-ports'] !== 'free') {
    throw new Error(`--azurite-ports must be standard or free, not '${values['azurite-ports']}'`);
  }
  if (values.capture !== undefined) {
    // Checked before anything starts: a missing capture is an error, not an empty replay.
    const info = await stat(values.capture).catch((caught: unknown) => {
      throw new Error(`cannot read --capture ${values.capture}: ${errorMessage(caught)}`);
    });
    if (!info.isFile()) throw new Error(`--capture ${values.capture} is not a regular file`);
  }
  const azuritePorts = values['azurite-ports'] === 'standard' ? await chooseAzuritePorts() : undefined;
  say(`Starting the local system (data under ${path.relative(process.cwd(), dataDir) || '.'}) ...`);
  const system = await startLocalSystem({
    dataDir,
    httpPort: Number(values['http-port']),
    eventHubsPort: Number(values['eventhubs-port']),
    ...(azuritePorts ? { azuritePorts } : {}),
    log: (line) => process.stderr.write(`  [local] ${line}\n`),
  });
  let stopping = false;
  let inCluster: InCluster | undefined;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    say('\nShutting down ...');
    await inCluster?.stop();
    await system.stop();
  };
  process.once('SIGINT', () => void shutdown().then(() => process.exit(130)));
  process.once('SIGTERM', () => void shutdown().then(() => process.exit(143)));

  say(`  HTTP API        ${system.httpUrl}/api/traceconfigurations`);
  say(`  Event Hubs      ${system.eventHubsConnectionString}`);
  say(
    `  Azure Table     ${system.azurite.connectionString.split(';').find((p) => p.startsWith('TableEndpoint')) ?? ''}`,
  );
  say(
    `  Log Analytics   ${system.logsIngestion.endpoint} (rows also in ${path.relative(process.cwd(), path.join(dataDir, 'loganalytics'))}/)`,
  );
  say(`  OpenTelemetry   ${system.otlp.endpoint}/v1/logs`);
  if (azuritePorts?.standard) {
    say(
      '  Azurite         standard ports 10000-10002: UseDevelopmentStorage=true (func start, Storage Explorer) sees this data',
    );
  } else {
    const busy = azuritePorts?.busy ?? [];
    say(
      busy.length > 0
        ? `  Azurite         port ${busy.join(', ')} in use (another Azurite?), so Azurite runs on free ports; to reach it from another terminal:`
        : '  Azurite         on free ports (--azurite-ports free); to reach it from another terminal:',
    );
    say();
    say(
      exportBlock({
        ...system.env,
        TRACECTL_SERVER: system.httpUrl,
        TRACECTL_EVENTHUB_CONNECTION_STRING: system.eventHubsConnectionString,
      }).replace(/^/gm, '    '),
    );
  }
  say();
  const configsDir = path.resolve(values.configs ?? path.join(ROOT, 'samples', 'local'));
  if (values['in-cluster']) {
    say(
      'In-cluster mode: a fake Kubernetes API server with the demo cluster, the controller and the identity publisher ...',
    );
    inCluster = await startInCluster(system, configsDir, {
      cluster: values.cluster ?? DEMO_CLUSTER,
      log: (line) => say(`  ${line}`),
    });
    say(`  Kubernetes API  ${inCluster.apiServer.url} (the fake API server)`);
    say('\n$ kubectl get tracecfg -A');
    say(inCluster.table());
  } else {
    say('Applying configurations through the HTTP API ...');
    await applyConfigurations(system, configsDir);
  }

  const producer = new EventHubProducerClient(system.eventHubsConnectionString);
  let published = 0;
  try {
    if (values.capture === undefined) {
      say(
        '\nReplaying the built-in synthetic cluster (2 nodes, HTTP, gRPC over h2c, DNS and TLS traffic) ...',
      );
      const snapshot = demoIdentities(new Date().toISOString());
      await mkdir(path.join(dataDir, 'demo'), { recursive: true });
      await writeFile(
        path.join(dataDir, 'demo', 'identities.json'),
        `${JSON.stringify(snapshot, null, 2)}\n`,
      );
      if (inCluster !== undefined) {
        // The identity publisher already published the demo cluster's identities from the API.
        published += inCluster.identityEvents;
      } else {
        published += await publishEvents(producer, [identitiesEvent(snapshot)], {
          partitionKey: DEMO_CLUSTER,
        });
      }
      // Identities first, so the batches that follow are enriched.
      await system.waitForEvents(published, 30_000);
      for (const batch of demoBatches(Date.now())) {
        const event: PublishableEvent = {
          body: gzipSync(batch.capture),
          properties: {
            'trace-schema': TRACE_BATCH_SCHEMA,
            cluster: DEMO_CLUSTER,
            node: batch.node,
            'content-encoding': 'gzip',
          },
        };
        published += await publishEvents(producer, [event], { partitionKey: batch.node });
        await writeFile(path.join(dataDir, 'demo', `${batch.node}.pcapng`), batch.capture);
        say(`  ${batch.node}: ${batch.packets} packets in 1 trace batch`);
      }
    } else {
      const cluster = values.cluster ?? DEMO_CLUSTER;
      const node = values.node ?? path.basename(values.capture);
      say(`\nReplaying ${values.capture} as cluster ${cluster}, node ${node} ...`);
      if (values.identities !== undefined) {
        const parsed = parseIdentitySnapshot(
          JSON.parse(await readFile(values.identities, 'utf8')) as unknown,
        );
        if (!parsed.ok) throw new Error(`${values.identities}: ${parsed.issues.join('; ')}`);
        published += await publishEvents(producer, [identitiesEvent(parsed.snapshot)], {
          partitionKey: node,
        });
      }
      const tracePoint = TRACE_POINTS.find((p) => p.toLowerCase() === values['trace-point']?.toLowerCase());
      if (values['trace-point'] !== undefined && tracePoint === undefined)
        throw new Error(`--trace-point must be one of ${TRACE_POINTS.join(', ')}`);
      const events = await captureEvents(values.capture, cluster, node, tracePoint);
      published += await publishEvents(producer, events, { partitionKey: node });
      say(`  ${events.length} trace batches published`);
    }
  } finally {
    await producer.close();
  }
  await system.waitForEvents(published, 120_000);
  // The replay is over: stopping the consumer releases its partitions, which writes every
  // FlowSummary flow still open (as when the partition moves to another instance).
  await system.stopConsumer();
  if (values['keep-running']) system.startConsumer();

  const stats = system.stats;
  say('\nWhat arrived where:');
  say(
    `  ${stats.events} events, ${stats.packets} packets, ${stats.records} records (${stats.delivered} delivered, ${stats.deadLettered} dead-lettered), max lag ${stats.maxLagMs} ms`,
  );
  for (const [destination, count] of Object.entries(stats.recordsByDestination).sort())
    say(`  ${destination.padEnd(40)} ${count} records`);
  if (stats.records === 0 && stats.packets > 0) {
    say(
      "  No configuration matched these packets. The local samples select the demo cluster's namespaces and",
    );
    say(
      '  trace points: pass --configs DIR with configurations for your traffic (and --identities, --trace-point),',
    );
    say('  or run `npx tracectl inspect CAPTURE` to see every packet traced.');
  }
  say('\nExamples:');
  printExamples(system);
  const retainedFlow = await showRetainedPackets(system, dataDir);
  say(
    values['keep-running']
      ? '\nLook further:'
      : '\nLook further (the servers stop now; rerun with --keep-running to use the first two):',
  );
  say(`  npx tracectl get --server ${system.httpUrl}`);
  say(
    `  npx tracectl query --connection-string '${system.azurite.connectionString}' --configuration shop/shop-http --cluster ${DEMO_CLUSTER} --since 1h`,
  );
  say(
    `  ls ${path.relative(process.cwd(), dataDir)}/loganalytics ${path.relative(process.cwd(), dataDir)}/otlp ${path.relative(process.cwd(), dataDir)}/stdout.ndjson`,
  );
  const demo = path.relative(process.cwd(), path.join(dataDir, 'demo'));
  say(
    values.capture === undefined
      ? `  npx tracectl inspect ${demo}/aks-node-1.pcapng -f samples/local --identities ${demo}/identities.json --cluster ${DEMO_CLUSTER} --node aks-node-1 -o table`
      : '  npx tracectl inspect <capture.pcapng> -f samples/local -o table',
  );
  if (retainedFlow !== undefined) {
    say(
      `  npx tracectl pcap --flow ${retainedFlow} --connection-string '${system.azurite.connectionString}' -o flow.pcapng`,
    );
  }
  if (values['keep-running']) {
    say(
      `  TRACECTL_EVENTHUB_CONNECTION_STRING='${system.eventHubsConnectionString}' npx tracectl replay <capture> --cluster ${DEMO_CLUSTER} --node my-node`,
    );
  }
  if (values['keep-running']) {
    say('\nEverything keeps running; press Ctrl-C to stop.');
    await new Promise(() => undefined);
  }
  await shutdown();
  return stats.deadLettered > 0 || stats.rejectedEvents > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (caught: unknown) => {
    process.stderr.write(`npm run local: ${errorMessage(caught)}\n`);
    process.exit(1);
  },
);
