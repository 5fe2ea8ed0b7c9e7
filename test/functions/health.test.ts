import { createHealthHandler, type HealthDependencies } from '../../functions/health';
import { startAzurite } from '../support/azurite';
import {
  asHostResponse,
  httpRequest,
  invocationContext,
  useApp,
  type AppInstance,
} from '../support/appHarness';

const app = useApp();

const LOGANALYTICS_CONFIG = (connection: string) => `apiVersion: retina.sh/v1alpha1
kind: TraceConfiguration
metadata: { name: c, namespace: ops }
spec:
  traceConfigurations: [{ captureLevel: AllPackets, ports: [{ port: 53 }] }]
  outputConfiguration: { destination: loganalytics, connectionConfiguration: ${connection} }
`;

function dependencies(
  instance: AppInstance,
  overrides: Partial<HealthDependencies> = {},
): HealthDependencies {
  return {
    configurationStore: instance.services.configurationStore,
    identityStorePing: (options) => instance.services.identityStorePing(options),
    deadLetterPing: (options) => instance.services.deadLetter.ping(options),
    env: instance.services.env,
    connectionPolicy: instance.services.settings.connectionPolicy,
    ...overrides,
  };
}

async function health(deps: HealthDependencies, detailed = true) {
  const response = await createHealthHandler(() => deps, { detailed })(
    httpRequest('GET', 'health'),
    invocationContext('health').context,
  );
  return asHostResponse(response);
}

/** Stores a configuration as it was before validation refused anything (no validator involved). */
async function store(instance: AppInstance, connection: string): Promise<void> {
  const check = instance.services.validator.checkText(LOGANALYTICS_CONFIG('TRACES_LOGANALYTICS'), 'test')[0]!;
  expect([...check.errors, ...check.warnings]).toEqual([]);
  await instance.services.configurationStore.put({
    namespace: 'ops',
    name: `c-${connection.toLowerCase().replace(/_/g, '-')}`,
    generation: 1,
    manifest: check.manifest,
    spec: { ...check.spec!, output: { destination: 'loganalytics', connection } },
    status: { state: 'Accepted', reason: '' },
    updatedAt: new Date().toISOString(),
  });
}

describe('health handler', () => {
  it('answers 200 with every check ok; the anonymous summary is only {status}', async () => {
    const instance = app.create();
    await store(instance, 'TRACES_LOGANALYTICS');
    const response = await health(dependencies(instance));
    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      status: 'healthy',
      checks: [
        { name: 'configurationStore', status: 'ok' },
        { name: 'identityStore', status: 'ok' },
        { name: 'deadLetterStore', status: 'ok' },
      ],
      configurations: [],
    });
    const summary = await health(dependencies(instance), false);
    expect(summary.status).toBe(200);
    expect(summary.json).toEqual({ status: 'healthy' });
  });

  it("reports a configuration's broken or forbidden connection on that configuration, staying healthy", async () => {
    const instance = app.create();
    await store(instance, 'TRACES_LOGANALYTICS');
    await store(instance, 'TRACES_MISSING_WORKSPACE');
    await store(instance, 'CONFIG_STORE');
    const response = await health(dependencies(instance));
    expect(response.status).toBe(200);
    expect(response.json!.status).toBe('healthy');
    expect(response.json!.configurations).toEqual([
      {
        namespace: 'ops',
        name: 'c-config-store',
        problem: expect.stringContaining("names 'CONFIG_STORE', an internal connection") as unknown,
      },
      {
        namespace: 'ops',
        name: 'c-traces-missing-workspace',
        problem: expect.stringContaining('TRACES_MISSING_WORKSPACE__endpoint') as unknown,
      },
    ]);
    const summary = await health(dependencies(instance), false);
    expect(summary.json).toEqual({ status: 'healthy' });
    expect(JSON.stringify(summary.json)).not.toMatch(/TRACES_|CONFIG_STORE/);
  });

  it('resolves connections from the settings the handlers use, not process.env', async () => {
    const instance = app.create();
    await store(instance, 'TRACES_LOGANALYTICS');
    expect(process.env.TRACES_LOGANALYTICS__endpoint).toBeUndefined();
    expect((await health(dependencies(instance))).json!.configurations).toEqual([]);
  });

  it('answers 503, never 500, when the services cannot even be built', async () => {
    const response = await asHostResponse(
      await createHealthHandler(() => {
        throw new Error('Invalid app settings: CONFIG_STORE__tableServiceUri must be set');
      })(httpRequest('GET', 'health'), invocationContext('health').context),
    );
    expect(response.status).toBe(503);
    expect(response.json).toEqual({ status: 'unhealthy' });
  });

  it('answers 503 naming the check that timed out', async () => {
    const instance = app.create();
    const response = await health(
      dependencies(instance, { deadLetterPing: () => new Promise(() => undefined), timeoutInMs: 50 }),
    );
    expect(response.status).toBe(503);
    expect(response.json!.checks).toContainEqual({
      name: 'deadLetterStore',
      status: 'failed',
      detail: 'no answer within 50 ms',
    });
  });

  it('answers 503 naming every storage check when storage is down', async () => {
    const azurite = await startAzurite();
    const instance = app.create({
      AzureWebJobsStorage: azurite.connectionString,
      TRACES_AZURETABLE__connectionString: azurite.connectionString,
    });
    expect((await health(dependencies(instance))).status).toBe(200);
    await azurite.stop();
    const response = await health(dependencies(instance, { timeoutInMs: 1500 }));
    expect(response.status).toBe(503);
    const checks = response.json!.checks as { name: string; status: string; detail?: string }[];
    expect(checks.map((c) => `${c.name} ${c.status}`)).toEqual([
      'configurationStore failed',
      'identityStore failed',
      'deadLetterStore failed',
    ]);
    for (const check of checks) expect(check.detail).toBeTruthy();
  });
});
