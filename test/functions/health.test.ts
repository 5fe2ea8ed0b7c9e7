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
    env: instance.env,
    ...overrides,
  };
}

async function health(deps: HealthDependencies) {
  const response = await createHealthHandler(() => deps)(
    httpRequest('GET', 'health'),
    invocationContext('health').context,
  );
  return asHostResponse(response);
}

async function store(instance: AppInstance, connection: string): Promise<void> {
  const check = instance.services.validator.checkText(LOGANALYTICS_CONFIG(connection), 'test')[0]!;
  expect([...check.errors, ...check.warnings]).toEqual([]);
  expect(check.spec!.output).toEqual({ destination: 'loganalytics', connection });
  await instance.services.configurationStore.put({
    namespace: 'ops',
    name: `c-${connection.toLowerCase()}`,
    generation: 1,
    manifest: check.manifest,
    spec: check.spec!,
    status: { state: 'Accepted', reason: '' },
    updatedAt: new Date().toISOString(),
  });
}

describe('health handler', () => {
  it('answers 200 with every check ok, including each configured destination connection', async () => {
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
        { name: 'destination loganalytics/TRACES_LOGANALYTICS', status: 'ok' },
      ],
    });
  });

  it('answers 503 naming a configured connection that has no app settings', async () => {
    const instance = app.create();
    await store(instance, 'TRACES_LOGANALYTICS');
    await store(instance, 'MISSING_WORKSPACE');
    const response = await health(dependencies(instance));
    expect(response.status).toBe(503);
    expect(response.json!.status).toBe('unhealthy');
    const failed = (response.json!.checks as { name: string; status: string; detail?: string }[]).filter(
      (c) => c.status === 'failed',
    );
    expect(failed).toEqual([
      {
        name: 'destination loganalytics/MISSING_WORKSPACE',
        status: 'failed',
        detail: expect.stringContaining('MISSING_WORKSPACE__endpoint') as unknown,
      },
    ]);
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
