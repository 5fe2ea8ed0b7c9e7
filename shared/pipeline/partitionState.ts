/**
 * State that lives across the batches of one Event Hubs partition (or one `tracectl inspect`
 * run): IP fragment reassembly, TCP reassembly for layer 7, and FirstPacket flow tracking. All of
 * it is bounded and driven by packet timestamps, never the wall clock. Because agents publish with
 * the node as partition key, a flow's packets reach the same partition and therefore this state.
 * After an instance restart the state starts empty: a flow may be reported once more, with the
 * same RecordId for the same packet, so idempotent destinations do not duplicate it.
 */
import { FragmentReassembler, type ReassemblyLimits } from '../packet/fragmentReassembler';
import { createL7Analyzer, type L7Analyzer, type L7AnalyzerOptions } from '../l7/analyzer';
import { CaptureLevelFilter, type CaptureLevelFilterOptions } from '../flow/captureLevelFilter';

/** Per-partition pipeline state. */
export interface PartitionState {
  fragments: FragmentReassembler;
  l7: L7Analyzer;
  captureLevel: CaptureLevelFilter;
}

/** Bounds of the per-partition state. */
export interface PartitionStateOptions {
  fragments?: ReassemblyLimits;
  l7?: L7AnalyzerOptions;
  captureLevel?: CaptureLevelFilterOptions;
}

/** Creates empty per-partition state. */
export function createPartitionState(options: PartitionStateOptions = {}): PartitionState {
  return {
    fragments: new FragmentReassembler(options.fragments),
    l7: createL7Analyzer(options.l7),
    captureLevel: new CaptureLevelFilter(options.captureLevel),
  };
}
