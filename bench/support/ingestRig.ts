/**
 * What the ingest benches share: the bench configurations, the host-shaped invocations of the
 * input events, and the real Functions handler over in-memory stores and the given sinks.
 */
import { InvocationContext } from '@azure/functions';
import { createIngestTracesHandler } from '../../functions/ingestTraces';
import type { CaptureLevel, Destination, PortRule, TraceConfigurationSpec } from '../../shared/config/model';
import { MemoryIdentityStore } from '../../shared/enrich/memoryIdentityStore';
import { hostEventBatch } from '../../shared/local/hostEventBatch';
import { compileConfigurations, type ConfigurationMatcher } from '../../shared/match/configurationMatcher';
import { TRACE_POINTS } from '../../shared/packet/decodedPacket';
import { ConfigurationCache } from '../../shared/pipeline/configurationCache';
import type { DeliverySettings } from '../../shared/pipeline/ingestEvents';
import { createPartitionState, type PartitionState } from '../../shared/pipeline/partitionState';
import { releasePartitionState } from '../../shared/pipeline/releasePartition';
import type { DeadLetterWriter } from '../../shared/sinks/send/deadLetter';
import type { Sink } from '../../shared/sinks/sink';
import { MemoryConfigurationStore } from '../../shared/store/memoryConfigurationStore';
import type { TraceBatchEvent } from '../../shared/agent/traceBatchPacker';

/** A configuration of the bench: `namespace/name` and its spec. */
export interface BenchConfiguration {
  key: string;
  spec: TraceConfigurationSpec;
}

/** Events per invocation, as host.json's `maxEventBatchSize`. */
export const EVENTS_PER_INVOCATION = 16;

/** A configuration spec with every trace point, to `destination`. */
export function spec(
  destination: Destination,
  options: { ports?: PortRule[]; cidr?: string; allPackets?: boolean; l7?: boolean; level?: CaptureLevel },
): TraceConfigurationSpec {
  const to = options.cidr === undefined ? [] : [{ ipBlock: { cidr: options.cidr, except: [] } }];
  return {
    rules: [
      {
        captureLevel: options.level ?? (options.allPackets === true ? 'AllPackets' : 'FirstPacket'),
        includeLayer7Data: options.l7 ?? true,
        targets: [
          {
            from: [],
            to,
            ports: options.ports ?? [],
            tracePoints: [...TRACE_POINTS],
            tracePointsRestricted: false,
          },
        ],
      },
    ],
    output: { destination, connection: `TRACES_${destination.toUpperCase()}` },
  };
}

/** Ten configurations, two of them catch-alls that record every packet (the heavy case). */
export const CATCH_ALL_CONFIGURATIONS: BenchConfiguration[] = [
  { key: 'bench/everything', spec: spec('stdout', { allPackets: true }) },
  {
    key: 'bench/dns',
    spec: spec('loganalytics', {
      ports: [
        { protocol: 'UDP', port: 53 },
        { protocol: 'TCP', port: 53 },
      ],
    }),
  },
  {
    key: 'bench/http',
    spec: spec('azuretable', {
      ports: [
        { protocol: 'TCP', port: 80 },
        { protocol: 'TCP', port: 8080 },
      ],
    }),
  },
  {
    key: 'bench/tls',
    spec: spec('opentelemetry', {
      ports: [
        { protocol: 'TCP', port: 443 },
        { protocol: 'UDP', port: 443 },
      ],
    }),
  },
  { key: 'bench/private-10', spec: spec('azuretable', { cidr: '10.0.0.0/8', l7: false }) },
  { key: 'bench/private-192', spec: spec('loganalytics', { cidr: '192.168.0.0/16' }) },
  {
    key: 'bench/high-ports',
    spec: spec('stdout', { ports: [{ protocol: 'TCP', port: 1024, endPort: 65535 }], l7: false }),
  },
  { key: 'bench/ipv6', spec: spec('azuretable', { cidr: '::/0' }) },
  {
    key: 'bench/ssh-smtp',
    spec: spec('loganalytics', {
      ports: [
        { protocol: 'TCP', port: 22 },
        { protocol: 'TCP', port: 25 },
      ],
    }),
  },
  { key: 'bench/public', spec: spec('opentelemetry', { cidr: '0.0.0.0/0', allPackets: true, l7: false }) },
];

/** Ten narrower configurations of the kinds operators write: by port and by CIDR, no catch-all. */
export const SPECIFIC_CONFIGURATIONS: BenchConfiguration[] = [
  { key: 'bench/mdns', spec: spec('stdout', { ports: [{ protocol: 'UDP', port: 5353 }] }) },
  ...CATCH_ALL_CONFIGURATIONS.slice(1, -1),
  { key: 'bench/resolver', spec: spec('opentelemetry', { cidr: '8.8.8.8/32' }) },
];

