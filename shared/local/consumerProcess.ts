/**
 * The local consumer as a process of its own (what a Functions instance is to the hub), so the
 * fault-injection suite can kill it with SIGKILL mid-stream and start another. It reads the app
 * settings from its environment, drives the real `ingestTraces` handler with the host's semantics
 * (hostLikeSubscription.ts) and prints one JSON line per invocation outcome on stdout.
 *
 * Extra environment: `LOCAL_CONSUMER_CA` (PEM of the local Logs Ingestion server's certificate),
 * `LOCAL_CONSUMER_RETRY_POLICY` (JSON retry options; default the trigger's), and
 * `LOCAL_CONSUMER_OWNERSHIP_EXPIRY_MS` (how soon a dead owner's partitions may be claimed).
 */
import { TableClient } from '@azure/data-tables';
import { EventHubConsumerClient } from '@azure/event-hubs';
import type { RetryOptions } from '@azure/functions';
import { createAppServices } from '../app/appServices';
import { createIngestTracesHandler } from '../../functions/ingestTraces';
import { INGEST_RETRY_POLICY } from '../../functions/ingestRetryPolicy';
import { errorMessage } from '../errors';
import { subscribeLikeHost } from './hostLikeSubscription';
import { LocalTokenCredential } from './localTokenCredential';
import { TableCheckpointStore } from './tableCheckpointStore';

function setting(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`environment variable ${name} is required`);
  return value;
}

async function main(): Promise<void> {
  const env = Object.fromEntries(
    Object.entries(process.env).flatMap(([k, v]) => (v === undefined ? [] : [[k, v]])),
  );
  const ca = process.env.LOCAL_CONSUMER_CA;
  const services = createAppServices(env, {
    credential: new LocalTokenCredential(),
    ...(ca === undefined ? {} : { logsIngestionClientOptions: { tlsOptions: { ca } } }),
  });
  const retryPolicy =
    process.env.LOCAL_CONSUMER_RETRY_POLICY === undefined
      ? INGEST_RETRY_POLICY
      : (JSON.parse(process.env.LOCAL_CONSUMER_RETRY_POLICY) as RetryOptions);
  const checkpointStore = new TableCheckpointStore(
    TableClient.fromConnectionString(setting('AzureWebJobsStorage'), 'EventHubCheckpoints', {
      allowInsecureConnection: true,
    }),
  );
  const consumer = new EventHubConsumerClient(
    process.env.TRACE_CONSUMER_GROUP ?? '$Default',
    setting('EventHubConnection'),
    setting('TRACE_HUB_NAME'),
    checkpointStore,
    {
      loadBalancingOptions: {
        strategy: 'greedy',
        updateIntervalInMs: 1000,
        partitionOwnershipExpirationIntervalInMs: Number(
          process.env.LOCAL_CONSUMER_OWNERSHIP_EXPIRY_MS ?? 60_000,
        ),
      },
    },
  );
  const write = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
  const subscription = subscribeLikeHost({
    consumer,
    ingest: createIngestTracesHandler(() => services.ingest),
    retryPolicy,
    log: (line) => process.stderr.write(`${line}\n`),
    onInvocation: ({ summary: _summary, ...outcome }) => write(outcome),
  });
  write({ started: process.pid });
  const stop = async () => {
    await subscription.close();
    await consumer.close();
    await services.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((caught: unknown) => {
  process.stderr.write(`consumer process: ${errorMessage(caught)}\n`);
  process.exit(1);
});
