import { demoBatches, DEMO_CLUSTER } from '../../shared/local/demo/demoCluster';
import { EMPTY_IDENTITY_LOOKUP } from '../../shared/enrich/identityStore';
import { compileConfigurations } from '../../shared/match/configurationMatcher';
import { createPartitionState, type PartitionState } from '../../shared/pipeline/partitionState';
import { releasePartitionState } from '../../shared/pipeline/releasePartition';
import { runBatch } from '../../shared/pipeline/runBatch';
import type { DeadLetterBatch } from '../../shared/sinks/send/deadLetter';
import { StdoutSink } from '../../shared/sinks/stdout/stdoutSink';
import { configurationsFromYaml } from './support/pipelineFixtures';

const [NODE_1] = demoBatches(Date.UTC(2026, 0, 15, 9, 30, 0));
const YAML = `
apiVersion: retina.sh/v1alpha1
kind: TraceConfiguration
metadata: {name: flows, namespace: t}
spec:
  traceConfigurations:
    - captureLevel: FlowSummary
      to: [{ipBlock: {cidr: 0.0.0.0/0}}]
  outputConfiguration: {destination: stdout}
`;

function stateWithOpenFlows(): PartitionState {
  const state = createPartitionState();
  const result = runBatch(
    { cluster: DEMO_CLUSTER, node: 'aks-node-1', capture: NODE_1!.capture },
    {
      matcher: compileConfigurations(configurationsFromYaml(YAML)),
      identities: EMPTY_IDENTITY_LOOKUP,
      state,
    },
  );
  expect(result.counts.flowRecords).toBe(0);
  expect(state.flows.stats().trackedFlows).toBeGreaterThan(0);
  return state;
}

describe('releasePartitionState', () => {
  it('writes every open flow and delivers it', async () => {
    const state = stateWithOpenFlows();
    const open = state.flows.stats().trackedFlows;
    const lines: string[] = [];
    const sink = new StdoutSink(async (text) => {
      lines.push(...text.split('\n').filter(Boolean));
    });
    const summary = await releasePartitionState(state, '3', {
      sinkFor: () => sink,
      deadLetter: { write: async () => 'unused' },
    });
    expect(summary).toMatchObject({ records: open, delivered: open, deadLettered: 0 });
    expect(summary.recordsByDestination).toEqual({ 'stdout/TRACES_STDOUT': open });
    expect(lines).toHaveLength(open);
    expect(lines.map((l) => (JSON.parse(l) as { FlowEndReason: string }).FlowEndReason).sort()).toContain(
      'fin',
    );
    expect(state.flows.stats().trackedFlows).toBe(0);
  });

  it('dead-letters the flows of a destination it cannot build, naming why, and loses none', async () => {
    const state = stateWithOpenFlows();
    const open = state.flows.stats().trackedFlows;
    const written: DeadLetterBatch[] = [];
    const summary = await releasePartitionState(state, '7', {
      sinkFor: () => {
        throw new Error('connection TRACES_STDOUT is not configured');
      },
      deadLetter: {
        write: async (batch) => {
          written.push(batch);
          return 'deadletter/1';
        },
      },
    });
    expect(summary).toMatchObject({ records: open, delivered: 0, deadLettered: open });
    expect(summary.problems).toEqual(['stdout/TRACES_STDOUT: connection TRACES_STDOUT is not configured']);
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({ destination: 'stdout', batchRef: 'eventhub:7:released' });
    expect(written[0]!.entries).toHaveLength(open);
  });

  it('writes nothing for a partition without flows', async () => {
    const summary = await releasePartitionState(createPartitionState(), '0', {
      sinkFor: () => {
        throw new Error('never asked');
      },
      deadLetter: { write: async () => 'unused' },
    });
    expect(summary).toMatchObject({ records: 0, delivered: 0, deadLettered: 0, problems: [] });
  });
});
