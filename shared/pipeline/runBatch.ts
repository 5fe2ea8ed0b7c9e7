/**
 * One trace batch through the pipeline: read capture ─► decode L2–L4 ─► reassemble fragments ─►
 * enrich ─► match every configuration ─► layer 7 ─► capture level ─► records, grouped by
 * destination. Pure apart from the per-partition state it is given; never throws on bad bytes:
 * damaged packets are counted and described, and everything else of the batch is kept.
 */
import { readCaptureInto } from '../capture/readCapture';
import type { CapturePacket, CaptureProblem } from '../capture/capturePacket';
import type { Destination, OutputConfiguration } from '../config/model';
import type { IdentityLookup, Endpoint } from '../enrich/identity';
import type { L7Analyzer } from '../l7/analyzer';
import { recordId } from '../record/recordIds';
import type { L7Fields } from '../l7/l7Fields';
import type { ConfigurationMatcher } from '../match/configurationMatcher';
import { decodePacket } from '../packet/decodePacket';
import type { DecodedPacket, TracePoint } from '../packet/decodedPacket';
import { assembleTraceRecord, packetColumns, type PacketColumns } from '../record/assembleRecord';
import { assembleFlowRecord } from '../record/assembleFlowRecord';
import type { FlowEndReason, FlowEntry } from '../flow/flowEntry';
import type { FlowObservation } from '../flow/flowSummaryTable';
import type { TraceRecord } from '../record/traceRecord';
import type { PartitionState } from './partitionState';
import { errorMessage } from '../errors';
import { PacketRetainer, type RetainedBatch } from '../retention/packetRetainer';
import { packetFlowId } from '../packet/flowKey';
import { observationScope } from './observationScope';
import { IpProtocol } from '../packet/decodedPacket';
import type { NodeDnsNames } from '../enrich/dnsNameTable';
import type { DnsNameCacheStats } from '../enrich/dnsNameCache';
import { DNS_SERVER_PORT } from '../enrich/dnsAnswerLearner';
import { addDnsNames } from '../enrich/recordDnsNames';

/** The batch to process. */
export interface BatchInput {
  cluster: string;
  node: string;
  /** pcapng or pcap bytes (gzip is inflated by the reader). */
  capture: Uint8Array;
}

/** What the batch is processed with. */
export interface BatchRuntime {
  matcher: ConfigurationMatcher;
  identities: IdentityLookup;
  state: PartitionState;
  /** Adds `CaptureFrame` to records (`tracectl inspect`). */
  includeCaptureFrame?: boolean;
  /** Trace point for packets whose interface names none (`tracectl inspect --trace-point`). */
  defaultTracePoint?: TracePoint;
  /** Most problem descriptions kept per batch (the counts are always complete). Default 20. */
  maxProblems?: number;
  /**
   * Retains the packets of configurations annotated `retina.sh/retain-packets` (the ingest path
   * does; `tracectl inspect` does not). Default false.
   */
  retainPackets?: boolean;
}

/** Records for one destination connection. */
export interface Delivery {
  destination: Destination;
  /** Connection name (docs/destinations.md). */
  connection: string;
  records: TraceRecord[];
}

/** Per-batch counts, logged once per batch. */
export interface BatchCounts {
  /** Packets read from the capture. */
  packets: number;
  /** Packets with an IP layer. */
  decoded: number;
  /** Packets whose headers were damaged (counted, skipped where nothing usable remained). */
  malformed: number;
  /** Packets without an IP layer (ARP, LLDP, ...). */
  nonIp: number;
  /** Fragments held for reassembly or dropped. */
  fragmentsHeld: number;
  /** Problems in the capture container itself (damaged blocks). */
  captureProblems: number;
  /** Packets that matched at least one configuration. */
  matched: number;
  /** Matched packets per configuration (`namespace/name`). */
  matchedByConfiguration: Record<string, number>;
  /** Records per configuration. */
  recordsByConfiguration: Record<string, number>;
  /** Records per `destination/connection`. */
  recordsByDestination: Record<string, number>;
  /** Layer-7 messages attached to records. */
  l7Messages: number;
  /** Records reporting a request without a response (`L7Unanswered`). */
  l7Unanswered: number;
  /** FirstPacket flows forgotten because the flow table was full (their next packet is reported again). */
  flowEvictions: number;
  /** TCP connections the TCP analyser forgot because its table was full (their next packet starts afresh). */
  tcpConnectionEvictions: number;
  /** Packets skipped because processing them failed unexpectedly (a bug of ours, reported with the frame). */
  failed: number;
  /** `FlowSummary` records written (flows that ended, intervals, evictions, flushes). */
  flowRecords: number;
  /** Packets retained for `retina.sh/retain-packets` configurations. */
  retainedPackets: number;
  /** Address-to-name mappings learned from DNS responses (`SourceFqdn` / `DestinationFqdn`). */
  dnsNamesLearned: number;
  /** DNS names the node's name cache forgot before their TTL because it was full. */
  dnsNameEvictions: number;
}

