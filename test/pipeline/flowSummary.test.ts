import { demoBatches, DEMO_CLUSTER } from '../../shared/local/demo/demoCluster';
import type { IdentityLookup } from '../../shared/enrich/identity';
import { compileConfigurations } from '../../shared/match/configurationMatcher';
import { createPartitionState } from '../../shared/pipeline/partitionState';
import { runBatch, type BatchResult } from '../../shared/pipeline/runBatch';
import type { PartitionState } from '../../shared/pipeline/partitionState';
import type { TraceRecord } from '../../shared/record/traceRecord';
import { configurationsFromYaml, demoLookup, recordsOf } from './support/pipelineFixtures';

const START_MS = Date.UTC(2026, 0, 15, 9, 30, 0);
const [NODE_1] = demoBatches(START_MS);
const [LATER] = demoBatches(START_MS + 120_000);

const yaml = (levels: string[]) => `
apiVersion: retina.sh/v1alpha1
kind: TraceConfiguration
metadata: {name: flows, namespace: t}
spec:
  traceConfigurations:
${levels.map((level) => `    - captureLevel: ${level}\n      includeLayer7Data: true\n      to: [{ipBlock: {cidr: 0.0.0.0/0}}]`).join('\n')}
  outputConfiguration: {destination: stdout}
`;

let demo: IdentityLookup;
beforeAll(async () => {
  demo = await demoLookup();
});

function run(capture: Uint8Array, state: PartitionState, levels = ['FlowSummary']): BatchResult {
  return runBatch(
    { cluster: DEMO_CLUSTER, node: 'aks-node-1', capture },
    { matcher: compileConfigurations(configurationsFromYaml(yaml(levels))), identities: demo, state },
  );
}

const flowsOf = (result: BatchResult): TraceRecord[] =>
  recordsOf(result).filter((r) => r.FlowEndReason !== undefined);

describe('FlowSummary through runBatch', () => {
  it('writes layer-7 records as it goes and flow records when flows end, across batches of a partition', () => {
    const state = createPartitionState();
    const first = run(NODE_1!.capture, state);
    // Within the first batch every flow is still open or lingering after its FIN: only layer 7.
    expect(flowsOf(first)).toEqual([]);
    expect(
      recordsOf(first).every((r) => r.L7Protocol !== undefined && r.CaptureLevel === 'FlowSummary'),
    ).toBe(true);
    expect(first.counts.l7Messages).toBeGreaterThan(0);

    // Two minutes later the same 5-tuples connect again: the old flows are written first.
    const second = run(LATER!.capture, state);
    const flows = flowsOf(second);
    expect(flows.length).toBeGreaterThan(0);
    expect(second.counts.flowRecords).toBe(flows.length);
    const http = flows.filter((r) => r.Protocol === 'TCP' && r.DestinationPort === 8080);
    expect(http.length).toBeGreaterThanOrEqual(2);
    for (const flow of http) {
      expect(flow).toMatchObject({ FlowEndReason: 'fin', FlowState: 'SF', SourcePort: expect.any(Number) });
      expect(flow.TcpHistory).toMatch(/^ShA/);
      // HTTP/1.1: a request and a response; the h2c connection (port 51006): 2 gRPC calls.
      expect(flow.L7Messages).toBe(flow.SourcePort === 51006 ? 4 : 2);
      // Enrichment of both sides, the initiator as Source.
      expect(flow.SourcePodName).toBeDefined();
      expect(BigInt(flow.FlowStartNs!)).toBeLessThan(BigInt(START_MS + 60_000) * 1_000_000n);
    }
    // The second batch's own flows are open: the partition's state holds them until they end.
    expect(state.flows.stats().trackedFlows).toBeGreaterThan(0);
  });

  it('a configuration mixing levels records at its most detailed one', () => {
    const packets = recordsOf(run(NODE_1!.capture, createPartitionState(), ['FlowSummary', 'AllPackets']));
    expect(packets.every((r) => r.CaptureLevel === 'AllPackets')).toBe(true);
    const first = recordsOf(run(NODE_1!.capture, createPartitionState(), ['FirstPacket', 'FlowSummary']));
    expect(first.every((r) => r.CaptureLevel === 'FirstPacket')).toBe(true);
    expect(first.some((r) => r.L7Protocol === undefined)).toBe(true);
  });
});
