/**
 * What `functions/index.ts` registers, as the Functions host receives it: `@azure/functions` hands
 * each registration to the worker's core API (`@azure/functions-core`, present only inside the
 * host). A stand-in for that API records the host metadata (bindings, retry options) and handlers.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { HTTP_FUNCTIONS } from '../../functions/httpFunctions';
import { setAppServices } from '../../functions/services';
import { demoBatches, demoIdentities, DEMO_CLUSTER } from '../../shared/local/demo/demoCluster';
import { TRACE_BATCH_SCHEMA } from '../../shared/pipeline/traceEvent';
import { asHostResponse, hostInput, httpRequest, invocationContext, useApp } from '../support/appHarness';

interface Registered {
  metadata: {
    name: string;
    bindings: Record<string, Record<string, unknown>>;
    retryOptions?: Record<string, unknown>;
  };
  handler: (...args: unknown[]) => Promise<unknown>;
}

const registered: Registered[] = [];

jest.mock(
  '@azure/functions-core',
  () => ({
    setProgrammingModel: () => undefined,
    getProgrammingModel: () => undefined,
    registerHook: () => ({ dispose: () => undefined }),
    log: () => undefined,
    registerFunction: (metadata: Registered['metadata'], handler: Registered['handler']) => {
      registered.push({ metadata, handler });
      return { dispose: () => undefined };
    },
  }),
  { virtual: true },
);

// eslint-disable-next-line @typescript-eslint/no-require-imports
require('../../functions/index');

const app = useApp();

function byName(name: string): Registered {
  const found = registered.find((r) => r.metadata.name === name);
  if (found === undefined)
    throw new Error(
      `${name} was not registered; registered: ${registered.map((r) => r.metadata.name).join(', ')}`,
    );
  return found;
}

describe('functions/index.ts registrations', () => {
  it('registers exactly ingestTraces and the HTTP functions', () => {
    expect(registered.map((r) => r.metadata.name).sort()).toEqual([
      'health',
      'healthDetails',
      'identities',
      'ingestTraces',
      'traceConfigurations',
    ]);
  });

  it('binds ingestTraces to the hub from app settings, binary, many events per invocation', () => {
    const { bindings } = byName('ingestTraces').metadata;
    expect(Object.keys(bindings)).toEqual(['messages']);
    expect(bindings.messages).toMatchObject({
      type: 'eventHubTrigger',
      direction: 'in',
      connection: 'EventHubConnection',
      eventHubName: '%TRACE_HUB_NAME%',
      consumerGroup: '%TRACE_CONSUMER_GROUP%',
      cardinality: 'many',
      dataType: 'binary',
    });
  });

  it('gives ingestTraces an exponential-backoff retry policy the host can read', () => {
    const retry = byName('ingestTraces').metadata.retryOptions!;
    expect(retry.retryStrategy).toBe('exponentialBackoff');
    // Unbounded: the handler only throws when the dead-letter store is down, so skipping would lose records.
    expect(retry.maxRetryCount).toBe(-1);
    const seconds = (duration: unknown) => Number((duration as { seconds: number | string }).seconds);
    expect(seconds(retry.minimumInterval)).toBeGreaterThan(0);
    expect(seconds(retry.maximumInterval)).toBeGreaterThan(seconds(retry.minimumInterval));
  });

  it.each(HTTP_FUNCTIONS.map((definition) => [definition.name, definition] as const))(
    'registers the HTTP function %s with its route, methods and auth level',
    (name, definition) => {
      const { bindings } = byName(name).metadata;
      const trigger = Object.values(bindings).find((b) => b.direction === 'in')!;
      expect(trigger).toMatchObject({
        type: 'httpTrigger',
        route: definition.route,
        authLevel: definition.authLevel,
        methods: definition.methods,
      });
      expect(Object.values(bindings).some((b) => b.direction === 'out' && b.type === 'http')).toBe(true);
    },
  );

  it('keeps the API and health details behind function keys, only the health summary anonymous', () => {
    expect(Object.fromEntries(HTTP_FUNCTIONS.map((d) => [d.name, d.authLevel]))).toEqual({
      traceConfigurations: 'function',
      identities: 'function',
      health: 'anonymous',
      healthDetails: 'function',
    });
  });

  it('routes the registered handlers to the app services (configuration PUT, then a trace batch into Azure Table)', async () => {
    const instance = app.create();
    setAppServices(instance.services);
    try {
      const yaml = readFileSync(
        path.join(__dirname, '..', '..', 'samples', 'local', 'shop-http-azuretable.yaml'),
        'utf8',
      );
      const request = httpRequest('PUT', 'traceconfigurations/shop/shop-http', {
        params: { namespace: 'shop', name: 'shop-http' },
        headers: { 'content-type': 'application/yaml' },
        body: yaml,
      });
      const put = await asHostResponse(
        (await byName('traceConfigurations').handler(
          request,
          invocationContext('traceConfigurations').context,
        )) as object,
      );
      expect(put.status).toBe(201);

      const [, node2] = demoBatches(Date.UTC(2026, 10, 25, 10));
      const input = hostInput([
        {
          body: Buffer.from(JSON.stringify(demoIdentities('2026-11-25T10:00:00Z'))),
          properties: { 'trace-schema': 'retina.sh/identities/v1' },
        },
        {
          body: gzipSync(node2!.capture),
          properties: { 'trace-schema': TRACE_BATCH_SCHEMA, cluster: DEMO_CLUSTER, node: node2!.node },
        },
      ]);
      await byName('ingestTraces').handler(
        input.messages,
        invocationContext('ingestTraces', input.triggerMetadata).context,
      );
      expect(await instance.tableRows()).toHaveLength(14);
    } finally {
      setAppServices(undefined);
    }
  });
});