/** The outcome of one batch. */
export interface BatchResult {
  deliveries: Delivery[];
  counts: BatchCounts;
  /** Human-readable problems naming the frame, at most `maxProblems`. */
  problems: string[];
  /**
   * The first problem of the capture container itself (truncated, absurd block length, not a
   * capture at all), when there was one: the body was not wholly readable, so the caller keeps it
   * (dead-letter `CAPTURE_UNREADABLE`) while the records of its readable part are delivered.
   */
  captureProblem?: CaptureProblem;
  /** The batch's retained packets, when a retaining configuration matched any. */
  retained?: RetainedBatch;
}

function emptyCounts(): BatchCounts {
  return {
    packets: 0,
    decoded: 0,
    malformed: 0,
    nonIp: 0,
    fragmentsHeld: 0,
    captureProblems: 0,
    matched: 0,
    matchedByConfiguration: {},
    recordsByConfiguration: {},
    recordsByDestination: {},
    l7Messages: 0,
    l7Unanswered: 0,
    flowEvictions: 0,
    tcpConnectionEvictions: 0,
    failed: 0,
    flowRecords: 0,
    retainedPackets: 0,
    dnsNamesLearned: 0,
    dnsNameEvictions: 0,
  };
}

function increment(counter: Record<string, number>, key: string): void {
  counter[key] = (counter[key] ?? 0) + 1;
}

const NO_L7: readonly L7Fields[] = [];

const deliveryKeys = new WeakMap<OutputConfiguration, string>();

/** `destination/connection` of an output, built once per compiled configuration. */
function deliveryKeyOf(output: OutputConfiguration): string {
  let key = deliveryKeys.get(output);
  if (key === undefined) {
    key = `${output.destination}/${output.connection}`;
    deliveryKeys.set(output, key);
  }
  return key;
}

/**
 * Processes captured packets one at a time, accumulating records by destination and counts.
 * `runBatch` uses it over a whole buffer; `tracectl inspect` streams a capture file through it.
 */
export class PacketPipeline {
  readonly counts: BatchCounts = emptyCounts();
  readonly problems: string[] = [];
  private deliveries = new Map<string, Delivery>();
  private readonly context: { cluster: string; node: string };
  private readonly maxProblems: number;
  private readonly recordOptions: { includeCaptureFrame: boolean };
  private readonly evictedBefore: number;
  private readonly tcpEvictedBefore: number;
  /** The node's DNS names (absent when the state keeps none), and its counters at the start. */
  private readonly dnsNames: NodeDnsNames | undefined;
  private readonly dnsBefore: DnsNameCacheStats | undefined;
  /** Reused for every FlowSummary observation (no object per packet). */
  private readonly observation: FlowObservation = {
    match: undefined as never,
    cluster: '',
    node: '',
    source: undefined,
    destination: undefined,
    l7Messages: 0,
    tcp: undefined,
  };
  /** Turns each flow record the flow table writes into a delivery. */
  private readonly flowSink = (flow: FlowEntry, reason: FlowEndReason): void => {
    const record = assembleFlowRecord(flow, reason);
    const deliveryKey = deliveryKeyOf(flow.match.output);
    this.deliveryFor(deliveryKey, flow.match.output).records.push(record);
    const counts = this.counts;
    counts.flowRecords += 1;
    counts.recordsByConfiguration[flow.match.key] = (counts.recordsByConfiguration[flow.match.key] ?? 0) + 1;
    counts.recordsByDestination[deliveryKey] = (counts.recordsByDestination[deliveryKey] ?? 0) + 1;
  };
  /** Present when the runtime retains packets. */
  readonly retainer: PacketRetainer | undefined;

