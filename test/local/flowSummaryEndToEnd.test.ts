/**
 * FlowSummary end to end on one machine: four configurations at `FlowSummary`, one per destination,
 * applied through `tracectl apply`; the demo cluster published by a real EventHubProducerClient;
 * the consumer stopped (its partitions released), which writes every open flow to every destination.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { TableClient } from '@azure/data-tables';
import { EventHubProducerClient } from '@azure/event-hubs';
import { identitiesEvent, publishEvents } from '../../shared/agent/publishEvents';
import { COMMANDS } from '../../shared/cli/commands';
import { runCli } from '../../shared/cli/run';
import { demoBatches, demoIdentities, DEMO_CLUSTER } from '../../shared/local/demo/demoCluster';
import { startLocalSystem, type LocalSystem } from '../../shared/local/localSystem';
import { TRACE_BATCH_SCHEMA } from '../../shared/pipeline/traceEvent';

const ROOT = path.join(__dirname, '..', '..');
const START = Date.UTC(2026, 10, 25, 10, 0, 0);
const DESTINATIONS = ['stdout', 'azuretable', 'loganalytics', 'opentelemetry'] as const;

const manifest = (destination: string) => `apiVersion: retina.sh/v1alpha1
kind: TraceConfiguration
metadata:
  name: flows-${destination}
  namespace: flows
spec:
  traceConfigurations:
    - captureLevel: FlowSummary
      to:
        - ipBlock:
            cidr: 0.0.0.0/0
  outputConfiguration:
    destination: ${destination}
`;

let system: LocalSystem;
let scratch: string;
const lines: string[] = [];

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'flows-e2e-'));
  system = await startLocalSystem({ log: (line) => lines.push(line) });
}, 40_000);

afterAll(async () => {
  await system?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('FlowSummary through the local system', () => {
  it('writes flow records to stdout, Azure Table, Log Analytics and OTLP when the partitions are released', async () => {
    for (const destination of DESTINATIONS)
      writeFileSync(path.join(scratch, `${destination}.yaml`), manifest(destination));
    let stderr = '';
    const applied = await runCli(['apply', '-f', scratch], COMMANDS, {
      stdout: () => undefined,
      stderr: (t) => (stderr += t),
      env: { TRACECTL_SERVER: system.httpUrl },
      cwd: ROOT,
    });
    expect(stderr).toBe('');
    expect(applied).toBe(0);

    const producer = new EventHubProducerClient(system.eventHubsConnectionString);
    try {
      let sent = await publishEvents(producer, [identitiesEvent(demoIdentities('2026-11-25T09:59:00Z'))], {
        partitionKey: DEMO_CLUSTER,
      });
      await system.waitForEvents(sent, 20_000);
      for (const batch of demoBatches(START)) {
        sent += await publishEvents(
          producer,
          [
            {
              body: gzipSync(batch.capture),
              properties: {
                'trace-schema': TRACE_BATCH_SCHEMA,
                cluster: DEMO_CLUSTER,
                node: batch.node,
                'content-encoding': 'gzip',
              },
            },
          ],
          { partitionKey: batch.node },
        );
      }
      await system.waitForEvents(sent, 30_000);
    } finally {
      await producer.close();
    }
    // Within one replay every flow is still open: nothing was written yet.
    expect(system.stats.records).toBe(0);
    await system.stopConsumer();

    const perDestination = system.stats.recordsByDestination;
    for (const destination of DESTINATIONS)
      expect(perDestination[`${destination}/TRACES_${destination.toUpperCase()}`]).toBeGreaterThan(0);
    const count = perDestination['stdout/TRACES_STDOUT']!;
    expect(system.stats.deadLettered).toBe(0);

    const stdout = system.stdoutLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(stdout).toHaveLength(count);
    for (const record of stdout) {
      expect(record).toMatchObject({
        CaptureLevel: 'FlowSummary',
        TraceConfiguration: 'flows/flows-stdout',
        FlowEndReason: expect.stringMatching(/^(fin|shutdown)$/),
      });
      expect(record.CommunityId).toMatch(/^1:/);
    }
    const http = stdout.find((r) => r.DestinationPort === 8080 && r.NodeName === 'aks-node-2')!;
    expect(http).toMatchObject({
      FlowState: 'SF',
      FlowEndReason: 'fin',
      SourcePodName: 'frontend-7d9f8b6c5-x2x4q',
      DestinationPodName: 'checkout-5c8b7f9d4-k8m2n',
    });

    // Log Analytics: the local Logs Ingestion server checked every row against the DCR columns.
    const la = system.logsIngestion.accepted.map((a) => a.row);
    expect(la).toHaveLength(count);
    expect(la.map((r) => r.CommunityId).sort()).toEqual(stdout.map((r) => r.CommunityId).sort());

    const table = TableClient.fromConnectionString(system.azurite.connectionString, 'RetinaTraces', {
      allowInsecureConnection: true,
    });
    const rows: Record<string, unknown>[] = [];
    for await (const entity of table.listEntities()) rows.push(entity);
    expect(rows).toHaveLength(count);
    const row = rows.find((r) => r.CommunityId === http.CommunityId && r.NodeName === 'aks-node-2')!;
    expect(row).toMatchObject({ CaptureLevel: 'FlowSummary', FlowState: 'SF' });
    expect(Number((row.PacketsFromSource as { value: string }).value ?? row.PacketsFromSource)).toBe(
      http.PacketsFromSource,
    );

    const otlp = system.otlp.received.map((r) => JSON.stringify(r.logRecord));
    expect(otlp).toHaveLength(count);
    expect(otlp.every((text) => text.includes('retina.flow.end_reason'))).toBe(true);
    expect(lines.filter((line) => /failed|error/i.test(line))).toEqual([]);
  }, 90_000);
});
