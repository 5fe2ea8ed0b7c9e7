/**
 * The node agent (DaemonSet): reads the TraceConfigurations that can match pods on its node from
 * the Kubernetes API, captures with tcpdump on the node's interfaces (each mapped to a trace
 * point) using a filter built from them minus its own traffic, and publishes trace batches as
 * `tracectl agent` does (same packer, same publisher, the node as partition key). Publishing
 * is bounded: when the queue of batches is full, new batches are dropped and counted, never
 * buffered without limit. One log line per minute says what happened.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { K8s } from '../clientNode';
import { Reflector, type KubeObject } from '../reflector';
import { canMatchOnNode, type NodePod } from './nodeConfigurations';
import { captureFilter, type OwnEndpoint } from './captureFilter';
import { TraceBatchPacker } from '../../agent/traceBatchPacker';
import type { PublishableEvent } from '../../agent/publishEvents';
import { readCaptureStream } from '../../capture/readCapture';
import { validateTraceConfigurationObject } from '../../config/validateObject';
import type { TraceConfigurationSpec } from '../../config/model';
import type { TracePoint } from '../../packet/decodedPacket';
import { errorMessage } from '../../errors';

/** An interface to capture on and the trace point its packets are. */
export interface CaptureInterface {
  name: string;
  tracePoint: TracePoint;
}

/** Options of {@link NodeAgent}. */
export interface NodeAgentOptions {
  cluster: string;
  node: string;
  interfaces: readonly CaptureInterface[];
  /** Sends events with the node as partition key; resolves to the number sent. */
  publish: (events: readonly PublishableEvent[]) => Promise<number>;
  /** Addresses the agent itself talks to (Event Hubs, the API server): never captured. */
  ownEndpoints: readonly OwnEndpoint[];
  /** tcpdump binary. Default `tcpdump`. */
  tcpdump?: string;
  /** Batches waiting to be published before new ones are dropped. Default 64. */
  maxQueuedEvents?: number;
  /** A partial batch is published after this long, in ms. Default 1 000. */
  flushIntervalInMs?: number;
  /** Configuration changes settle this long before captures restart, in ms. Default 500. */
  settleInMs?: number;
  /** The summary log line's period, in ms. Default 60 000. */
  statsIntervalInMs?: number;
  log: (line: string) => void;
}

/** Running totals. */
export interface NodeAgentStats {
  packets: number;
  events: number;
  droppedEvents: number;
  droppedPackets: number;
  publishFailures: number;
  captureStarts: number;
  /** The filter in force (empty: capturing nothing). */
  filter: string;
  /** `namespace/name` of the configurations captured for. */
  configurations: string[];
}

interface Capture {
  child: ChildProcess;
  packer: TraceBatchPacker;
  done: Promise<void>;
}

/** A TraceConfiguration object as listed. */
interface TraceObject extends KubeObject {
  metadata: { namespace: string; name: string; labels?: Record<string, string> };
  spec?: unknown;
  status?: { lastKnownSpec?: TraceConfigurationSpec };
}

/** The agent of one node. */
export class NodeAgent {
  private readonly configurations: Reflector<TraceObject>;
  private readonly pods: Reflector<KubeObject>;
  private readonly namespaces: Reflector<KubeObject>;
  private captures: Capture[] = [];
  private readonly queue: PublishableEvent[][] = [];
  private sending: Promise<void> = Promise.resolve();
  private settle: NodeJS.Timeout | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private statsTimer: NodeJS.Timeout | undefined;
  private running = false;
  private wanted: { filter: string; keys: string[]; capture: boolean } = {
    filter: '',
    keys: [],
    capture: false,
  };
  readonly stats: NodeAgentStats = {
    packets: 0,
    events: 0,
    droppedEvents: 0,
    droppedPackets: 0,
    publishFailures: 0,
    captureStarts: 0,
    filter: '',
    configurations: [],
  };

  constructor(
    config: K8s.KubeConfig,
    private readonly options: NodeAgentOptions,
  ) {
    const changed = { onChange: () => this.scheduleRecompute() };
    this.configurations = new Reflector<TraceObject>(
      config,
      {
        apiVersion: 'retina.sh/v1alpha1',
        kind: 'TraceConfiguration',
        plural: 'traceconfigurations',
        log: options.log,
      },
      changed,
    );
    this.pods = new Reflector(
      config,
      {
        apiVersion: 'v1',
        kind: 'Pod',
        plural: 'pods',
        fieldSelector: `spec.nodeName=${options.node}`,
        log: options.log,
      },
      changed,
    );
    this.namespaces = new Reflector(
      config,
      { apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces', log: options.log },
      changed,
    );
  }

  async start(): Promise<void> {
    this.running = true;
    await Promise.all([this.configurations.start(), this.pods.start(), this.namespaces.start()]);
    this.flushTimer = setInterval(() => {
      for (const capture of this.captures) this.enqueue(capture.packer.flush());
    }, this.options.flushIntervalInMs ?? 1000);
    this.statsTimer = setInterval(() => this.logStats(), this.options.statsIntervalInMs ?? 60_000);
    this.recompute();
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const timer of [this.flushTimer, this.statsTimer]) clearInterval(timer);
    clearTimeout(this.settle);
    await Promise.all([this.configurations.stop(), this.pods.stop(), this.namespaces.stop()]);
    await this.stopCaptures();
    await this.sending;
    this.logStats();
  }

  /** The line logged every minute. */
  summary(): string {
    const s = this.stats;
    return `agent ${this.options.node}: ${s.packets} packets, ${s.events} events published, ${s.droppedEvents} events (${s.droppedPackets} packets) dropped, ${s.publishFailures} publish failures; capturing for ${s.configurations.length} configurations with filter ${s.filter === '' ? '(none: not capturing)' : s.filter}`;
  }