  constructor(
    context: { cluster: string; node: string },
    private readonly runtime: BatchRuntime,
  ) {
    this.context = { cluster: context.cluster, node: context.node };
    this.maxProblems = runtime.maxProblems ?? 20;
    this.recordOptions = { includeCaptureFrame: runtime.includeCaptureFrame === true };
    this.evictedBefore = runtime.state.captureLevel.stats().evictedForSize;
    this.tcpEvictedBefore = runtime.state.tcp.stats().evicted;
    this.observation.cluster = this.context.cluster;
    this.observation.node = this.context.node;
    this.retainer = runtime.retainPackets === true ? new PacketRetainer(this.context) : undefined;
    // The partition's counters, before this node arrives: its arrival can make other nodes forget
    // names (the table's bounds), and those count in this batch.
    this.dnsBefore = runtime.state.dnsNames?.stats();
    this.dnsNames = runtime.state.dnsNames?.forNode(this.context.node);
    this.observation.names = this.dnsNames?.cache;
  }

  private deliveryFor(deliveryKey: string, output: OutputConfiguration): Delivery {
    let delivery = this.deliveries.get(deliveryKey);
    if (delivery === undefined) {
      delivery = { destination: output.destination, connection: output.connection, records: [] };
      this.deliveries.set(deliveryKey, delivery);
    }
    return delivery;
  }

  /** Writes the FlowSummary records due on each node's packet clock (closed, idle, interval). */
  sweepFlows(): void {
    this.runtime.state.flows.sweep(this.flowSink);
  }

  /**
   * Writes every FlowSummary flow still open (`shutdown`) and forgets them: the capture ended
   * (`tracectl inspect`) or the partition's state is released.
   */
  flushFlows(): void {
    this.runtime.state.flows.flush(this.flowSink);
    // Requests still awaiting a response when the capture ends are reported unanswered.
    const l7 = this.runtime.state.l7;
    l7.flush();
    this.recordUnanswered(l7);
  }

  /**
   * One record per configuration that records layer 7 for each request the analyser gave up
   * waiting for (`L7Unanswered`, docs/layer7.md "Latency"): the request's packet, its key fields.
   */
  private recordUnanswered(analyzer: L7Analyzer): void {
    const unanswered = analyzer.takeUnanswered();
    for (let i = 0; i < unanswered.length; i++) {
      const { fields, packet } = unanswered[i]!;
      const { identities, matcher } = this.runtime;
      const source = packet.sourceIp === undefined ? undefined : identities.lookup(packet.sourceIp);
      const destination =
        packet.destinationIp === undefined ? undefined : identities.lookup(packet.destinationIp);
      const matches = matcher.match(packet, source, destination);
      for (let m = 0; m < matches.length; m++) {
        const match = matches[m]!;
        if (!match.includeLayer7Data || match.captureLevel === 'FlowSummary') continue;
        const deliveryKey = deliveryKeyOf(match.output);
        const record = assembleTraceRecord(
          packet,
          this.context,
          match,
          source,
          destination,
          fields,
          this.recordOptions,
        );
        const names = this.dnsNames?.cache;
        if (names !== undefined && !names.empty) addDnsNames(record, packet, names);
        // Its own deterministic id (the request's record keeps its own): re-delivery overwrites.
        record.RecordId = recordId(
          `${match.key}\u0000unanswered`,
          this.context.node,
          packet,
          record.TimestampNs,
        );
        this.deliveryFor(deliveryKey, match.output).records.push(record);
        this.counts.l7Unanswered += 1;
        this.counts.recordsByConfiguration[match.key] =
          (this.counts.recordsByConfiguration[match.key] ?? 0) + 1;
        this.counts.recordsByDestination[deliveryKey] =
          (this.counts.recordsByDestination[deliveryKey] ?? 0) + 1;
      }
    }
  }

  /**
   * The layer-7 and TCP-analysis observation scope of a packet: its device (the interface name after
   * `<TracePoint>/`, or the whole name in a plain capture) on this pipeline's node.
   */
  private scopeOf(packet: DecodedPacket): string {
    const name = packet.interfaceName ?? '';
    // Consecutive packets mostly come through one interface.
    if (name === this.lastScopeInterface) return this.lastScope;
    this.lastScopeInterface = name;
    this.lastScope = observationScope(this.context.node, name);
    return this.lastScope;
  }
  private lastScopeInterface: string | undefined;
  private lastScope = '';

