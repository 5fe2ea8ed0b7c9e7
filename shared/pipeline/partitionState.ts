/**
 * State that lives across the batches of one Event Hubs partition (or one `tracectl inspect`
 * run): IP fragment reassembly, TCP reassembly for layer 7, and FirstPacket flow tracking. All of
 * it is bounded and driven by packet timestamps, never the wall clock. Because agents publish with
 * the node as partition key, a flow's packets reach the same partition and therefore this state.
 * After an instance restart the state starts empty: a flow may be reported once more, with the
 * same RecordId for the same packet, so idempotent destinations do not duplicate it.
 *
 * A node sees a same-node pod-to-pod connection twice, leaving the client's veth (`PodToNode`) and
 * entering the server's (`NodeToPod`), with the same 5-tuple; one shared reassembler would take the
 * second copy of every segment or fragment for a retransmission and put the layer-7 message on the
 * first observation point only. So IP fragments are reassembled per trace point, and layer-7
 * connections are keyed by their observation scope: node and device (the interface name after
 * `<TracePoint>/`). One device sees both directions of a connection (a veth carries the pod's
 * `PodToNode` requests and its `NodeToPod` responses), so responses pair with their requests.
 */
import { FragmentReassembler, type ReassemblyLimits } from '../packet/fragmentReassembler';
import { createL7Analyzer, type L7Analyzer, type L7AnalyzerOptions } from '../l7/analyzer';
import { CaptureLevelFilter, type CaptureLevelFilterOptions } from '../flow/captureLevelFilter';
import { FlowSummaryTable, type FlowSummaryOptions } from '../flow/flowSummaryTable';
import { TRACE_POINTS, type TracePoint } from '../packet/decodedPacket';
import { TcpAnalyzer, type TcpAnalyzerOptions } from '../tcp/tcpAnalyzer';
import { DnsNameTable, type DnsNameTableOptions } from '../enrich/dnsNameTable';

/** Reassembly state of one observation point. */
export interface ObservationState {
  fragments: FragmentReassembler;
}

/** Per-partition pipeline state. */
export interface PartitionState {
  /**
   * Fragment reassembly for packets seen at `tracePoint` (`undefined`: packets of a plain capture
   * that names none). Created on first use; the same object on every later call.
   */
  at(tracePoint: TracePoint | undefined): ObservationState;
  /**
   * Layer-7 reassembly and request/response pairing of the whole partition; connections are kept
   * apart by the scope passed with each packet (see `observationScope`). Its bounds are the partition's.
   */
  l7: L7Analyzer;
  captureLevel: CaptureLevelFilter;
  /** `FlowSummary` flows of this partition (flushed when the partition is released). */
  flows: FlowSummaryTable;
  /**
   * TCP sequence analysis (`TcpAnalysis`, per-flow TCP health) of the whole partition; connections
   * are kept apart by observation scope, like layer 7. Its bounds are the partition's.
   */
  tcp: TcpAnalyzer;
  /**
   * DNS names each node's pods resolved, learned from every DNS response of the partition
   * (`SourceFqdn` / `DestinationFqdn`); absent: those columns are not filled.
   */
  dnsNames?: DnsNameTable;
}

/**
 * Bounds of the per-partition state. The fragment limits apply per trace point (at most five: the
 * four trace points and none); the layer-7, `captureLevel` and `flowSummary` limits to the partition.
 */
export interface PartitionStateOptions {
  fragments?: ReassemblyLimits;
  l7?: L7AnalyzerOptions;
  captureLevel?: CaptureLevelFilterOptions;
  flowSummary?: FlowSummaryOptions;
  tcp?: TcpAnalyzerOptions;
  /**
   * Bounds of the DNS name caches (defaults: 10 000 addresses per node, 100 000 per partition,
   * 1 000 nodes; TTL clamped to 1 min–1 h).
   */
  dnsNames?: DnsNameTableOptions;
}

const NO_TRACE_POINT = TRACE_POINTS.length;

/** Creates empty per-partition state. */
export function createPartitionState(options: PartitionStateOptions = {}): PartitionState {
  const points: (ObservationState | undefined)[] = new Array<ObservationState | undefined>(
    NO_TRACE_POINT + 1,
  );
  return {
    at(tracePoint) {
      const slot = tracePoint === undefined ? NO_TRACE_POINT : TRACE_POINTS.indexOf(tracePoint);
      let state = points[slot];
      if (state === undefined) {
        state = { fragments: new FragmentReassembler(options.fragments) };
        points[slot] = state;
      }
      return state;
    },
    l7: createL7Analyzer(options.l7),
    captureLevel: new CaptureLevelFilter(options.captureLevel),
    flows: new FlowSummaryTable(options.flowSummary),
    tcp: new TcpAnalyzer(options.tcp),
    dnsNames: new DnsNameTable(options.dnsNames),
  };
}