/** The configurations with their outputs sent to `pick(configuration, index)` instead. */
export function retarget(
  configurations: readonly BenchConfiguration[],
  pick: (configuration: BenchConfiguration, index: number) => Destination,
): BenchConfiguration[] {
  return configurations.map((configuration, index) => {
    const destination = pick(configuration, index);
    return {
      key: configuration.key,
      spec: {
        ...configuration.spec,
        output: { destination, connection: `TRACES_${destination.toUpperCase()}` },
      },
    };
  });
}

/** The host-shaped invocations (`messages` + `triggerMetadata`) of `events`, 16 per invocation. */
export function hostInvocations(events: readonly TraceBatchEvent[]): ReturnType<typeof hostEventBatch>[] {
  const invocations: ReturnType<typeof hostEventBatch>[] = [];
  const now = new Date();
  for (let i = 0; i < events.length; i += EVENTS_PER_INVOCATION) {
    const slice = events.slice(i, i + EVENTS_PER_INVOCATION).map((event, k) => ({
      body: event.body,
      properties: event.properties,
      offset: String(i + k),
      sequenceNumber: i + k,
      enqueuedTimeUtc: now,
      partitionKey: 'bench-node',
      systemProperties: {},
      getRawAmqpMessage: () => ({ body: event.body }),
    }));
    invocations.push(
      hostEventBatch(slice, {
        fullyQualifiedNamespace: 'bench',
        eventHubName: 'retina-traces',
        consumerGroup: '$Default',
        partitionId: '0',
      }),
    );
  }
  return invocations;
}

/** Runs every invocation through the real handler, one after another (one partition). */
export interface BenchRig {
  /**
   * Processes the input once (only its first `invocations` when given, e.g. to warm up);
   * resolves to records and packets (partitions released at the end).
   */
  run(invocations?: number): Promise<{ records: number; packets: number; deadLettered: number }>;
}

/** Builds the real handler over `configurations` and `sinkFor` (sinks are cached per connection). */
export async function benchRig(
  configurations: readonly BenchConfiguration[],
  invocations: ReturnType<typeof hostEventBatch>[],
  makeSink: (destination: Destination, connection: string) => Sink,
  delivery?: DeliverySettings,
): Promise<BenchRig> {
  const store = new MemoryConfigurationStore();
  for (const { key, spec: s } of configurations) {
    const [namespace, configName] = key.split('/') as [string, string];
    await store.put({
      namespace,
      name: configName,
      generation: 1,
      manifest: {},
      spec: s,
      status: { state: 'Accepted', reason: '', lastKnownSpec: s },
      updatedAt: '',
    });
  }
  const partitions = new Map<string, PartitionState>();
  const sinks = new Map<string, Sink>();
  const configurationCache = new ConfigurationCache<ConfigurationMatcher>({
    store,
    refreshIntervalInMs: 60_000,
    compile: (stored) =>
      compileConfigurations(stored.map((c) => ({ key: `${c.namespace}/${c.name}`, spec: c.spec! }))),
  });
  const sinkFor = (destination: Destination, connection: string): Sink => {
    const key = `${destination}/${connection}`;
    let sink = sinks.get(key);
    if (sink === undefined) sinks.set(key, (sink = makeSink(destination, connection)));
    return sink;
  };
  let deadLettered = 0;
  const deadLetter: DeadLetterWriter = {
    write: async (batch) => {
      deadLettered += batch.entries.length;
      return 'bench';
    },
  };
  const handler = createIngestTracesHandler(() => ({
    configurations: configurationCache,
    identities: new MemoryIdentityStore(),
    partitionState: (id) => partitions.get(id) ?? partitions.set(id, createPartitionState()).get(id)!,
    sinkFor,
    deadLetter,
    ...(delivery !== undefined ? { delivery } : {}),
  }));
  return {
    run: async (count = invocations.length) => {
      partitions.clear();
      deadLettered = 0;
      let records = 0;
      let packets = 0;
      for (const invocation of invocations.slice(0, count)) {
        const context = new InvocationContext({
          triggerMetadata: invocation.triggerMetadata,
          logHandler: () => undefined,
        });
        const summary = await handler(invocation.messages, context);
        records += summary.records;
        packets += summary.packets;
      }
      // The end of the input releases the partitions: FlowSummary writes its open flows (counted).
      for (const [id, state] of partitions)
        records += (await releasePartitionState(state, id, { sinkFor, deadLetter })).records;
      return { records, packets, deadLettered };
    },
  };
}