  /** Records a problem description (bounded); counts are kept separately. */
  report(message: string): void {
    if (this.problems.length < this.maxProblems) this.problems.push(message);
  }

  /**
   * Runs one captured packet through decode, enrichment, matching, layer 7 and capture level.
   * Never throws: an unexpected failure on one packet is counted and reported with its frame
   * number, and the rest of the batch carries on.
   */
  process(captured: CapturePacket): void {
    try {
      this.processPacket(captured);
    } catch (caught) {
      this.counts.failed += 1;
      this.report(`frame ${captured.frame}: skipped after an internal error: ${errorMessage(caught)}`);
    }
  }

  private processPacket(captured: CapturePacket): void {
    const { counts, runtime } = this;
    const { matcher, identities, state } = runtime;
    counts.packets += 1;
    let packet: DecodedPacket = decodePacket(captured, captured.interface.linkType);
    if (packet.malformed !== undefined) {
      counts.malformed += 1;
      this.report(`frame ${packet.frame}: ${packet.malformed.layer} layer: ${packet.malformed.reason}`);
    }
    if (packet.sourceIp === undefined || packet.destinationIp === undefined) {
      if (packet.malformed === undefined) counts.nonIp += 1;
      return;
    }
    counts.decoded += 1;
    if (packet.tracePoint === undefined && runtime.defaultTracePoint !== undefined)
      packet.tracePoint = runtime.defaultTracePoint;
    const observed = state.at(packet.tracePoint);
    if (packet.fragment === true) {
      const outcome = observed.fragments.push(packet);
      if (outcome.kind === 'reassembled') packet = outcome.packet;
      else if (outcome.kind !== 'not-fragment') {
        counts.fragmentsHeld += 1;
        if (outcome.kind === 'dropped')
          this.report(`frame ${packet.frame}: fragment dropped: ${outcome.reason}`);
        return;
      }
    }

    // DNS responses teach names whether or not a configuration traces them: one compare otherwise.
    if (packet.sourcePort === DNS_SERVER_PORT) this.dnsNames?.learner.learn(packet, this.scopeOf(packet));

    const source: Endpoint | undefined =
      packet.sourceIp === undefined ? undefined : identities.lookup(packet.sourceIp);
    const destination: Endpoint | undefined =
      packet.destinationIp === undefined ? undefined : identities.lookup(packet.destinationIp);
    const matches = matcher.match(packet, source, destination);
    if (matches.length === 0) return;
    counts.matched += 1;

    // Every matched TCP packet, whatever the capture level, so FirstPacket and FlowSummary still
    // count what the packets they do not record showed (retransmissions, zero windows, ...).
    const tcp =
      packet.protocol === IpProtocol.TCP ? state.tcp.analyze(packet, this.scopeOf(packet)) : undefined;
    if (tcp !== undefined) packet.tcpAnalysis = tcp.conditions;

    // Layer 7 sees every packet of a traced flow (replies match too), so reassembly stays whole.
    // Index loops: this runs for every matched packet, and iterators here showed up as garbage.
    let wantsL7 = false;
    for (let i = 0; i < matches.length; i++) if (matches[i]!.includeLayer7Data) wantsL7 = true;
    let messages = NO_L7;
    if (wantsL7) {
      const l7 = state.l7;
      messages = l7.analyzeAll(packet, this.scopeOf(packet));
      this.recordUnanswered(l7);
    }
    let columns: PacketColumns | undefined;
    // Every matched packet of a retaining configuration is kept (not only those recorded), so a
    // flow's packets can be retrieved whole even under FirstPacket.
    let retainedFrame = 0;
    const retainer = this.retainer;
    for (let m = 0; retainer !== undefined && m < matches.length; m++) {
      const days = matches[m]!.retainPacketsDays;
      if (days === undefined) continue;
      if (retainedFrame === 0) {
        const flowId = columns?.flowId ?? packetFlowId(packet);
        retainedFrame = retainer.add(captured, flowId, source, destination, days);
        counts.retainedPackets += 1;
      } else retainer.extend(days);
    }
    for (let m = 0; m < matches.length; m++) {
      const match = matches[m]!;
      increment(counts.matchedByConfiguration, match.key);
      const layer7 = match.includeLayer7Data ? messages : NO_L7;
      if (match.captureLevel === 'FlowSummary') {
        const observation = this.observation;
        observation.match = match;
        observation.source = source;
        observation.destination = destination;
        observation.l7Messages = layer7.length;
        observation.tcp = tcp;
        state.flows.observe(packet, observation, this.flowSink);
        // The level records packets only for layer-7 messages (see CaptureLevelFilter): without
        // one there is nothing to ask the filter.
        if (layer7.length === 0) continue;
      }
      if (
        !state.captureLevel.shouldRecord(
          match.key,
          match.captureLevel,
          match.includeLayer7Data,
          packet,
          layer7.length > 0,
          this.context.node,
        )
      )
        continue;
      const deliveryKey = deliveryKeyOf(match.output);
      const delivery = this.deliveryFor(deliveryKey, match.output);
      columns ??= packetColumns(packet);
      // Names are looked up only once some DNS answer was learned on this node.
      const names = this.dnsNames?.cache;
      const named = names !== undefined && !names.empty ? names : undefined;
      const retainedBy = match.retainPacketsDays !== undefined && retainedFrame > 0 ? retainer : undefined;
      if (layer7.length === 0) {
        const record = assembleTraceRecord(
          packet,
          this.context,
          match,
          source,
          destination,
          undefined,
          this.recordOptions,
          columns,
        );
        if (named !== undefined) addDnsNames(record, packet, named);
        retainedBy?.attach(retainedFrame, record);
        delivery.records.push(record);
      } else {
        for (let index = 0; index < layer7.length; index++) {
          const fields = layer7[index];
          const record = assembleTraceRecord(
            packet,
            this.context,
            match,
            source,
            destination,
            fields,
            this.recordOptions,
            columns,
          );
          if (named !== undefined) addDnsNames(record, packet, named);
          // Several messages completed by one packet (pipelining) each need their own id.
          if (index > 0) record.RecordId = `${record.RecordId}-${index}`;
          retainedBy?.attach(retainedFrame, record);
          delivery.records.push(record);
          counts.l7Messages += 1;
        }
      }
      const added = layer7.length === 0 ? 1 : layer7.length;
      counts.recordsByConfiguration[match.key] = (counts.recordsByConfiguration[match.key] ?? 0) + added;
      counts.recordsByDestination[deliveryKey] = (counts.recordsByDestination[deliveryKey] ?? 0) + added;
    }
  }

