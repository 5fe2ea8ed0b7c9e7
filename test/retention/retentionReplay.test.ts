/**
 * Retained captures whose upload failed are dead-lettered with their bytes and come back with
 * `tracectl deadletter replay`: nothing retained is lost while storage is down.
 */
import { BlobServiceClient } from '@azure/storage-blob';
import { COMMANDS } from '../../shared/cli/commands';
import { runCli } from '../../shared/cli/run';
import { compileConfigurations } from '../../shared/match/configurationMatcher';
import { EMPTY_IDENTITY_LOOKUP } from '../../shared/enrich/identityStore';
import { createPartitionState } from '../../shared/pipeline/partitionState';
import { runBatch } from '../../shared/pipeline/runBatch';
import { demoBatches } from '../../shared/local/demo/demoCluster';
import { retrievePackets } from '../../shared/retention/retrievePackets';
import { RetentionStore } from '../../shared/retention/retentionStore';
import {
  RetentionSink,
  retainedBatchRecord,
  retentionDeadLetter,
} from '../../shared/retention/retentionSink';
import { BlobDeadLetterStore } from '../../shared/sinks/send/blobDeadLetterStore';
import { deliver } from '../../shared/sinks/send/deliver';
import { replayDeadLetters } from '../../shared/sinks/send/replay';
import { readCapture } from '../../shared/capture/readCapture';
import { useAzurite } from '../support/azurite';
import { configurationsFromYaml } from '../pipeline/support/pipelineFixtures';

const RETAINING = `
apiVersion: retina.sh/v1alpha1
kind: TraceConfiguration
metadata: {name: web, namespace: shop, annotations: {retina.sh/retain-packets: "7d"}}
spec:
  traceConfigurations:
    - captureLevel: FirstPacket
      ports: [{port: 8080, protocol: TCP}]
  outputConfiguration: {destination: stdout}
`;

describe('dead-lettered retained captures', () => {
  const azurite = useAzurite();
  const [batch] = demoBatches(Date.UTC(2026, 2, 1, 12));

  it('keep the packets when storage refuses them, and tracectl deadletter replay uploads them', async () => {
    const service = BlobServiceClient.fromConnectionString(azurite().connectionString);
    const deadLetters = new BlobDeadLetterStore(service.getContainerClient('trace-deadletter'));
    const down = new RetentionStore(
      BlobServiceClient.fromConnectionString(
        azurite().connectionString.replace(
          /BlobEndpoint=http:\/\/127\.0\.0\.1:\d+/,
          'BlobEndpoint=http://127.0.0.1:9',
        ),
        { retryOptions: { maxTries: 1 } },
      ).getContainerClient('trace-retained'),
    );
    const result = runBatch(
      { cluster: 'c1', node: batch!.node, capture: batch!.capture },
      {
        matcher: compileConfigurations(configurationsFromYaml(RETAINING)),
        identities: EMPTY_IDENTITY_LOOKUP,
        state: createPartitionState(),
        retainPackets: true,
      },
    );
    const retained = result.retained!;
    const report = await deliver(new RetentionSink(down, retained), [retainedBatchRecord(retained)], {
      deadLetter: retentionDeadLetter(deadLetters, [retained]),
      batchRef: 'eventhub:0:1',
      maxAttempts: 2,
      baseDelayMs: 1,
      attemptTimeoutMs: 2000,
    });
    expect(report).toMatchObject({ destination: 'retention', delivered: 0, deadLettered: 1 });
    expect(report.deadLetterBlob).toMatch(/^retention\/RETENTION\//);

    let stdout = '';
    let stderr = '';
    const code = await runCli(['deadletter', 'replay', '-o', 'json'], COMMANDS, {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      env: { DEADLETTER__connectionString: azurite().connectionString },
      cwd: process.cwd(),
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([
      {
        blob: report.deadLetterBlob,
        destination: 'retention',
        records: 1,
        delivered: 1,
        outcome: 'replayed',
      },
    ]);
    expect(await deadLetters.list()).toEqual([]);

    const store = new RetentionStore(service.getContainerClient('trace-retained'));
    const flow = retained.index.frames[0]!.flow!;
    const back = await retrievePackets(store, { selector: { kind: 'flow', flowId: flow } });
    expect(back.problems).toEqual([]);
    const expected = readCapture(Buffer.from(retained.body)).packets.filter(
      (_, i) => retained.index.frames[i]!.flow === flow,
    );
    expect(readCapture(back.pcapng).packets.map((p) => Buffer.from(p.data).toString('hex'))).toEqual(
      expected.map((p) => Buffer.from(p.data).toString('hex')),
    );
  }, 60_000);

  it('are skipped, not lost, when the replay has nowhere to upload them', async () => {
    const service = BlobServiceClient.fromConnectionString(azurite().connectionString);
    const deadLetters = new BlobDeadLetterStore(service.getContainerClient('dl-skip'));
    await deadLetters.write({
      destination: 'retention',
      connection: 'RETENTION',
      batchRef: 'x',
      entries: [{ kind: 'event', code: 'HTTP_503', reason: 'down', body: '', properties: {} }],
    });
    const results = await replayDeadLetters({
      store: deadLetters,
      sinkFor: () => {
        throw new Error('no sink is needed');
      },
    });
    expect(results).toEqual([expect.objectContaining({ outcome: 'skipped', destination: 'retention' })]);
    expect(await deadLetters.list()).toHaveLength(1);
  });

  it('fails naming the blob when an entry lacks its blob name', async () => {
    const service = BlobServiceClient.fromConnectionString(azurite().connectionString);
    const deadLetters = new BlobDeadLetterStore(service.getContainerClient('dl-bad'));
    await deadLetters.write({
      destination: 'retention',
      connection: 'RETENTION',
      batchRef: 'x',
      entries: [{ kind: 'event', code: 'HTTP_503', reason: 'down', body: '', properties: {} }],
    });
    const results = await replayDeadLetters({
      store: deadLetters,
      sinkFor: () => {
        throw new Error('no sink is needed');
      },
      retention: new RetentionStore(service.getContainerClient('retained-bad')),
    });
    expect(results).toEqual([
      expect.objectContaining({
        outcome: 'failed',
        reason: expect.stringContaining('has no properties.blob') as unknown,
      }),
    ]);
    expect(await deadLetters.list()).toHaveLength(1);
  });
});