  private logStats(): void {
    this.options.log(this.summary());
  }

  private scheduleRecompute(): void {
    if (!this.running || !this.configurations.hasSynced || !this.pods.hasSynced || !this.namespaces.hasSynced)
      return;
    clearTimeout(this.settle);
    this.settle = setTimeout(() => this.recompute(), this.options.settleInMs ?? 500);
  }

  private nodePods(): NodePod[] {
    return this.pods.list().map((pod) => {
      const namespace = pod.metadata?.namespace ?? 'default';
      return {
        namespace,
        labels: (pod.metadata?.labels as Record<string, string> | undefined) ?? {},
        namespaceLabels:
          (this.namespaces.get(undefined, namespace)?.metadata?.labels as
            Record<string, string> | undefined) ?? {},
      };
    });
  }

  /** The spec in force for an object: its own when valid, else the last one the controller accepted. */
  private specOf(object: TraceObject): TraceConfigurationSpec | undefined {
    const validation = validateTraceConfigurationObject({
      apiVersion: object.apiVersion,
      kind: object.kind,
      metadata: { namespace: object.metadata.namespace, name: object.metadata.name },
      spec: object.spec,
    });
    return validation.spec ?? object.status?.lastKnownSpec;
  }

  private recompute(): void {
    if (!this.running) return;
    const pods = this.nodePods();
    const specs: { key: string; spec: TraceConfigurationSpec }[] = [];
    for (const object of this.configurations
      .list()
      .sort((a, b) =>
        `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(
          `${b.metadata.namespace}/${b.metadata.name}`,
        ),
      )) {
      const spec = this.specOf(object);
      if (spec !== undefined && canMatchOnNode(spec, pods))
        specs.push({ key: `${object.metadata.namespace}/${object.metadata.name}`, spec });
    }
    const filter = captureFilter(specs, this.options.ownEndpoints);
    const next = { filter: filter.expression, keys: specs.map((s) => s.key), capture: specs.length > 0 };
    if (
      next.capture === this.wanted.capture &&
      next.filter === this.wanted.filter &&
      this.captures.length > 0 === next.capture
    ) {
      this.wanted = next;
      this.stats.configurations = next.keys;
      return;
    }
    this.wanted = next;
    this.stats.configurations = next.keys;
    this.stats.filter = next.capture ? next.filter : '';
    for (const note of filter.notes) this.options.log(`note: ${note}`);
    void this.stopCaptures().then(() => {
      if (this.running && next.capture && this.wanted === next) this.startCaptures(next.filter);
    });
  }

  private startCaptures(filter: string): void {
    this.options.log(
      `capturing on ${this.options.interfaces.map((i) => `${i.name} (${i.tracePoint})`).join(', ')} for ${this.wanted.keys.join(', ')}: ${filter === '' ? '(everything)' : filter}`,
    );
    this.captures = this.options.interfaces.map((iface) => this.capture(iface, filter));
  }

  private capture(iface: CaptureInterface, filter: string): Capture {
    this.stats.captureStarts += 1;
    const tcpdump = this.options.tcpdump ?? 'tcpdump';
    const child = spawn(
      tcpdump,
      ['-i', iface.name, '-w', '-', '-U', '-s', '0', '-n', '-Z', 'root', ...(filter === '' ? [] : [filter])],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    child.once('error', (error: NodeJS.ErrnoException) =>
      this.options.log(
        error.code === 'ENOENT'
          ? `${tcpdump} is not installed or not on PATH`
          : `cannot start ${tcpdump}: ${error.message}`,
      ),
    );
    const packer = new TraceBatchPacker({
      cluster: this.options.cluster,
      node: this.options.node,
      defaultTracePoint: iface.tracePoint,
    });
    const done = (async () => {
      try {
        for await (const event of readCaptureStream(child.stdout)) {
          if (event.kind === 'packet') {
            this.stats.packets += 1;
            this.enqueue(packer.add(event.packet));
          } else if (event.kind === 'problem' && event.problem.code !== 'CAPTURE_EMPTY') {
            this.options.log(`capture on ${iface.name}: ${event.problem.message}`);
          }
        }
      } catch (caught) {
        this.options.log(`capture on ${iface.name}: ${errorMessage(caught)}`);
      }
      this.enqueue(packer.flush());
      const code = await new Promise<number | null>((resolve) =>
        child.exitCode !== null || child.signalCode !== null
          ? resolve(child.exitCode)
          : child.once('close', resolve),
      );
      if (code !== 0 && code !== null)
        this.options.log(`tcpdump on ${iface.name} exited with status ${code}: ${stderr.trim()}`);
    })();
    return { child, packer, done };
  }

  private async stopCaptures(): Promise<void> {
    const stopping = this.captures;
    this.captures = [];
    for (const capture of stopping) capture.child.kill('SIGTERM');
    await Promise.all(stopping.map((c) => c.done));
  }

  private enqueue(events: readonly PublishableEvent[]): void {
    if (events.length === 0) return;
    if (this.queue.length >= (this.options.maxQueuedEvents ?? 64)) {
      this.stats.droppedEvents += events.length;
      this.stats.droppedPackets += events.reduce(
        (n, e) => n + Number((e as { packets?: number }).packets ?? 0),
        0,
      );
      return;
    }
    this.queue.push([...events]);
    this.sending = this.sending.then(async () => {
      const next = this.queue.shift();
      if (next === undefined) return;
      try {
        this.stats.events += await this.options.publish(next);
      } catch (caught) {
        this.stats.publishFailures += 1;
        this.stats.droppedEvents += next.length;
        this.options.log(`publishing failed: ${errorMessage(caught)}`);
      }
    });
  }
}