  /**
   * Takes the records accumulated since the last call (and brings `counts.flowEvictions`,
   * `counts.tcpConnectionEvictions` and the DNS name counters up to date).
   */
  takeDeliveries(): Delivery[] {
    this.counts.flowEvictions = this.runtime.state.captureLevel.stats().evictedForSize - this.evictedBefore;
    this.counts.tcpConnectionEvictions = this.runtime.state.tcp.stats().evicted - this.tcpEvictedBefore;
    const dnsNameTable = this.runtime.state.dnsNames;
    if (dnsNameTable !== undefined && this.dnsBefore !== undefined) {
      const now = dnsNameTable.stats();
      this.counts.dnsNamesLearned = now.learned - this.dnsBefore.learned;
      this.counts.dnsNameEvictions = now.evicted - this.dnsBefore.evicted;
    }
    const taken = [...this.deliveries.values()];
    this.deliveries = new Map();
    return taken;
  }
}

/** Runs one batch held in memory. */
export function runBatch(batch: BatchInput, runtime: BatchRuntime): BatchResult {
  const pipeline = new PacketPipeline(batch, runtime);
  let captureProblem: CaptureProblem | undefined;
  // Packets are processed as they are read, so none outlives its turn (collecting a batch first
  // keeps every packet alive until the end and pushes them all into the old generation).
  readCaptureInto(batch.capture, {
    onPacket: (captured) => pipeline.process(captured),
    onProblem: (problem) => {
      captureProblem ??= problem;
      pipeline.counts.captureProblems += 1;
      pipeline.report(problem.message);
    },
  });
  runtime.state.captureLevel.sweep();
  pipeline.sweepFlows();
  const result: BatchResult = {
    deliveries: pipeline.takeDeliveries(),
    counts: pipeline.counts,
    problems: pipeline.problems,
  };
  if (captureProblem !== undefined) result.captureProblem = captureProblem;
  try {
    const retained = pipeline.retainer?.finish();
    if (retained !== undefined) result.retained = retained;
  } catch (caught) {
    // Retention must never cost the batch its records.
    pipeline.report(`packet retention skipped after an internal error: ${errorMessage(caught)}`);
  }
  return result;
}
