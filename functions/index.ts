/**
 * Registers every function with the Azure Functions host. `package.json` `main` points at the
 * compiled form of this file (`dist/functions/index.js`). Handlers live in their own modules so
 * tests and the local runner use them without registering anything.
 */
import { app, trigger, type HttpMethod } from '@azure/functions';
import { HTTP_FUNCTIONS } from './httpFunctions';
import { ingestTraces } from './ingestTraces';
import { INGEST_RETRY_POLICY } from './ingestRetryPolicy';

const EVENT_HUB_CONNECTION = 'EventHubConnection';

// `dataType: 'binary'` is not in the v4 option types, so the trigger is declared generically
// (Azure/azure-functions-nodejs-library#72): without it, non-JSON bodies fail binding.
app.generic('ingestTraces', {
  trigger: trigger.generic({
    type: 'eventHubTrigger',
    name: 'messages',
    direction: 'in',
    connection: EVENT_HUB_CONNECTION,
    eventHubName: '%TRACE_HUB_NAME%',
    consumerGroup: '%TRACE_CONSUMER_GROUP%',
    cardinality: 'many',
    dataType: 'binary',
  }),
  // Only a dead-letter store outage makes the handler throw; retry then instead of checkpointing past the batch.
  retry: INGEST_RETRY_POLICY,
  handler: async (messages, context) => {
    await ingestTraces(messages, context);
  },
});

for (const definition of HTTP_FUNCTIONS) {
  app.http(definition.name, {
    methods: definition.methods as HttpMethod[],
    route: definition.route,
    authLevel: definition.authLevel,
    handler: definition.handler,
  });
}
