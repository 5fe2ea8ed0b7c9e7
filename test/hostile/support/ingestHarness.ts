/**
 * `ingestEvents` over in-memory dependencies with one catch-all stdout configuration, for
 * hostile events and fuzzing: every packet that decodes becomes a record, nothing leaves the process.
 */
import { MemoryIdentityStore } from '../../../shared/enrich/memoryIdentityStore';
import { hostEventBatch } from '../../../shared/local/hostEventBatch';
import { compileConfigurations, type ConfigurationMatcher } from '../../../shared/match/configurationMatcher';
import { ConfigurationCache } from '../../../shared/pipeline/configurationCache';
import {
  ingestEvents,
  type IngestDependencies,
  type IngestSummary,
} from '../../../shared/pipeline/ingestEvents';
import { createPartitionState, type PartitionState } from '../../../shared/pipeline/partitionState';
import { permissiveSpec } from '../../../shared/pipeline/permissiveConfiguration';
import { createSink } from '../../../shared/sinks/createSink';
import type { DeadLetterBatch, DeadLetterWriter } from '../../../shared/sinks/send/deadLetter';
import { MemoryConfigurationStore } from '../../../shared/store/memoryConfigurationStore';

/** An event as the host hands it over: body bytes and application properties. */
export interface HostileEvent {
  body: unknown;
  properties: Record<string, unknown>;
}

/** The harness: run events, read what happened. */
export interface IngestHarness {
  run(events: readonly HostileEvent[]): Promise<IngestSummary>;
  /** Calls `ingestEvents` with whatever the host might pass, shapes included. */
  runRaw(messages: unknown, triggerMetadata: Record<string, unknown> | undefined): Promise<IngestSummary>;
  deadLetters: DeadLetterBatch[];
  stdoutBytes(): number;
}

/** Builds a harness; the catch-all configuration writes to a counting stdout sink. */
export async function ingestHarness(): Promise<IngestHarness> {
  const store = new MemoryConfigurationStore();
  const spec = {
    ...permissiveSpec(),
    output: { destination: 'stdout' as const, connection: 'TRACES_STDOUT' },
  };
  await store.put({
    namespace: 'fuzz',
    name: 'all',
    generation: 1,
    manifest: {},
    spec,
    status: { state: 'Accepted', reason: '' },
    updatedAt: '',
  });
  const configurations = new ConfigurationCache<ConfigurationMatcher>({
    store,
    refreshIntervalInMs: 3_600_000,
    compile: (stored) =>
      compileConfigurations(
        stored.flatMap((c) =>
          c.spec === undefined ? [] : [{ key: `${c.namespace}/${c.name}`, spec: c.spec }],
        ),
      ),
  });
  const deadLetters: DeadLetterBatch[] = [];
  const deadLetter: DeadLetterWriter = {
    write: (batch) => {
      // Keep the metadata, not the bytes: a fuzz run would otherwise hold every body it tried.
      deadLetters.push({ ...batch, entries: batch.entries.slice(0, 1) });
      return Promise.resolve(`memory/${deadLetters.length}`);
    },
  };
  let written = 0;
  const sink = createSink(
    { destination: 'stdout', name: 'TRACES_STDOUT' },
    { stdoutWriter: (text) => ((written += text.length), Promise.resolve()) },
  );
  const partitions = new Map<string, PartitionState>();
  const deps: IngestDependencies = {
    configurations,
    identities: new MemoryIdentityStore(),
    partitionState: (id) => {
      let state = partitions.get(id);
      if (state === undefined) partitions.set(id, (state = createPartitionState()));
      return state;
    },
    sinkFor: () => sink,
    deadLetter,
  };
  let sequence = 0;
  return {
    deadLetters,
    stdoutBytes: () => written,
    runRaw: (messages, triggerMetadata) => ingestEvents(messages, triggerMetadata, deps),
    async run(events) {
      const batch = hostEventBatch(
        events.map((event) => ({
          body: event.body,
          properties: event.properties,
          enqueuedTimeUtc: new Date(),
          offset: String(sequence),
          sequenceNumber: sequence++,
          partitionKey: null,
          getRawAmqpMessage: () => {
            throw new Error('not used');
          },
        })),
        {
          fullyQualifiedNamespace: 'localhost',
          eventHubName: 'retina-traces',
          consumerGroup: '$Default',
          partitionId: '0',
        },
      );
      return ingestEvents(batch.messages, batch.triggerMetadata, deps);
    },
  };
}
